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
}

export interface EncodedRecord {
  /** Everything before the payload, crc filled in. */
  head: Buffer;
  body: Buffer;
  /** head + body: the bytes the record takes on disk. */
  size: number;
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

export function encodeRecord(id: string, meta: RecordMeta, body: Buffer): EncodedRecord {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
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
  head.writeUInt32BE(crc32c(body, crc32c(head.subarray(headerBytes))), 8);
  return { head, body, size: head.length + body.length };
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
  records: ParsedRecord[];
  /** Damaged regions that valid records follow, or a damaged whole-looking last record. */
  corrupt: Array<{ start: number; end: number; reason: string }>;
  /** Where the segment should end: after the last valid record (or damaged region kept aside). */
  validEnd: number;
  /** Bytes after validEnd that are a torn write (or zero fill) and may simply be cut off. */
  tornBytes: number;
}

/**
 * Walks a whole segment. A bad record followed by a good one is corruption (quarantined); bad
 * bytes that run to the end of the file are a torn tail when they are an unfinished record or
 * zero fill (the batch they belonged to was never acknowledged), corruption otherwise. Either way
 * the segment is cut back to its last good record, so nothing after it is ever read again.
 */
export function scanSegment(bytes: Buffer): SegmentScan {
  const records: ParsedRecord[] = [];
  const corrupt: SegmentScan['corrupt'] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const result = parseRecord(bytes, offset);
    if (result.kind === 'record') {
      records.push(result.record);
      offset += result.record.size;
      continue;
    }
    const next = findNextRecord(bytes, offset + 1);
    if (next !== -1) {
      corrupt.push({ start: offset, end: next, reason: reasonOf(result) });
      offset = next;
      continue;
    }
    const tail = bytes.subarray(offset);
    if (result.kind === 'incomplete' || tail.every((byte) => byte === 0)) {
      return { records, corrupt, validEnd: offset, tornBytes: tail.length };
    }
    corrupt.push({ start: offset, end: bytes.length, reason: reasonOf(result) });
    return { records, corrupt, validEnd: offset, tornBytes: 0 };
  }
  return { records, corrupt, validEnd: offset, tornBytes: 0 };
}

function reasonOf(result: ParseResult): string {
  return result.kind === 'corrupt' ? result.reason : 'incomplete record';
}
