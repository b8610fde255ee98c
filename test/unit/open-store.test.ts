import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/core/config.js';
import { FsStore } from '../../src/store/fs.js';
import { openStore } from '../../src/store/open.js';
import { S3Store } from '../../src/store/s3.js';

describe('openStore', () => {
  it('opens the folder store at bucketDir by default', async () => {
    const store = openStore(resolveConfig({ dataDir: '/tmp/quickstow-open-store-test' }));
    assert.ok(store instanceof FsStore);
    assert.equal(store.root, '/tmp/quickstow-open-store-test/bucket');
    await store.close();
  });

  it('opens S3 with the configured bucket', async () => {
    const store = openStore(
      resolveConfig({ store: 's3', bucket: 'b1', s3Endpoint: 'http://127.0.0.1:9', region: '' }),
    );
    assert.ok(store instanceof S3Store);
    assert.equal(store.kind, 's3');
    assert.equal(store.bucket, 'b1');
    await store.close();
  });
});
