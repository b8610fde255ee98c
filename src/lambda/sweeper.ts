/**
 * The sweeper of `spool` mode on Lambda: run on a schedule, it uploads what sandboxes that died
 * left in their spool folders (see sandbox-spool.ts). A folder whose `owner` file has not been
 * touched for `staleAfterMs` (longer than any invocation can last) is taken over by renaming it
 * into `{spoolDir}/sweeping/`, so that no sandbox writes to it any more; then the spool's own
 * recovery runs on it (CRC checks, torn tails, quarantine) and its uploader drains it. A folder
 * with nothing left is removed; one the sweeper could not finish stays in `sweeping/` and is
 * resumed by the next run.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/ports.js';
import { Spool } from '../spool/index.js';
import type { ObjectStore } from '../store/types.js';
import { ownerFile, sandboxesFolder } from './sandbox-spool.js';

export const sweepingFolder = 'sweeping';
export const quarantinedFolder = 'quarantined';

export interface SweepOptions {
  spoolDir: string;
  store: ObjectStore;
  logger: Logger;
  /** A sandbox folder untouched for this long belongs to a dead sandbox (default 20 min). */
  staleAfterMs?: number;
  /** Stop by then (epoch ms), leaving the rest for the next run. */
  deadlineMs: number;
  segmentMaxBytes: number;
  uploadConcurrency: number;
  now?: () => number;
}

export interface SweepResult {
  takenOver: string[];
  finished: string[];
  unfinished: string[];
  uploaded: number;
}

export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const now = options.now ?? Date.now;
  const staleAfterMs = options.staleAfterMs ?? 20 * 60 * 1000;
  const sandboxes = path.join(options.spoolDir, sandboxesFolder);
  const sweeping = path.join(options.spoolDir, sweepingFolder);
  const result: SweepResult = { takenOver: [], finished: [], unfinished: [], uploaded: 0 };
  await mkdir(sweeping, { recursive: true });

  for (const name of await list(sandboxes)) {
    const folder = path.join(sandboxes, name);
    const touched = await stat(path.join(folder, ownerFile)).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (now() - touched < staleAfterMs) continue;
    await rename(folder, path.join(sweeping, name)).then(
      () => result.takenOver.push(name),
      (error: unknown) =>
        options.logger.warn({ folder, err: error }, 'sweeper: could not take over a folder'),
    );
  }

  for (const name of await list(sweeping)) {
    const folder = path.join(sweeping, name);
    const spool = await Spool.open({
      dir: folder,
      store: options.store,
      spoolMaxBytes: Number.MAX_SAFE_INTEGER,
      memoryMaxBytes: 256 * 1024 * 1024,
      segmentMaxBytes: options.segmentMaxBytes,
      uploadConcurrency: options.uploadConcurrency,
      logger: options.logger,
    });
    const before = spool.stats().pendingRecords;
    const remaining = Math.max(0, options.deadlineMs - now());
    const finished = await Promise.race([
      spool.drained().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), remaining)),
    ]);
    const { pendingRecords: left, quarantined } = spool.stats();
    await spool.close({ drainMs: 0 });
    result.uploaded += before - left;
    if (finished && left === 0) {
      // Damaged records are evidence: keep them where a person will look, never delete them.
      if (quarantined > 0) await keepQuarantined(options.spoolDir, folder, name);
      else await rm(folder, { recursive: true, force: true });
      result.finished.push(name);
    } else {
      result.unfinished.push(name);
    }
    options.logger.info({ folder, uploaded: before - left, left }, 'sweeper: folder swept');
  }
  return result;
}

async function keepQuarantined(spoolDir: string, folder: string, name: string): Promise<void> {
  const kept = path.join(spoolDir, quarantinedFolder);
  await mkdir(kept, { recursive: true });
  await rename(folder, path.join(kept, name));
}

async function list(folder: string): Promise<string[]> {
  return readdir(folder).catch(() => []);
}
