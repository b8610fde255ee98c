import { timeOfId } from './ids.js';

/**
 * The object key of a payload: `{prefix}{yyyy}/{mm}/{dd}/{id}`, dated in UTC by the id's own
 * timestamp. Because the date comes from the id, the key can always be derived from the id alone
 * (GET needs no index) and a re-upload after a crash writes the very same object.
 */
export function keyOf(prefix: string, id: string): string {
  const date = new Date(timeOfId(id));
  const yyyy = String(date.getUTCFullYear()).padStart(4, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(date.getUTCDate()).padStart(2, '0');
  return `${prefix}${yyyy}/${mm}/${dd}/${id}`;
}
