/**
 * Node's base64 decoder skips characters it does not know, so a corrupt `body` would reach the
 * client as silently different bytes. API Gateway refuses a body it cannot decode (a 500,
 * API_CONFIGURATION_ERROR); this check lets the front do the same.
 *
 * Bodies run to megabytes: the check is a single-character-class scan plus arithmetic, because
 * a regular expression with a repeated group (`(?:[…]{4})*`) overflows V8's backtracking stack
 * on inputs that large.
 */
const alphabetThenPadding = /^[A-Za-z0-9+/]*={0,2}$/;

/** The decoded bytes, or undefined when `text` is not base64 (line breaks are tolerated). */
export function decodeBase64Strictly(text: string): Buffer | undefined {
  const compact = text.includes('\n') ? text.replace(/\r?\n/g, '') : text;
  if (!alphabetThenPadding.test(compact)) return undefined;
  const padded = compact.endsWith('=');
  // Padded text comes in whole quads; unpadded text may end with 2 or 3 characters, never 1.
  if (padded ? compact.length % 4 !== 0 : compact.length % 4 === 1) return undefined;
  return Buffer.from(compact, 'base64');
}
