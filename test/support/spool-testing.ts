/**
 * Test doubles for the spool's two seams, kept beside the code so HTTP and server tests can use
 * them too: a filesystem that records the order of operations and fails on demand, and an object
 * store that can be taken down, brought back or held.
 */
import { createHash } from 'node:crypto';
import { QuickstowError } from '../../src/core/errors.js';
import { newId } from '../../src/core/ids.js';
import { keyOf } from '../../src/core/keys.js';
import { nodeFs, type OpenFlags, type SpoolFile, type SpoolFs } from '../../src/spool/fs.js';
import type { ObjectMeta, ObjectStore, StoredObject } from '../../src/store/types.js';

export type FsOp = 'open' | 'write' | 'sync' | 'truncate' | 'read' | 'unlink' | 'rename';

export interface FsEvent {
  op: FsOp;
  path: string;
  /** 'start' before the real call, 'done' after it returned, 'fail' if it (or a fault) threw. */
  phase: 'start' | 'done' | 'fail';
  /** For writes: a copy of the bytes. */
  bytes?: Buffer;
}

interface Fault {
  op: FsOp;
  matches: (path: string) => boolean;
  code: string;
  remaining: number;
  /** For writes: how many bytes really reach the file before the failure (a torn write). */
  partialBytes: number;
}

/** Wraps a SpoolFs (node:fs/promises by default), logging every operation, failing on demand. */
export class FaultyFs implements SpoolFs {
  readonly events: FsEvent[] = [];
  /** Extra latency before each call of an op, e.g. a slow fsync to widen the group-commit window. */
  readonly delayMs: Partial<Record<FsOp, number>> = {};
  private faults: Fault[] = [];

  constructor(private readonly base: SpoolFs = nodeFs) {}

  /**
   * The next `times` calls of `op` on a path containing `pathIncludes` throw an error with
   * `code`. A failing write can first write `partialBytes` for real, as a full disk does.
   */
  failNext(
    op: FsOp,
    code: string,
    options: { pathIncludes?: string; times?: number; partialBytes?: number } = {},
  ): void {
    const needle = options.pathIncludes ?? '';
    this.faults.push({
      op,
      code,
      matches: (path) => path.includes(needle),
      remaining: options.times ?? 1,
      partialBytes: options.partialBytes ?? 0,
    });
  }

  /** How many `op` calls completed (or failed) on paths containing `pathIncludes`. */
  count(op: FsOp, pathIncludes = ''): number {
    return this.events.filter(
      (event) => event.op === op && event.phase !== 'start' && event.path.includes(pathIncludes),
    ).length;
  }

  async open(path: string, flags: OpenFlags): Promise<SpoolFile> {
    const file = await this.run('open', path, () => this.base.open(path, flags));
    return this.wrap(path, file);
  }

  readdir(path: string): Promise<string[]> {
    return this.base.readdir(path);
  }

  mkdir(path: string): Promise<void> {
    return this.base.mkdir(path);
  }

  unlink(path: string): Promise<void> {
    return this.run('unlink', path, () => this.base.unlink(path));
  }

  rename(from: string, to: string): Promise<void> {
    return this.run('rename', from, () => this.base.rename(from, to));
  }

  accessWritable(path: string): Promise<void> {
    return this.base.accessWritable(path);
  }

  private wrap(path: string, file: SpoolFile): SpoolFile {
    return {
      write: (buffer, offset, length, position) => {
        const bytes = Buffer.from(buffer.subarray(offset, offset + length));
        return this.run(
          'write',
          path,
          () => file.write(buffer, offset, length, position),
          bytes,
          async (fault) => {
            const partial = Math.min(fault.partialBytes, length);
            if (partial > 0) await file.write(buffer, offset, partial, position);
          },
        );
      },
      read: (buffer, offset, length, position) =>
        this.run('read', path, () => file.read(buffer, offset, length, position)),
      sync: () => this.run('sync', path, () => file.sync()),
      truncate: (length) => this.run('truncate', path, () => file.truncate(length)),
      stat: () => file.stat(),
      close: () => file.close(),
    };
  }

  private async run<T>(
    op: FsOp,
    path: string,
    call: () => Promise<T>,
    bytes?: Buffer,
    beforeFailing?: (fault: Fault) => Promise<void>,
  ): Promise<T> {
    this.events.push({ op, path, phase: 'start' });
    const delay = this.delayMs[op];
    if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
    const fault = this.faults.find((candidate) => candidate.op === op && candidate.matches(path));
    if (fault !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((other) => other !== fault);
      await beforeFailing?.(fault);
      this.events.push({ op, path, phase: 'fail' });
      throw Object.assign(new Error(`${fault.code}: injected ${op} failure, ${path}`), {
        code: fault.code,
      });
    }
    try {
      const result = await call();
      this.events.push(
        bytes === undefined ? { op, path, phase: 'done' } : { op, path, phase: 'done', bytes },
      );
      return result;
    } catch (error) {
      this.events.push({ op, path, phase: 'fail' });
      throw error;
    }
  }
}

/**
 * An ObjectStore in front of a real one that can be taken down (puts fail with
 * store-unavailable, as S3 does in an outage) or held (puts wait until released).
 */
export class ControllableStore implements ObjectStore {
  readonly kind: 'fs' | 's3';
  down = false;
  /** Every put attempt, in order, with whether it reached the inner store. */
  readonly attempts: Array<{ key: string; ok: boolean }> = [];
  private held: Array<() => void> | undefined;

  constructor(private readonly inner: ObjectStore) {
    this.kind = inner.kind;
  }

  /** Puts wait from now on until release(). */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const go of waiting) go();
  }

  async put(meta: ObjectMeta, body: Buffer): Promise<void> {
    const held = this.held;
    if (held !== undefined) await new Promise<void>((resolve) => held.push(resolve));
    if (this.down) {
      this.attempts.push({ key: meta.key, ok: false });
      throw new QuickstowError('store-unavailable', 503, 'The test store is down');
    }
    await this.inner.put(meta, body);
    this.attempts.push({ key: meta.key, ok: true });
  }

  get(key: string): Promise<StoredObject | undefined> {
    return this.inner.get(key);
  }

  head(key: string): Promise<ObjectMeta | undefined> {
    return this.inner.head(key);
  }

  ping(): Promise<void> {
    return this.down
      ? Promise.reject(new QuickstowError('store-unavailable', 503, 'The test store is down'))
      : this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A payload as the HTTP layer would hand it to the spool: a fresh id, its key, its digest. */
export function samplePayload(
  body: Buffer | string,
  options: { contentType?: string; nowMs?: number; keyPrefix?: string } = {},
): { id: string; meta: ObjectMeta; body: Buffer } {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const nowMs = options.nowMs ?? Date.now();
  const id = newId(nowMs);
  return {
    id,
    body: bytes,
    meta: {
      key: keyOf(options.keyPrefix ?? 'payloads/', id),
      size: bytes.length,
      contentType: options.contentType ?? 'application/octet-stream',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      receivedAt: new Date(nowMs).toISOString(),
    },
  };
}
