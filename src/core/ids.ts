import { v7, validate, version } from 'uuid';

/** A new payload id: a UUIDv7, so ids sort by arrival time and carry the date of their key. */
export function newId(nowMs?: number): string {
  return nowMs === undefined ? v7() : v7({ msecs: nowMs });
}

export function isId(value: string): boolean {
  return validate(value) && version(value) === 7 && value === value.toLowerCase();
}

/** The millisecond timestamp in the first 48 bits of a UUIDv7. */
export function timeOfId(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
