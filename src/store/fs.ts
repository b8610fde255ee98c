/**
 * A folder as an object store. Each object is two files: the bytes at `{root}/{key}` and its
 * metadata at `{root}/{key}.meta.json`. Both are written to temp files, fsync'ed, renamed into
 * place (bytes first, metadata last) and the folder fsync'ed, so after a crash an object is
 * either whole or absent: the metadata file exists only once the bytes it describes do.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { QuickstowError } from '../core/errors.js';
import type { ObjectMeta, ObjectStore, StoredObject } from './types.js';

export interface FsStoreOptions {
  root: string;
}

const metaSuffix = '.meta.json';

export class FsStore implements ObjectStore {
  readonly kind = 'fs';
  readonly root: string;

  constructor(options: FsStoreOptions) {
    this.root = path.resolve(options.root);
  }

  async put(meta: ObjectMeta, body: Buffer): Promise<void> {
    const file = this.pathOf(meta.key);
    const dir = path.dirname(file);
    try {
      await mkdir(dir, { recursive: true });
      const tag = randomBytes(6).toString('hex');
      const bodyTemp = `${file}.${tag}.tmp`;
      const metaTemp = `${file}${metaSuffix}.${tag}.tmp`;
      try {
        await writeSynced(bodyTemp, body);
        await writeSynced(metaTemp, Buffer.from(JSON.stringify(meta)));
        await rename(bodyTemp, file);
        await rename(metaTemp, file + metaSuffix);
      } finally {
        await rm(bodyTemp, { force: true });
        await rm(metaTemp, { force: true });
      }
      await syncDirectory(dir);
    } catch (error) {
      throw storeError(error, `writing ${meta.key}`);
    }
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    try {
      return JSON.parse(await readFile(this.pathOf(key) + metaSuffix, 'utf8')) as ObjectMeta;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw storeError(error, `reading ${key}`);
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const meta = await this.head(key);
    if (meta === undefined) return undefined;
    try {
      return { meta, body: await readFile(this.pathOf(key)) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw storeError(error, `reading ${key}`);
    }
  }

  async ping(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await stat(this.root);
    } catch (error) {
      throw storeError(error, 'opening the bucket folder');
    }
  }

  async close(): Promise<void> {}

  private pathOf(key: string): string {
    const file = path.resolve(this.root, key);
    if (!file.startsWith(this.root + path.sep)) {
      throw new QuickstowError('bad-request', 400, `Key escapes the bucket folder: ${key}`);
    }
    return file;
  }
}

async function writeSynced(file: string, data: Buffer): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A full disk is worth retrying later (503); anything else is a store failure (500). */
function storeError(error: unknown, doing: string): QuickstowError {
  if (error instanceof QuickstowError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new QuickstowError('store-unavailable', 503, `The bucket folder is full (${code})`, {
      cause: error,
      headers: { 'retry-after': '5' },
    });
  }
  return new QuickstowError('store-failed', 500, `The folder store failed ${doing}`, {
    cause: error,
  });
}
