/**
 * Group commit: appends that arrive while a write + fsync is running wait for it to finish and
 * then share the next write + fsync, so N concurrent appends cost far fewer than N fsyncs, and
 * nobody is acknowledged before the fsync covering their bytes has returned.
 *
 * A failed write or fsync rejects every append of its group, cuts the segment back to where the
 * group began (so the failed bytes can never be read, even after a restart) and retires that
 * segment: the next group goes to a fresh file, as a failed fsync leaves the kernel's view of the
 * old one uncertain. If even the cut fails, the committer is broken and refuses all appends.
 */
import path from 'node:path';
import { type EncodedRecord, sealRecord } from './frame.js';
import { type SpoolFs, syncDirectory, writeFully } from './fs.js';
import { Segment } from './segment.js';
import type { Logger } from './types.js';

export interface CommitRequest {
  record: EncodedRecord;
  /** Called synchronously once the fsync covering the record returned. */
  committed(segment: Segment, offset: number): void;
  failed(error: unknown): void;
}

export interface GroupCommitterOptions {
  fs: SpoolFs;
  dir: string;
  logger: Logger;
  segmentMaxBytes: number;
  /** Number of the last segment that ever existed; new ones count up from it. */
  lastSeq: number;
  /** A drained segment's file to reuse for the next segment, if one is kept (segment.ts). */
  takeRecycled(): string | undefined;
  /** A new segment file exists (and its name is durable). */
  onCreated(segment: Segment): void;
  /** A segment stopped being the active one (rolled over, retired, or closed). */
  onSealed(segment: Segment): void;
  onCommit(records: number, bytes: number, startedAt: number): void;
}

export class GroupCommitter {
  private queue: CommitRequest[] = [];
  private running = false;
  private active: Segment | undefined;
  private lastSeq: number;
  private idleWaiters: Array<() => void> = [];
  /** Set when a failed group could not be cut off; no further append can be trusted. */
  broken: unknown;

  constructor(private readonly options: GroupCommitterOptions) {
    this.lastSeq = options.lastSeq;
  }

  get activeSegment(): Segment | undefined {
    return this.active;
  }

  submit(request: CommitRequest): void {
    this.queue.push(request);
    if (this.running) return;
    this.running = true;
    // A microtask later, so the appends of one tick (one event-loop turn) share the first write.
    queueMicrotask(() => void this.drain());
  }

  /** Resolves once every submitted request has been committed or rejected. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Closes the active segment's handle; call once no more requests will come. */
  async close(): Promise<void> {
    await this.idle();
    await this.retire();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.commitBatch(batch);
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private async commitBatch(batch: CommitRequest[]): Promise<void> {
    let next = 0;
    while (next < batch.length) {
      if (this.broken !== undefined) {
        for (const request of batch.slice(next)) request.failed(this.broken);
        return;
      }
      const first = batch[next] as CommitRequest;
      let segment: Segment;
      try {
        segment = await this.segmentFor(first.record.size);
      } catch (error) {
        // No segment to write to (e.g. ENOSPC creating it): this batch fails, the next retries.
        for (const request of batch.slice(next)) request.failed(error);
        return;
      }
      // As many records as fit in this segment; a record larger than a whole segment gets one
      // of its own.
      const group: CommitRequest[] = [first];
      let bytes = first.record.size;
      next += 1;
      while (next < batch.length) {
        const size = (batch[next] as CommitRequest).record.size;
        if (segment.size + bytes + size > this.options.segmentMaxBytes) break;
        group.push(batch[next] as CommitRequest);
        bytes += size;
        next += 1;
      }
      await this.commitGroup(segment, group, bytes);
    }
  }

  private async commitGroup(
    segment: Segment,
    group: CommitRequest[],
    bytes: number,
  ): Promise<void> {
    const startedAt = performance.now();
    const start = segment.size;
    const writer = segment.writer as NonNullable<Segment['writer']>;
    try {
      // Part by part rather than one concatenated buffer: a write per part costs less than
      // copying megabytes of payload once more, and the fsync below covers them all alike.
      let position = start;
      for (const { record } of group) {
        sealRecord(record, segment.seq);
        for (const part of [record.head, record.body]) {
          await writeFully(writer, part, position);
          position += part.length;
        }
      }
      await writer.sync();
    } catch (error) {
      this.options.logger.error(
        { err: error, segment: segment.name, records: group.length, bytes },
        'spool: write or fsync failed; the batch is rejected and the segment retired',
      );
      await this.cutBack(segment, start);
      for (const request of group) request.failed(error);
      return;
    }
    segment.size = start + bytes;
    let offset = start;
    for (const request of group) {
      request.committed(segment, offset);
      offset += request.record.size;
    }
    this.options.onCommit(group.length, bytes, startedAt);
  }

  /** The segment the next group goes to: the active one, unless the first record won't fit. */
  private async segmentFor(firstSize: number): Promise<Segment> {
    const active = this.active;
    if (active !== undefined) {
      if (active.size === 0 || active.size + firstSize <= this.options.segmentMaxBytes)
        return active;
      await this.retire();
    }
    const { fs, dir, logger } = this.options;
    this.lastSeq += 1;
    const segment = new Segment(this.lastSeq, dir, fs, logger);
    const recycled = this.options.takeRecycled();
    let writer: NonNullable<Segment['writer']>;
    if (recycled === undefined) {
      writer = await fs.open(segment.path, 'wx');
    } else {
      // Its old records stay past the new ones; their segment marker tells them apart (frame.ts).
      await fs.rename(recycled, segment.path);
      writer = await fs.open(segment.path, 'r+');
    }
    try {
      await syncDirectory(fs, dir);
    } catch (error) {
      await writer.close().catch(() => {});
      await fs.unlink(segment.path).catch(() => {});
      throw error;
    }
    segment.writer = writer;
    this.active = segment;
    this.options.onCreated(segment);
    logger.info(
      { segment: path.basename(segment.path), recycled: recycled !== undefined },
      'spool: new segment',
    );
    return segment;
  }

  private async cutBack(segment: Segment, length: number): Promise<void> {
    const writer = segment.writer as NonNullable<Segment['writer']>;
    try {
      await writer.truncate(length);
      await writer.sync();
    } catch (error) {
      this.broken = error;
      this.options.logger.error(
        { err: error, segment: segment.name },
        'spool: could not cut a failed write back; refusing all appends from now on',
      );
    }
    await this.retire();
  }

  private async retire(): Promise<void> {
    const segment = this.active;
    if (segment === undefined) return;
    this.active = undefined;
    const writer = segment.writer;
    segment.writer = undefined;
    await writer?.close().catch(() => {});
    this.options.onSealed(segment);
  }
}
