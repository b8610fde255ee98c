/**
 * The durable spool: payloads are acknowledged once they are fsync'ed to local append-only
 * segment files, and an uploader drains them to the object store with retries; a restart resumes
 * where the last run stopped. Modelled on vector's disk buffer.
 *
 * ON DISK, in `dir`:
 *   0000000000000007.seg  a segment: records back to back (format in frame.ts), append-only,
 *                         at most segmentMaxBytes unless one record alone is larger
 *   0000000000000007.ack  its ledger: ids of its records the store has confirmed (ledger.ts)
 *   0000000000000005.free a drained segment's file, kept to be reused for a new segment, with
 *                         recycleSegments (RecycledFiles in segment.ts: at most 4 and 256 MiB)
 *   quarantine/*.bad      damaged bytes found at open or when read back; never uploaded
 *
 * INVARIANTS
 *  1. append() resolves only after the write and the fsync covering its record returned, and
 *     only after the new segment's name was fsync'ed into the folder. Nothing is acknowledged
 *     from memory.
 *  2. Only the active segment is written, only at its end, only by the group committer
 *     (group-commit.ts). Segments found at open are never appended to: the first append after
 *     open starts a new segment.
 *  3. Up to its committed size, every byte of a segment is a valid record. A failed write or
 *     fsync rejects its whole batch, is cut back (truncate + fsync) before anything else is
 *     written, and retires that segment. The rejected records are not in memory and no longer on
 *     disk, so they are never uploaded, not even after a restart. (If the cut itself fails the
 *     spool is `broken`: it refuses every append and /readyz fails; after a restart those
 *     never-acknowledged records may be found whole and uploaded: an extra object, not a loss.)
 *  4. An id goes into its segment's ack file only after the store confirmed the put. Acks are not
 *     fsync'ed before they count (only at close): a lost ack costs one more upload of the same
 *     bytes to the same key, which keys derived from ids make harmless.
 *  5. A segment file is deleted or renamed to .free, then its ack file deleted, only when every
 *     record in it is stored, it is not the active segment and no read of it is running.
 *     Recovery deletes by the same rule (from the ack files), and removes ack files whose segment
 *     is gone. Nothing else deletes. A .free file becomes a new segment by a rename; its old
 *     records stay past the new ones, and every record names its segment (frame.ts), so a scan
 *     stops at the first record of another segment. Segment numbers are never reused, not even
 *     across restarts (recovery counts .free names too), so old records can never pass for new.
 *  6. Every record carries its object key, which the caller derived from the id: uploading a
 *     record twice writes the same object twice.
 *
 * A CRASH AT ANY POINT LEAVES
 *  - during a group's write or fsync: part of that group on disk, whole records or a torn one.
 *    None was acknowledged. Recovery cuts the torn tail off; whole records are kept and
 *    uploaded (their clients got no answer: at least once, never lost once acknowledged).
 *  - after an upload, before its ack reached the disk: that record is uploaded again.
 *  - while deleting or recycling a segment: an orphan ack file (removed at open) or the segment
 *    itself with all its acks (deleted at open).
 *  - while writing over a recycled file: the new records, then a torn one, then the old
 *    segment's records: the torn bytes are cut with everything after them, as a torn tail.
 *  - during recovery: recovery again; cutting a tail and quarantining by name are idempotent.
 *  - anywhere, bit rot or a bug: a record whose CRC fails with good records after it is copied
 *    to quarantine/, logged, counted (stats.quarantined) and skipped; the others are uploaded.
 *
 * IN MEMORY: the metadata of every record whose segment still exists (for reads, state() and
 * uploads), never its payload, except while queued for the next write or during its upload;
 * those bytes count against memoryMaxBytes.
 */
import path from 'node:path';
import { QuickstowError } from '../core/errors.js';
import { isId } from '../core/ids.js';
import type { PayloadState } from '../core/receipt.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import { type BackoffOptions, defaultBackoff } from './backoff.js';
import { spoolWriteError } from './errors.js';
import { encodeRecord, parseRecord, type RecordMeta } from './frame.js';
import { errorCode, nodeFs, readFully, type SpoolFs, syncDirectory } from './fs.js';
import { GroupCommitter } from './group-commit.js';
import { quarantineBytes, quarantineFolder } from './quarantine.js';
import { recoverSpool } from './recovery.js';
import { RecycledFiles, recycledFileName, Segment } from './segment.js';
import {
  type Clock,
  type Logger,
  type SpoolEvent,
  type SpoolStats,
  silentLogger,
  systemClock,
} from './types.js';
import { UploadDeferral } from './upload-deferral.js';
import { Uploader, type UploadJob } from './uploader.js';

export interface SpoolOptions {
  /** The spool folder (config.spoolDir); created if missing. */
  dir: string;
  store: ObjectStore;
  spoolMaxBytes: number;
  memoryMaxBytes: number;
  segmentMaxBytes: number;
  uploadConcurrency: number;
  /**
   * While payloads keep arriving, how long a record may wait before its upload starts, so that
   * uploads do not compete with acknowledgements (upload-deferral.ts). 0, the default, uploads
   * at once.
   */
  uploadDeferMs?: number;
  /** No append for this long is a pause in arrivals that ends deferrals; 20 ms by default. */
  uploadQuietMs?: number;
  /**
   * Keep drained segment files to write the next segments over (RecycledFiles in segment.ts):
   * for a local disk. Off by default: on a shared network filesystem (EFS for Lambda's sandbox
   * spools) kept files are only storage paid for, in every sandbox's folder.
   */
  recycleSegments?: boolean;
  /** Retry delays while the store fails; defaults to 100 ms doubling up to 5 s, full jitter. */
  backoff?: Partial<BackoffOptions>;
  fs?: SpoolFs;
  clock?: Clock;
  logger?: Logger;
  /** For the jitter; Math.random by default. */
  random?: () => number;
  /** Called synchronously on commits, uploads, failures and quarantines (for metrics). */
  onEvent?: (event: SpoolEvent) => void;
}

export interface SpooledPayload {
  meta: ObjectMeta;
  body: Buffer;
}

interface Entry extends UploadJob {
  meta: RecordMeta;
  segment: Segment;
  offset: number;
  state: 'pending' | 'stored' | 'dropped';
  /** performance.now() of its append; -Infinity for records found at open. */
  appendedAt: number;
}

export class Spool {
  readonly dir: string;
  private readonly fs: SpoolFs;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly backoff: BackoffOptions;
  private readonly committer: GroupCommitter;
  private readonly uploader: Uploader<Entry>;
  private readonly emit: (event: SpoolEvent) => void;
  private readonly deferral: UploadDeferral;
  private readonly recycled: RecycledFiles;
  private deferralTimer: NodeJS.Timeout | undefined;
  /** Every record whose segment still exists, by id. */
  private readonly records = new Map<string, Entry>();
  /** Records not yet stored, oldest first (insertion order). */
  private readonly pending = new Map<string, Entry>();
  private readonly segments = new Map<number, Segment>();
  /** Ids handed to the committer and not yet committed or rejected. */
  private readonly queuedIds = new Set<string>();
  private readonly deletions = new Set<Promise<void>>();
  private pendingBytes = 0;
  private queuedBytes = 0;
  private uploadingBytes = 0;
  private quarantined = 0;
  private truncatedBytes = 0;
  private commits = 0;
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | undefined;

  /** Recovers what is on disk, then starts uploading it. */
  static async open(options: SpoolOptions): Promise<Spool> {
    const fs = options.fs ?? nodeFs;
    const logger = options.logger ?? silentLogger;
    await fs.mkdir(options.dir);
    await fs.mkdir(path.join(options.dir, quarantineFolder));
    const emit = eventEmitter(options.onEvent, logger);
    const recycledMax = recycledLimit(options);
    const recovery = await recoverSpool(fs, options.dir, logger, emit, recycledMax);
    const spool = new Spool(options, recovery.lastSeq);
    for (const file of recovery.recycled) spool.recycled.give(file);
    spool.quarantined = recovery.quarantined;
    spool.truncatedBytes = recovery.truncatedBytes;
    for (const recovered of recovery.segments) {
      const segment = new Segment(recovered.seq, options.dir, fs, logger);
      segment.size = recovered.size;
      spool.segments.set(segment.seq, segment);
      for (const record of recovered.records) {
        spool.register(
          record.id,
          record.meta,
          segment,
          record.offset,
          record.size,
          recovered.acked.has(record.id),
          Number.NEGATIVE_INFINITY,
        );
      }
    }
    logger.info(
      {
        dir: options.dir,
        segments: spool.segments.size,
        pendingRecords: spool.pending.size,
        pendingBytes: spool.pendingBytes,
        quarantined: recovery.quarantined,
        truncatedBytes: recovery.truncatedBytes,
      },
      'spool: opened',
    );
    return spool;
  }

  private constructor(
    private readonly options: SpoolOptions,
    lastSeq: number,
  ) {
    this.dir = options.dir;
    this.fs = options.fs ?? nodeFs;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.backoff = { ...defaultBackoff, ...options.backoff };
    this.emit = eventEmitter(options.onEvent, this.logger);
    this.deferral = new UploadDeferral(options.uploadDeferMs ?? 0, options.uploadQuietMs);
    this.recycled = new RecycledFiles(recycledLimit(options));
    this.committer = new GroupCommitter({
      fs: this.fs,
      dir: this.dir,
      logger: this.logger,
      segmentMaxBytes: options.segmentMaxBytes,
      lastSeq,
      takeRecycled: () => this.recycled.take(),
      onCreated: (segment) => this.segments.set(segment.seq, segment),
      onSealed: (segment) => this.maybeDelete(segment),
      onCommit: (records, bytes, startedAt) => {
        this.commits += 1;
        this.emit({ type: 'committed', records, bytes, durationMs: performance.now() - startedAt });
      },
    });
    this.uploader = new Uploader<Entry>({
      concurrency: options.uploadConcurrency,
      backoff: this.backoff,
      random: options.random ?? Math.random,
      upload: (entry) => this.upload(entry),
      admit: (entry, inFlight) => {
        const waitMs = this.closing ? 0 : this.deferral.waitMs(entry.appendedAt);
        if (waitMs > 0) {
          this.pumpUploaderIn(waitMs);
          return false;
        }
        return inFlight === 0 || this.memoryBytes + entry.bytes <= options.memoryMaxBytes;
      },
      onFailure: (entry, error, retryInMs) => {
        this.logger.warn(
          { err: error, id: entry.id, attempt: entry.attempts, retryInMs },
          'spool: upload failed; retrying',
        );
        this.emit({
          type: 'upload-failed',
          id: entry.id,
          attempt: entry.attempts,
          retryInMs,
          error,
        });
      },
    });
  }

  /**
   * Spools one payload; resolves once it is fsync'ed (then answer 202). `meta.key` must be the
   * key derived from `id`. Rejects with QuickstowError: spool-full / memory-full (503 with
   * retry-after) when the budget is used up, payload-too-large (413) when it could never fit,
   * spool-full (ENOSPC) or spool-failed (500) when the disk failed, shutting-down (503).
   */
  async append(id: string, meta: ObjectMeta, body: Buffer): Promise<void> {
    if (this.closing) {
      throw new QuickstowError('shutting-down', 503, 'The spool is closing', {
        headers: { 'retry-after': '1' },
      });
    }
    if (this.committer.broken !== undefined) {
      throw new QuickstowError('spool-failed', 500, 'The spool disk failed; not accepting', {
        cause: this.committer.broken,
      });
    }
    if (!isId(id)) throw new QuickstowError('invalid-id', 400, `Not a UUIDv7 id: ${id}`);
    if (meta.size !== body.length) throw new Error('spool: meta.size is not the body length');
    // Invariant 6: a re-upload must land on the same object, so the key has to come from the id.
    if (!meta.key.endsWith(id)) throw new Error(`spool: key ${meta.key} is not derived from ${id}`);
    if (this.records.has(id) || this.queuedIds.has(id)) {
      throw new Error(`spool: ${id} is already in the spool`);
    }
    const recordMeta: RecordMeta = {
      ...objectMetaOf(meta),
      durability: 'spool',
      spooledAt: new Date(this.clock.now()).toISOString(),
    };
    const record = encodeRecord(id, recordMeta, body);
    this.reserve(record.size);
    const appendedAt = this.deferral.noteAppend();
    this.queuedIds.add(id);
    this.pendingBytes += record.size;
    this.queuedBytes += record.size;
    return new Promise<void>((resolve, reject) => {
      this.committer.submit({
        record,
        committed: (segment, offset) => {
          this.queuedIds.delete(id);
          this.queuedBytes -= record.size;
          this.pendingBytes -= record.size; // register() counts it again, as pending
          this.register(id, recordMeta, segment, offset, record.size, false, appendedAt);
          resolve();
        },
        failed: (error) => {
          this.queuedIds.delete(id);
          this.queuedBytes -= record.size;
          this.pendingBytes -= record.size;
          this.emit({ type: 'commit-failed', records: 1, error });
          reject(spoolWriteError(error, this.retryAfterSeconds()));
          this.uploader.poke();
        },
      });
    });
  }

  /**
   * A payload still in the spool, read back from its segment (read-your-writes). Undefined when
   * the spool no longer has it: then it is in the store (or was never here), so ask the store.
   */
  async read(id: string): Promise<SpooledPayload | undefined> {
    const entry = this.records.get(id);
    if (entry === undefined || entry.state === 'dropped' || entry.segment.deleting)
      return undefined;
    const body = await this.loadBody(entry);
    return body && { meta: objectMetaOf(entry.meta), body };
  }

  /** The metadata of a payload the spool has (pending, or stored and not yet deleted). */
  head(id: string): ObjectMeta | undefined {
    const entry = this.records.get(id);
    return entry === undefined || entry.state === 'dropped' ? undefined : objectMetaOf(entry.meta);
  }

  /**
   * 'pending' (acknowledged, not yet in the store), 'stored' (the store confirmed it and the
   * spool still remembers), or undefined: unknown here, so ask the store.
   */
  state(id: string): PayloadState | undefined {
    const state = this.records.get(id)?.state;
    return state === 'pending' || state === 'stored' ? state : undefined;
  }

  stats(): SpoolStats {
    const oldest = this.pending.values().next().value as Entry | undefined;
    const uploader = this.uploader.stats;
    return {
      pendingRecords: this.pending.size + this.queuedIds.size,
      pendingBytes: this.pendingBytes,
      oldestPendingAgeMs:
        oldest === undefined
          ? 0
          : Math.max(0, this.clock.now() - Date.parse(oldest.meta.receivedAt)),
      memoryBytes: this.memoryBytes,
      segments: this.segments.size,
      uploads: uploader.uploads,
      retries: uploader.retries,
      failures: uploader.failures,
      uploadsInFlight: uploader.inFlight,
      quarantined: this.quarantined,
      truncatedBytes: this.truncatedBytes,
      commits: this.commits,
      broken: this.committer.broken !== undefined,
    };
  }

  /**
   * For /readyz: false when closing, broken by a failed write it could not repair, or when the
   * folder is not writable (read-only remount, permissions). A full spool is still writable: it
   * answers 503s per request, and taking the instance out of rotation would not drain it faster.
   */
  async writable(): Promise<boolean> {
    if (this.closing || this.committer.broken !== undefined) return false;
    try {
      await this.fs.accessWritable(this.dir);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Resolves once nothing is pending (or the uploader stopped), and the acks and segment
   * deletions that followed are done. For tests, and for a shutdown that wants to wait.
   */
  async drained(): Promise<void> {
    await this.committer.idle();
    await this.uploader.idle();
    await Promise.all([...this.deletions]);
    await Promise.all([...this.segments.values()].map((segment) => segment.acks.flushed()));
  }

  /**
   * Refuses new appends, finishes the writes already accepted, lets the uploader drain for at
   * most drainMs, then closes the files. What is not uploaded by then stays on disk for the
   * next open.
   */
  close(options: { drainMs?: number } = {}): Promise<void> {
    this.closePromise ??= this.shutdown(options.drainMs ?? 0);
    return this.closePromise;
  }

  private async shutdown(drainMs: number): Promise<void> {
    this.closing = true;
    // Closing ends every deferral: what waited for a pause in arrivals uploads now.
    clearTimeout(this.deferralTimer);
    this.uploader.poke();
    await this.committer.idle();
    await this.uploader.stop({ drainMs });
    this.closed = true;
    await this.committer.close();
    await Promise.all(this.deletions);
    for (const segment of this.segments.values()) {
      if (!segment.deleting) await segment.acks.close({ sync: true });
      await segment.closeReader();
    }
    this.logger.info(
      { pendingRecords: this.pending.size, pendingBytes: this.pendingBytes },
      'spool: closed',
    );
  }

  /** Pumps the uploader again once the first deferred record is due. */
  private pumpUploaderIn(ms: number): void {
    clearTimeout(this.deferralTimer);
    this.deferralTimer = setTimeout(() => {
      this.deferralTimer = undefined;
      this.uploader.poke();
    }, Math.ceil(ms));
  }

  private get memoryBytes(): number {
    return this.queuedBytes + this.uploadingBytes;
  }

  private retryAfterSeconds(): number {
    return this.uploader.degraded ? Math.ceil(this.backoff.maxMs / 1000) : 1;
  }

  /** Never acknowledge what cannot be kept: refuse before anything is queued. */
  private reserve(size: number): void {
    const { spoolMaxBytes, memoryMaxBytes } = this.options;
    if (size > spoolMaxBytes || size > memoryMaxBytes) {
      throw new QuickstowError(
        'payload-too-large',
        413,
        `The payload needs ${size} bytes in the spool, more than it can ever hold`,
      );
    }
    const headers = { 'retry-after': String(this.retryAfterSeconds()) };
    if (this.pendingBytes + size > spoolMaxBytes) {
      throw new QuickstowError(
        'spool-full',
        503,
        'The spool is full; payloads are being uploaded, retry later',
        { headers },
      );
    }
    if (this.memoryBytes + size > memoryMaxBytes) {
      throw new QuickstowError('memory-full', 503, 'Too many payloads in flight; retry later', {
        headers,
      });
    }
  }

  private register(
    id: string,
    meta: RecordMeta,
    segment: Segment,
    offset: number,
    size: number,
    stored: boolean,
    appendedAt: number,
  ): void {
    const entry: Entry = {
      id,
      meta,
      segment,
      offset,
      bytes: size,
      attempts: 0,
      state: stored ? 'stored' : 'pending',
      appendedAt,
    };
    this.records.set(id, entry);
    segment.ids.push(id);
    if (stored) return;
    segment.live += 1;
    this.pending.set(id, entry);
    this.pendingBytes += size;
    this.uploader.enqueue(entry);
  }

  /** One upload attempt; false when the record turned out damaged and was quarantined. */
  private async upload(entry: Entry): Promise<boolean> {
    if (entry.state !== 'pending') return false;
    const startedAt = performance.now();
    this.uploadingBytes += entry.bytes;
    try {
      const body = await this.loadBody(entry);
      if (body === undefined) return false;
      // Closed while reading: start no put after close() returned; the next open uploads it.
      if (this.uploader.stopped) return false;
      await this.options.store.put(objectMetaOf(entry.meta), body);
    } finally {
      this.uploadingBytes -= entry.bytes;
    }
    if (this.closed) return true; // too late to ack: uploaded again at the next open
    entry.state = 'stored';
    this.pending.delete(entry.id);
    this.pendingBytes -= entry.bytes;
    entry.segment.live -= 1;
    entry.segment.acks.add(entry.id);
    this.emit({
      type: 'uploaded',
      id: entry.id,
      key: entry.meta.key,
      bytes: entry.bytes,
      attempts: entry.attempts,
      durationMs: performance.now() - startedAt,
    });
    this.maybeDelete(entry.segment);
    return true;
  }

  /**
   * Reads a record back from its segment and checks its CRC again. A record that fails is
   * quarantined and dropped: it is never uploaded or served. Undefined also when the segment
   * was deleted meanwhile (the record is stored then).
   */
  private async loadBody(entry: Entry): Promise<Buffer | undefined> {
    const segment = entry.segment;
    segment.readers += 1;
    try {
      let bytes: Buffer;
      try {
        bytes = await readFully(await segment.readHandle(), entry.bytes, entry.offset);
      } catch (error) {
        if (errorCode(error) === 'ENOENT' && entry.state !== 'pending') return undefined;
        throw error;
      }
      const parsed = parseRecord(bytes, 0);
      if (parsed.kind === 'record' && parsed.record.id === entry.id) return parsed.body;
      await this.dropDamaged(
        entry,
        bytes,
        parsed.kind === 'corrupt' ? parsed.reason : 'short read',
      );
      return undefined;
    } finally {
      segment.readers -= 1;
      this.maybeDelete(segment);
    }
  }

  private async dropDamaged(entry: Entry, bytes: Buffer, reason: string): Promise<void> {
    if (entry.state !== 'pending') return;
    entry.state = 'dropped';
    this.pending.delete(entry.id);
    this.pendingBytes -= entry.bytes;
    entry.segment.live -= 1;
    this.quarantined += 1;
    let kept: string | undefined;
    try {
      kept = await quarantineBytes(this.fs, this.dir, entry.segment.name, entry.offset, bytes);
    } catch (error) {
      this.logger.warn({ err: error, id: entry.id }, 'spool: could not copy damaged bytes aside');
    }
    this.logger.error(
      { id: entry.id, segment: entry.segment.name, offset: entry.offset, reason, kept },
      'spool: record damaged on disk; quarantined, it will not be uploaded',
    );
    this.emit({
      type: 'quarantined',
      segment: entry.segment.name,
      offset: entry.offset,
      bytes: entry.bytes,
      reason,
    });
  }

  private maybeDelete(segment: Segment): void {
    if (segment.deleting || segment.active || segment.live > 0 || segment.readers > 0) return;
    segment.deleting = true;
    const deletion = this.deleteSegment(segment).finally(() => this.deletions.delete(deletion));
    this.deletions.add(deletion);
  }

  private async deleteSegment(segment: Segment): Promise<void> {
    try {
      await segment.acks.close({ sync: false });
      await segment.closeReader();
      if (!this.closed && this.recycled.reserve()) {
        const recycled = path.join(this.dir, recycledFileName(segment.seq));
        let kept: string | undefined;
        try {
          await this.fs.rename(segment.path, recycled);
          kept = recycled;
        } finally {
          this.recycled.settle(kept);
        }
      } else {
        await this.fs.unlink(segment.path);
      }
      // The segment's removal must be durable before its acks go (invariant 5).
      await syncDirectory(this.fs, this.dir);
      await this.fs.unlink(segment.acks.path).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
      });
    } catch (error) {
      this.logger.warn(
        { err: error, segment: segment.name },
        'spool: deleting a finished segment failed; the next open deletes it',
      );
    }
    for (const id of segment.ids) {
      if (this.records.get(id)?.segment === segment) this.records.delete(id);
    }
    this.segments.delete(segment.seq);
  }
}

function recycledLimit(options: SpoolOptions): number {
  return options.recycleSegments === true ? RecycledFiles.limitFor(options.segmentMaxBytes) : 0;
}

function objectMetaOf(meta: ObjectMeta): ObjectMeta {
  return {
    key: meta.key,
    size: meta.size,
    contentType: meta.contentType,
    sha256: meta.sha256,
    receivedAt: meta.receivedAt,
  };
}

function eventEmitter(
  onEvent: ((event: SpoolEvent) => void) | undefined,
  logger: Logger,
): (event: SpoolEvent) => void {
  return (event) => {
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch (error) {
      logger.warn({ err: error, event: event.type }, 'spool: event listener threw');
    }
  };
}
