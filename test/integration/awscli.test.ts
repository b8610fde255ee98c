/**
 * A second S3 client nobody here wrote reads what S3Store stored (and writes what it reads):
 * the AWS CLI from Debian's `awscli` package, talking to a real s3rver. This is a hard
 * requirement of the suite: without the CLI the test fails, it does not skip.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { S3Store } from '../../src/store/s3.js';
import { type S3rver, s3rverRegion, startS3rver } from '../support/s3rver.js';
import { metaFor } from '../support/store-conformance.js';

const run = promisify(execFile);

/** Debian's package installs /usr/bin/aws; PATH may hold another one first (pyenv, pip). */
const awsCli = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

describe('the AWS CLI and S3Store agree on objects in s3rver', () => {
  let s3rver: S3rver;
  let store: S3Store;
  let workDir: string;

  async function aws(...args: string[]): Promise<string> {
    const env = {
      PATH: process.env.PATH,
      HOME: workDir,
      AWS_ACCESS_KEY_ID: s3rver.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3rver.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: s3rverRegion,
      // Nothing from this machine's own AWS setup may change what the CLI does.
      AWS_CONFIG_FILE: path.join(workDir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    };
    const { stdout } = await run(
      awsCli,
      ['--endpoint-url', s3rver.endpoint, '--output', 'json', ...args],
      { env, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
    );
    return stdout;
  }

  before(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'quickstow-awscli-'));
    s3rver = await startS3rver();
    store = new S3Store({
      bucket: s3rver.bucket,
      endpoint: s3rver.endpoint,
      credentials: s3rver.credentials,
      timeoutMs: 10_000,
    });
  });
  after(async () => {
    await store?.close();
    await s3rver?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('the CLI is installed (apt-get install awscli)', async (t) => {
    const { stdout, stderr } = await run(awsCli, ['--version']).catch((error: unknown) => {
      throw new Error(`${awsCli} cannot run; install Debian's awscli package`, { cause: error });
    });
    t.diagnostic(`${awsCli}: ${(stdout || stderr).trim()}`);
  });

  for (const [label, size, contentType] of [
    ['1 MiB of random binary', 1024 * 1024 + 3, 'image/webp'],
    ['an empty body', 0, 'text/plain; charset=utf-8'],
  ] as const) {
    it(`reads back ${label} byte for byte, with its type and metadata`, async () => {
      const body = randomBytes(size);
      const meta = metaFor(body, contentType);
      await store.put(meta, body);

      const head = JSON.parse(
        await aws('s3api', 'head-object', '--bucket', s3rver.bucket, '--key', meta.key),
      );
      assert.equal(head.ContentType, contentType);
      assert.equal(head.ContentLength, size);
      assert.deepEqual(head.Metadata, { sha256: meta.sha256, 'received-at': meta.receivedAt });

      const outfile = path.join(workDir, 'object.out');
      const get = JSON.parse(
        await aws('s3api', 'get-object', '--bucket', s3rver.bucket, '--key', meta.key, outfile),
      );
      assert.equal(get.ContentType, contentType);
      const read = await readFile(outfile);
      assert.equal(read.length, size);
      assert.ok(read.equals(body), 'the CLI read different bytes');
    });
  }

  it('reads an object the CLI put, and works out its sha256 without quickstow metadata', async () => {
    const body = randomBytes(200_000);
    const { key, sha256 } = metaFor(body);
    const infile = path.join(workDir, 'object.in');
    await writeFile(infile, body);
    await aws(
      ...['s3api', 'put-object', '--bucket', s3rver.bucket, '--key', key],
      ...['--body', infile, '--content-type', 'application/x-from-awscli'],
    );

    const stored = await store.get(key);
    assert.ok(stored);
    assert.ok(stored.body.equals(body), 'S3Store read different bytes');
    assert.equal(stored.meta.contentType, 'application/x-from-awscli');
    assert.equal(stored.meta.size, body.length);
    assert.equal(stored.meta.sha256, sha256);
    assert.ok(!Number.isNaN(Date.parse(stored.meta.receivedAt)), 'receivedAt is a date');
  });
});
