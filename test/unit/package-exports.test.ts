/** The package's subpath exports resolve (to the built dist/) and expose what they promise. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

describe('package exports', () => {
  it('serves each entry point through its subpath', async () => {
    assert.equal(typeof (await import('quickstow')).startServer, 'function');
    assert.equal(typeof (await import('quickstow/core')).ingestBody, 'function');
    assert.equal(typeof (await import('quickstow/http')).createApp, 'function');
    assert.equal(typeof (await import('quickstow/server')).startServer, 'function');
    assert.equal(typeof (await import('quickstow/store/fs')).FsStore, 'function');
    assert.equal(typeof (await import('quickstow/store/s3')).S3Store, 'function');
  });

  it('keeps the core free of servers and SDKs', async () => {
    const core = await import('quickstow/core');
    assert.ok(!('startServer' in core));
    assert.ok(!('S3Store' in core));
  });
});
