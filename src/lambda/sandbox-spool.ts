/**
 * The spool of `spool` mode on Lambda, on a file system every sandbox mounts (EFS).
 *
 * A spool folder must have one writer, and sandboxes come and go, so each sandbox spools into a
 * folder of its own, `{spoolDir}/sandboxes/{uuid}`, and touches its `owner` file at the end of
 * every invocation. A sandbox that died leaves its folder behind, and its `owner` file stops
 * getting younger; the sweeper (sweeper.ts), run on a schedule, takes such folders over by
 * renaming them (atomic on EFS) and uploads what they hold. A sandbox that was only frozen for
 * long and finds its folder taken when it thaws simply starts a new one: its extension had
 * drained the old one before the freeze, so nothing in it was its alone.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/ports.js';
import { SpoolCommitter } from '../modes/spool.js';
import type { Committer } from '../modes/types.js';
import { Spool } from '../spool/index.js';
import type { ObjectStore } from '../store/types.js';
import type { LambdaConfig } from './config.js';

export const sandboxesFolder = 'sandboxes';
export const ownerFile = 'owner';

export class SandboxSpool {
  private constructor(
    private current: Spool,
    private folder: string,
    private readonly open: () => Promise<{ spool: Spool; folder: string }>,
    private readonly logger: Logger,
  ) {}

  static async create(
    config: LambdaConfig,
    store: ObjectStore,
    logger: Logger,
  ): Promise<SandboxSpool> {
    const open = async () => {
      const folder = path.join(config.spoolDir, sandboxesFolder, randomUUID());
      await mkdir(folder, { recursive: true });
      await writeFile(
        path.join(folder, ownerFile),
        JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }),
      );
      const spool = await Spool.open({
        dir: folder,
        store,
        spoolMaxBytes: config.shared.spoolMaxBytes,
        memoryMaxBytes: config.shared.memoryMaxBytes,
        segmentMaxBytes: config.shared.segmentMaxBytes,
        uploadConcurrency: config.shared.uploadConcurrency,
        logger,
      });
      return { spool, folder };
    };
    const first = await open();
    return new SandboxSpool(first.spool, first.folder, open, logger);
  }

  get spool(): Spool {
    return this.current;
  }

  /** A Committer that always writes to the spool this sandbox owns now. */
  committer(store: ObjectStore): Committer {
    const now = () => new SpoolCommitter(this.current, store);
    return {
      durability: 'spool',
      commit: (id, meta, body) => now().commit(id, meta, body),
      head: (id, key) => now().head(id, key),
      get: (id, key) => now().get(id, key),
      ready: () => now().ready(),
      close: (drainMs) => now().close(drainMs),
    };
  }

  /** At the start of an invocation: if the sweeper took our folder while we were frozen, move on. */
  async ensureOwned(): Promise<void> {
    if (existsSync(path.join(this.folder, ownerFile))) return;
    this.logger.warn(
      { folder: this.folder },
      'spool folder was taken over by the sweeper; starting a new one',
    );
    await this.current.close({ drainMs: 0 }).catch(() => undefined);
    const next = await this.open();
    this.current = next.spool;
    this.folder = next.folder;
  }

  /** At the end of an invocation: "this sandbox is alive". */
  async heartbeat(): Promise<void> {
    const now = new Date();
    await utimes(path.join(this.folder, ownerFile), now, now).catch(() => undefined);
  }
}
