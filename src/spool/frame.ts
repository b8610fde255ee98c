/**
 * One spool record on disk (all integers big-endian):
 *
 *   offset  bytes  field
 *   0       3      magic "QSR"
 *   3       1      format version (1)
 *   4       4      length: bytes after the crc field (36 + 4 + metaLength + payload)
 *   8       4      CRC32C (Castagnoli) of those `length` bytes
 *   12      36     id, a UUIDv7 in ASCII
 *   48      4      metaLength
 *   52      M      metadata, UTF-8 JSON: ObjectMeta plus durability fields (RecordMeta)
 *   52+M    P      payload
 *
 * The length sits before the CRC and is not covered by it; a damaged length makes the CRC check
 * fail over the wrong range instead (or reach past the end of the file, which recovery tells
 * apart), so it is caught all the same.
 *
 * The metadata names the segment the record was written to (`segment`, its 16-digit number), and
 * the CRC covers it. Segment files are recycled (spool.ts): a file reused for a new segment still
 * holds the old segment's records past the new ones, whole and with good CRCs, and this is how a
 * scan tells them apart. The number is filled in when the group committer has chosen the
 * segment (sealRecord), so the record is encoded with a fixed-width placeholder first.
 */
import { crc32c } from '@node-rs/crc32';
import { QuickstowError } from '../core/errors.js';
import { isId } from '../core/ids.js';
import type { ObjectMeta } from '../store/types.js';

export const magic = Buffer.from('QSR', 'latin1');
export const formatVersion = 1;
export const headerBytes = 12;
const idBytes = 36;
const fixedBytes = headerBytes + idBytes + 4;
const maxLength = 0xffff_ffff;

/** What the spool keeps beside the object's metadata. */
export interface RecordMeta extends ObjectMeta {
  durability: 'spool';
  /** ISO 8601 time the record was handed to the spool. */
  spooledAt: string;
  /** The segment it was written to (segmentMarker); absent in records of older versions. */
  segment?: string;
}

/** How a segment's number is written in its records' metadata (and in its file name). */
export const segmentMarker = (seq: number): string => String(seq).padStart(16, '0');
const markerPlaceholder = segmentMarker(0);

export interface EncodedRecord {
  /** Everything before the payload; the segment and the crc are filled in by sealRecord. */
  head: Buffer;
  body: Buffer;
  /** head + body: the bytes the record takes on disk. */
  size: number;
  /** Where in head the segment marker's digits go. */
  markerAt: number;
}

export interface ParsedRecord {
  id: string;
  meta: RecordMeta;
  /** Where the record starts in its segment. */
  offset: number;
  size: number;
}

export type ParseResult =
  | { kind: 'record'; record: ParsedRecord; body: Buffer }
  /** The bytes end before the record does: a torn write, if nothing valid follows. */
  | { kind: 'incomplete' }
  | { kind: 'corrupt'; reason: string };

/** Lays the record out; sealRecord must name its segment before it is written. */
export function encodeRecord(id: string, meta: RecordMeta, body: Buffer): EncodedRecord {
  // The marker goes last, so its digits sit at a known distance from the end of the JSON (a
  // marker already in `meta` would keep its own place in the key order: it is left out).
  const { segment: _previous, ...fields } = meta;
  const json = JSON.stringify({ ...fields, segment: markerPlaceholder });
  const metaBytes = Buffer.from(json, 'utf8');
  const length = idBytes + 4 + metaBytes.length + body.length;
  if (length > maxLength) {
    throw new QuickstowError('payload-too-large', 413, 'The payload is too large for the spool');
  }
  const head = Buffer.allocUnsafe(fixedBytes + metaBytes.length);
  magic.copy(head, 0);
  head[3] = formatVersion;
  head.writeUInt32BE(length, 4);
  head.write(id, headerBytes, idBytes, 'latin1');
  head.writeUInt32BE(metaBytes.length, headerBytes + idBytes);
  metaBytes.copy(head, fixedBytes);
  const markerAt = head.length - markerPlaceholder.length - 2; // before `"}`
  return { head, body, size: head.length + body.length, markerAt };
}

/** Names the segment the record goes to and computes its CRC: it is ready to be written. */
export function sealRecord(record: EncodedRecord, seq: number): void {
  const { head, body } = record;
  head.write(segmentMarker(seq), record.markerAt, markerPlaceholder.length, 'latin1');
  head.writeUInt32BE(crc32c(body, crc32c(head.subarray(headerBytes))), 8);
}

/** Parses the record starting at `offset` of `bytes`, checking everything that can be checked. */
export function parseRecord(bytes: Buffer, offset: number): ParseResult {
  const available = bytes.length - offset;
  if (available < headerBytes) {
    return bytes.subarray(offset, offset + magic.length).equals(magic.subarray(0, available))
      ? { kind: 'incomplete' }
      : { kind: 'corrupt', reason: 'bad magic' };
  }
  if (!bytes.subarray(offset, offset + 3).equals(magic))
    return { kind: 'corrupt', reason: 'bad magic' };
  if (bytes[offset + 3] !== formatVersion) {
    return { kind: 'corrupt', reason: `unknown format version ${bytes[offset + 3]}` };
  }
  const length = bytes.readUInt32BE(offset + 4);
  if (length < idBytes + 4) return { kind: 'corrupt', reason: 'length too small' };
  if (available < headerBytes + length) return { kind: 'incomplete' };
  const end = offset + headerBytes + length;
  const covered = bytes.subarray(offset + headerBytes, end);
  if (crc32c(covered) !== bytes.readUInt32BE(offset + 8)) {
    return { kind: 'corrupt', reason: 'crc mismatch' };
  }
  // Past this point the bytes are what the writer wrote; a failure is a writer bug, not rot.
  const id = bytes.toString('latin1', offset + headerBytes, offset + headerBytes + idBytes);
  if (!isId(id)) return { kind: 'corrupt', reason: 'id is not a UUIDv7' };
  const metaLength = bytes.readUInt32BE(offset + headerBytes + idBytes);
  const metaStart = offset + fixedBytes;
  if (metaStart + metaLength > end) return { kind: 'corrupt', reason: 'metadata overruns record' };
  let meta: RecordMeta;
  try {
    meta = JSON.parse(bytes.toString('utf8', metaStart, metaStart + metaLength)) as RecordMeta;
  } catch {
    return { kind: 'corrupt', reason: 'metadata is not JSON' };
  }
  const body = bytes.subarray(metaStart + metaLength, end);
  if (typeof meta?.key !== 'string' || meta.size !== body.length) {
    return { kind: 'corrupt', reason: 'metadata does not describe the payload' };
  }
  return { kind: 'record', record: { id, meta, offset, size: end - offset }, body };
}

/** The first offset after `from` where a whole, valid record starts; -1 if there is none. */
export function findNextRecord(bytes: Buffer, from: number): number {
  for (let at = bytes.indexOf(magic, from); at !== -1; at = bytes.indexOf(magic, at + 1)) {
    if (parseRecord(bytes, at).kind === 'record') return at;
  }
  return -1;
}

export interface SegmentScan {
  /** The segment's own records, in order. */
  records: ParsedRecord[];
  /** Damaged regions that valid records follow, or a damaged whole-looking last record. */
  corrupt: Array<{ start: number; end: number; reason: string }>;
  /** Where the segment should end: after the last valid record (or damaged region kept aside). */
  validEnd: number;
  /** Bytes after validEnd that are a torn write (or zero fill) and may simply be cut off. */
  tornBytes: number;
  /** Bytes after validEnd left over from the segment this file held before it was recycled. */
  staleBytes: number;
}

/**
 * Walks a whole segment. A bad record followed by a good one is corruption (quarantined); bad
 * bytes that run to the end of the file are a torn tail when they are an unfinished record or
 * zero fill (the batch they belonged to was never acknowledged), corruption otherwise. Either way
 * the segment is cut back to its last good record, so nothing after it is ever read again.
 *
 * With `seq`, a whole record written to another segment ends the segment: the file was recycled
 * and what follows is the old segment's (all of it stored before the file was reused). Bad bytes
 * between the segment's last record and such leftovers are a write torn over the old records
 * (the file is long, so a torn record does not run past its end): cut, like any torn tail. That
 * is also how damage to the very last record of a recycled segment looks; a record that valid
 * records of its own segment follow is still quarantined.
 */
export function scanSegment(bytes: Buffer, seq?: number): SegmentScan {
  const marker = seq === undefined ? undefined : segmentMarker(seq);
  const isOwn = (record: ParsedRecord) =>
    marker === undefined || record.meta.segment === undefined || record.meta.segment === marker;
  const records: ParsedRecord[] = [];
  const corrupt: SegmentScan['corrupt'] = [];
  const end = (validEnd: number, tornBytes: number, staleBytes = 0): SegmentScan => ({
    records,
    corrupt,
    validEnd,
    tornBytes,
    staleBytes,
  });
  let offset = 0;
  while (offset < bytes.length) {
    const result = parseRecord(bytes, offset);
    if (result.kind === 'record') {
      if (!isOwn(result.record)) return end(offset, 0, bytes.length - offset);
      records.push(result.record);
      offset += result.record.size;
      continue;
    }
    const next = findNextRecord(bytes, offset + 1);
    if (next !== -1) {
      const following = parseRecord(bytes, next);
      if (following.kind === 'record' && !isOwn(following.record)) {
        return end(offset, next - offset, bytes.length - next);
      }
      corrupt.push({ start: offset, end: next, reason: reasonOf(result) });
      offset = next;
      continue;
    }
    const tail = bytes.subarray(offset);
    if (result.kind === 'incomplete' || tail.every((byte) => byte === 0)) {
      return end(offset, tail.length);
    }
    corrupt.push({ start: offset, end: bytes.length, reason: reasonOf(result) });
    return end(offset, 0);
  }
  return end(offset, 0);
}

function reasonOf(result: ParseResult): string {
  return result.kind === 'corrupt' ? result.reason : 'incomplete record';
}
