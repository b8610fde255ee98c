import type { Config } from '../core/config.js';
import { FsStore } from './fs.js';
import { S3Store } from './s3.js';
import type { ObjectStore } from './types.js';

export type StoreConfig = Pick<
  Config,
  'store' | 'bucketDir' | 'bucket' | 'region' | 's3Endpoint' | 'storeTimeoutMs'
>;

/** The store a resolved configuration names. Credentials come from the standard AWS chain. */
export function openStore(config: StoreConfig): ObjectStore {
  switch (config.store) {
    case 'fs':
      return new FsStore({ root: config.bucketDir });
    case 's3':
      return new S3Store({
        bucket: config.bucket,
        region: config.region,
        endpoint: config.s3Endpoint,
        timeoutMs: config.storeTimeoutMs,
      });
  }
}
