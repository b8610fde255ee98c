/**
 * A store outage, end to end: `quickstow serve --mode spool --store s3` as a child process in
 * front of a real s3rver that goes down. Acknowledgements continue until the spool cap, then 503
 * with Retry-After and nothing acknowledged; SIGTERM leaves the rest in the spool; once the store
 * is back, everything acknowledged arrives byte-exact and the server accepts again.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServeProcess, spawnServe } from '../support/cli.js';
import { readObject, type S3rver, s3rverCredentials, startS3rver } from '../support/s3rver.js';
import { tempDir } from '../support/temp.js';

const MiB = 1024 * 1024;

describe('spool: store outage', () => {
  let s3: S3rver;
  let temp: Awaited<ReturnType<typeof tempDir>>;
  const servers: ServeProcess[] = [];
  before(async () => {
    s3 = await startS3rver();
    temp = await tempDir();
  });
  after(async () => {
    for (const server of servers) await server.stop('SIGKILL');
    await s3.stop();
    await temp.remove();
  });

  const serve = async () => {
    const server = await spawnServe(
      [
        '--mode',
        'spool',
        '--store',
        's3',
        '--bucket',
        s3.bucket,
        '--s3-endpoint',
        s3.endpoint,
        '--region',
        'us-east-1',
        '--data-dir',
        temp.dir,
        '--spool-max-bytes',
        '6MiB',
        '--shutdown-drain-ms',
        '500',
        '--store-timeout-ms',
        '2000',
        '--log-level',
        'warn',
      ],
      {
        AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
      },
    );
    servers.push(server);
    return server;
  };

  it('acks up to the cap, then 503, and delivers every acked payload once the store is back', async () => {
    let server = await serve();
    await s3.down();
    const acked: Array<{ key: string; sha256: string }> = [];
    let refusal: Response | undefined;
    for (let i = 0; i < 20 && refusal === undefined; i += 1) {
      const body = randomBytes(MiB);
      const response = await fetch(`${server.url}/payloads`, { method: 'POST', body });
      if (response.status === 202) {
        const receipt = (await response.json()) as { key: string };
        acked.push({ key: receipt.key, sha256: createHash('sha256').update(body).digest('hex') });
      } else {
        refusal = response;
      }
    }
    assert.ok(refusal, 'the spool never refused');
    assert.equal(refusal.status, 503);
    assert.ok(Number(refusal.headers.get('retry-after')) > 0);
    assert.equal(((await refusal.json()) as { code: string }).code, 'spool-full');
    assert.ok(acked.length >= 4 && acked.length <= 6, `${acked.length} acked before the cap`);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503, 'readyz should fail while the store is down');
    await ready.body?.cancel();

    const stopping = Date.now();
    assert.equal(await server.stop('SIGTERM'), 0);
    assert.ok(Date.now() - stopping < 5000, 'shutdown should be bounded by the drain time');

    await s3.up();
    server = await serve();
    for (const payload of acked) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const bytes = await readObject(s3, payload.key);
        if (bytes !== undefined) {
          assert.equal(createHash('sha256').update(bytes).digest('hex'), payload.sha256);
          break;
        }
        assert.ok(Date.now() < deadline, `${payload.key} never arrived`);
        await sleep(100);
      }
    }
    const again = await fetch(`${server.url}/payloads`, { method: 'POST', body: randomBytes(MiB) });
    assert.equal(again.status, 202);
    await again.body?.cancel();
    assert.equal(await server.stop('SIGTERM'), 0);
  });
});
