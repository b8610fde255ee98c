/**
 * The after-response fallback folder holds payloads that could not be uploaded before their
 * deadline, in the fs store's layout (bytes plus `.meta.json`). The sweeper moves them to S3:
 * each object is checked against its recorded SHA-256, put, and only then removed from the
 * folder; a damaged one is left where it is and reported.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/ports.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';

const metaSuffix = '.meta.json';

export async function sweepFallback(
  folder: string,
  store: ObjectStore,
  logger: Logger,
  deadlineMs: number,
): Promise<{ uploaded: number; damaged: number; left: number }> {
  const entries = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  const metaFiles = entries.filter((entry) => entry.endsWith(metaSuffix));
  let uploaded = 0;
  let damaged = 0;
  for (const metaFile of metaFiles) {
    if (Date.now() >= deadlineMs) break;
    const bodyFile = path.join(folder, metaFile.slice(0, -metaSuffix.length));
    const meta = JSON.parse(await readFile(path.join(folder, metaFile), 'utf8')) as ObjectMeta;
    const body = await readFile(bodyFile);
    if (createHash('sha256').update(body).digest('hex') !== meta.sha256) {
      damaged += 1;
      logger.error(
        { key: meta.key, file: bodyFile },
        'fallback object does not match its SHA-256; left in place',
      );
      continue;
    }
    await store.put(meta, body);
    await rm(path.join(folder, metaFile));
    await rm(bodyFile);
    uploaded += 1;
    logger.info({ key: meta.key }, 'fallback object uploaded');
  }
  return { uploaded, damaged, left: metaFiles.length - uploaded };
}
