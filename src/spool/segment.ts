import path from 'node:path';
import type { SpoolFile, SpoolFs } from './fs.js';
import { AckFile } from './ledger.js';
import type { Logger } from './types.js';

const segmentPattern = /^(\d{16})\.seg$/;
const ackPattern = /^(\d{16})\.ack$/;

export const segmentFileName = (seq: number): string => `${String(seq).padStart(16, '0')}.seg`;
export const ackFileName = (seq: number): string => `${String(seq).padStart(16, '0')}.ack`;

export function parseSegmentFileName(name: string): number | undefined {
  const match = segmentPattern.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function parseAckFileName(name: string): number | undefined {
  const match = ackPattern.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** A segment file and the in-memory facts the spool keeps about it. */
export class Segment {
  readonly path: string;
  readonly acks: AckFile;
  /** Bytes of committed records: the file's length, and where the next batch is written. */
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
