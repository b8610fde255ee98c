import path from 'node:path';
import { segmentMarker } from './frame.js';
import type { SpoolFile, SpoolFs } from './fs.js';
import { AckFile } from './ledger.js';
import type { Logger } from './types.js';

const segmentPattern = /^(\d{16})\.seg$/;
const ackPattern = /^(\d{16})\.ack$/;
const recycledPattern = /^(\d{16})\.free$/;

export const segmentFileName = (seq: number): string => `${segmentMarker(seq)}.seg`;
export const ackFileName = (seq: number): string => `${segmentMarker(seq)}.ack`;
/** A drained segment's file kept for reuse, under the number of the segment it last held. */
export const recycledFileName = (seq: number): string => `${segmentMarker(seq)}.free`;

export function parseSegmentFileName(name: string): number | undefined {
  const match = segmentPattern.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function parseAckFileName(name: string): number | undefined {
  const match = ackPattern.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function parseRecycledFileName(name: string): number | undefined {
  const match = recycledPattern.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Drained segment files kept to be written again instead of new ones. On a VM whose host takes
 * freed memory back (Firecracker, and Lambda, Fargate with it), every page of a new file costs a
 * fault on the host: writing a fresh 1 MiB took 3 ms on this machine against 0.2 ms over a
 * file whose pages were still cached. A reused file keeps its pages, and its blocks: no
 * allocation, so the fsync has less metadata to write. At most `limit` files wait (their bytes
 * are on disk but not counted in spoolMaxBytes).
 */
export class RecycledFiles {
  private readonly paths: string[] = [];
  /** Slots promised to files being renamed. */
  private reserved = 0;

  constructor(readonly limit: number) {}

  static limitFor(segmentMaxBytes: number): number {
    return Math.max(1, Math.min(4, Math.floor((256 * 1024 * 1024) / segmentMaxBytes)));
  }

  get size(): number {
    return this.paths.length;
  }

  /** Promises a slot to a file about to be recycled; false when enough are kept. */
  reserve(): boolean {
    if (this.paths.length + this.reserved >= this.limit) return false;
    this.reserved += 1;
    return true;
  }

  /** Ends a reservation: with the file now ready for reuse, or without one if it failed. */
  settle(file: string | undefined): void {
    this.reserved -= 1;
    if (file !== undefined) this.paths.push(file);
  }

  /** A file found at open. */
  give(file: string): void {
    this.paths.push(file);
  }

  take(): string | undefined {
    return this.paths.shift();
  }
}

/** A segment file and the in-memory facts the spool keeps about it. */
export class Segment {
  readonly path: string;
  readonly acks: AckFile;
  /**
   * Bytes of committed records: where the next batch is written. A recycled file is longer; what
   * lies past this is the old segment's, never read.
   */
  size = 0;
  /** Records in it not yet stored; the segment may go once this is 0 and it is not active. */
  live = 0;
  /** Reads in progress; deletion waits for them. */
  readers = 0;
  /** Ids of every record in it, to forget them when the segment is deleted. */
  readonly ids: string[] = [];
  /** The handle appends are written through; only the active segment has one. */
  writer: SpoolFile | undefined;
  /**
   * One read handle, opened at the first read and kept until the segment goes: the uploader
   * reads every record back, and opening the file for each one cost more than the read.
   */
  private reader: Promise<SpoolFile> | undefined;
  deleting = false;

  constructor(
    readonly seq: number,
    dir: string,
    private readonly fs: SpoolFs,
    logger: Logger,
  ) {
    this.path = path.join(dir, segmentFileName(seq));
    this.acks = new AckFile(fs, path.join(dir, ackFileName(seq)), logger);
  }

  get name(): string {
    return segmentFileName(this.seq);
  }

  get active(): boolean {
    return this.writer !== undefined;
  }

  readHandle(): Promise<SpoolFile> {
    this.reader ??= this.fs.open(this.path, 'r');
    const opening = this.reader;
    // A failed open is not kept: the next read tries again.
    opening.catch(() => {
      if (this.reader === opening) this.reader = undefined;
    });
    return opening;
  }

  /** Closes the read handle, if any; before the file is deleted and when the spool closes. */
  async closeReader(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    await reader?.then((handle) => handle.close()).catch(() => undefined);
  }
}
