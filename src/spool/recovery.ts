/**
 * Recovery at open: what a crash (or a failing disk) left in the spool folder becomes a
 * consistent set of segments whose every byte is a valid record, and the list of records the
 * store does not have yet. See the invariants in spool.ts.
 */
import path from 'node:path';
import { type ParsedRecord, scanSegment } from './frame.js';
import { errorCode, readWholeFile, type SpoolFs, syncDirectory } from './fs.js';
import { readAcks } from './ledger.js';
import { quarantineBytes } from './quarantine.js';
import {
  ackFileName,
  parseAckFileName,
  parseRecycledFileName,
  parseSegmentFileName,
  recycledFileName,
  segmentFileName,
} from './segment.js';
import type { Logger, SpoolEvent } from './types.js';

export interface RecoveredSegment {
  seq: number;
  /** Length after cutting off a torn or damaged tail. */
  size: number;
  records: ParsedRecord[];
  /** Ids of its records the store already has. */
  acked: Set<string>;
}

export interface Recovery {
  /** In sequence order; segments with nothing left to upload are already deleted. */
  segments: RecoveredSegment[];
  /**
   * The highest segment number seen, in segment and recycled file names alike, so a new segment
   * never reuses a number: not a live name, and not a number written in old records that a
   * recycled file still holds (that would make them look like the new segment's own).
   */
  lastSeq: number;
  /** Recycled files to reuse (at most recycledMax; any more are deleted). */
  recycled: string[];
  quarantined: number;
  truncatedBytes: number;
}

export async function recoverSpool(
  fs: SpoolFs,
  dir: string,
  logger: Logger,
  emit: (event: SpoolEvent) => void,
  recycledMax: number,
): Promise<Recovery> {
  const names = await fs.readdir(dir);
  const segmentSeqs = names
    .map(parseSegmentFileName)
    .filter((seq): seq is number => seq !== undefined)
    .sort((a, b) => a - b);
  const recycledSeqs = names
    .map(parseRecycledFileName)
    .filter((seq): seq is number => seq !== undefined)
    .sort((a, b) => a - b);
  const result: Recovery = {
    segments: [],
    lastSeq: Math.max(0, ...segmentSeqs, ...recycledSeqs),
    recycled: [],
    quarantined: 0,
    truncatedBytes: 0,
  };
  const seen = new Set<string>();
  let removedNames = false;
  for (const seq of recycledSeqs) {
    const file = path.join(dir, recycledFileName(seq));
    if (result.recycled.length < recycledMax) {
      result.recycled.push(file);
    } else {
      await unlinkIfPresent(fs, file);
      removedNames = true;
    }
  }

  for (const seq of segmentSeqs) {
    const name = segmentFileName(seq);
    const file = path.join(dir, name);
    const bytes = await readWholeFile(fs, file);
    const scan = scanSegment(bytes, seq);

    for (const region of scan.corrupt) {
      const kept = await quarantineBytes(
        fs,
        dir,
        name,
        region.start,
        bytes.subarray(region.start, region.end),
      );
      result.quarantined += 1;
      const bytesLost = region.end - region.start;
      logger.error(
        { segment: name, offset: region.start, bytes: bytesLost, reason: region.reason, kept },
        'spool: corrupted record quarantined at open; it will not be uploaded',
      );
      emit({
        type: 'quarantined',
        segment: name,
        offset: region.start,
        bytes: bytesLost,
        reason: region.reason,
      });
    }
    if (scan.validEnd < bytes.length) {
      // Nothing after validEnd is a valid record, and appends never go to a recovered segment,
      // so cutting here loses nothing and keeps every later reader from looking at it again.
      const handle = await fs.open(file, 'r+');
      try {
        await handle.truncate(scan.validEnd);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (scan.tornBytes > 0) {
        result.truncatedBytes += scan.tornBytes;
        logger.warn(
          { segment: name, offset: scan.validEnd, bytes: scan.tornBytes },
          'spool: torn tail cut off at open (a write that was never acknowledged)',
        );
      }
      if (scan.staleBytes > 0) {
        logger.info(
          { segment: name, offset: scan.validEnd, bytes: scan.staleBytes },
          'spool: a recycled segment file cut after its own records (the rest was stored before)',
        );
      }
    }

    const acked = await readAcks(fs, path.join(dir, ackFileName(seq)));
    const records: ParsedRecord[] = [];
    for (const record of scan.records) {
      if (seen.has(record.id)) {
        logger.warn({ id: record.id, segment: name }, 'spool: duplicate record id ignored');
        continue;
      }
      seen.add(record.id);
      records.push(record);
    }
    if (records.every((record) => acked.has(record.id))) {
      // Segment first, ack file second: a crash in between leaves an orphan ack file (removed
      // below next time), never a segment without its acks (which would upload everything again).
      await fs.unlink(file);
      await unlinkIfPresent(fs, path.join(dir, ackFileName(seq)));
      removedNames = true;
      continue;
    }
    result.segments.push({ seq, size: scan.validEnd, records, acked });
  }

  for (const name of names) {
    const seq = parseAckFileName(name);
    if (seq !== undefined && !segmentSeqs.includes(seq)) {
      await unlinkIfPresent(fs, path.join(dir, name));
      removedNames = true;
    }
  }
  if (removedNames) await syncDirectory(fs, dir);
  return result;
}

async function unlinkIfPresent(fs: SpoolFs, file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}
