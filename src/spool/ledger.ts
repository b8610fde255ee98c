/**
 * The ledger: one append-only ack file per segment, `{seq}.ack`, holding the ids of that
 * segment's records the store has confirmed, one per line. It lives and dies with its segment, so
 * it never needs compacting.
 *
 * Acks are written as uploads finish but fsync'ed lazily (only at close): losing the last few in
 * a crash only means those records are uploaded again at the next start, and a re-upload writes
 * the same bytes to the same key (keys derive from ids), so it is harmless. An ack that is
 * written is always true: it is added only after the store confirmed the put.
 */
import { isId } from '../core/ids.js';
import { errorCode, readWholeFile, type SpoolFile, type SpoolFs } from './fs.js';
import type { Logger } from './types.js';

export class AckFile {
  private handle: SpoolFile | undefined;
  private queued: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly fs: SpoolFs,
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  /** Records that `id` is in the store. Batched: ids added while a write runs share the next. */
  add(id: string): void {
    if (this.closed) return;
    this.queued.push(id);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.chain = this.chain.then(() => this.flush());
  }

  /** Resolves once the acks added so far are written (not fsync'ed). */
  flushed(): Promise<void> {
    return this.chain;
  }

  /** Writes what is queued, optionally fsyncs, and closes. Idempotent. */
  async close(options: { sync: boolean }): Promise<void> {
    await this.chain;
    this.closed = true;
    const handle = this.handle;
    this.handle = undefined;
    if (handle === undefined) return;
    try {
      if (options.sync) await handle.sync();
    } catch (error) {
      this.logger.warn({ err: error, file: this.path }, 'spool: fsync of an ack file failed');
    } finally {
      await handle.close().catch(() => {});
    }
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const ids = this.queued;
    this.queued = [];
    if (ids.length === 0 || this.closed) return;
    try {
      this.handle ??= await this.fs.open(this.path, 'a');
      const line = Buffer.from(`${ids.join('\n')}\n`, 'latin1');
      await this.handle.write(line, 0, line.length, null);
    } catch (error) {
      // Not fatal: the records are stored; without the ack they are only uploaded again later.
      this.logger.warn(
        { err: error, file: this.path, ids: ids.length },
        'spool: writing acks failed; those records will be uploaded again after a restart',
      );
    }
  }
}

/** The ids in an ack file; a torn last line (crash mid-write) is simply not an id. */
export async function readAcks(fs: SpoolFs, path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = (await readWholeFile(fs, path)).toString('latin1');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return new Set();
    throw error;
  }
  return new Set(text.split('\n').filter((line) => isId(line)));
}
