/**
 * The problem quickstow exists for, reproduced with real processes, the real AWS runtime client
 * and a real freeze: an upload a handler leaves pending is frozen with the sandbox, and an
 * extension that holds `next` until the upload ends gets it stored before the freeze.
 *
 * S3 is s3rver behind a link that delays each direction by 50 ms (a remote S3; a little more
 * than the 20 ms of the same region, for margin on a loaded machine), and the fixtures' S3 client
 * sends `Expect: 100-continue` (the SDK's default from 2 MB): the body leaves only once S3's
 * "100 Continue" comes back, a round trip after the request. Without that, on loopback, the
 * kernel swallows a whole 1 MB body into socket buffers (up to 4 MB here) within a millisecond
 * of the handler returning, before the freeze lands, and s3rver stores it while the sandbox is
 * frozen — which a real network, whose TCP window holds a few tens of KB, never lets happen.
 *
 * s3rver creates an empty object as soon as a PUT's headers arrive; "stored" below means the
 * whole body is there, byte for byte.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type DelayProxy, startDelayProxy } from '../../src/bench/delay-proxy.js';
import { startLambdaPool } from '../../src/local/lambda/index.js';
import {
  allFrozen,
  assertNoSandboxProcesses,
  eventOf,
  fixture,
  LogCollector,
  payloadOf,
  uniqueFunctionName,
  waitUntil,
} from '../fixtures/lambda/harness.js';
import { type S3rver, startS3rver } from '../support/s3rver.js';

const oneMiB = 1024 * 1024;
const linkDelayMs = 50;

describe('the freeze, with aws-lambda-ric and s3rver', () => {
  let s3: S3rver;
  let link: DelayProxy;
  let s3Env: Record<string, string>;

  before(async () => {
    s3 = await startS3rver();
    link = await startDelayProxy({
      targetHost: '127.0.0.1',
      targetPort: s3.port,
      delayMs: linkDelayMs,
    });
    s3Env = { S3_ENDPOINT: `http://127.0.0.1:${link.port}`, S3_BUCKET: s3.bucket };
  });
  after(async () => {
    await link?.close();
    await s3?.stop();
  });

  /** Is the whole body there (the fixtures upload `bytes` bytes of `fill`)? */
  async function isStored(key: string, fill: number): Promise<boolean> {
    try {
      const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      const body = Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()));
      const expected = createHash('sha256').update(Buffer.alloc(oneMiB, fill)).digest('hex');
      return createHash('sha256').update(body).digest('hex') === expected;
    } catch {
      return false;
    }
  }

  it('freezes an upload the handler left pending; only the next invoke lets it finish', async () => {
    const functionName = uniqueFunctionName('freeze');
    const logs = new LogCollector();
    const pool = await startLambdaPool(
      { codeDir: fixture('fire-and-forget'), functionName, env: s3Env },
      { onLog: logs.sink },
    );
    try {
      const first = await pool.invoke(eventOf({ key: 'frozen-1' }));
      assert.deepEqual(payloadOf(first.outcome), {
        started: 'frozen-1',
        at: (payloadOf(first.outcome) as { at: number }).at,
      });
      await first.invokePhase;
      assert.ok(await allFrozen(functionName), 'the sandbox is frozen once the runtime is on next');

      // For a while: still frozen (every process stopped), and the object is not stored.
      const watchUntil = Date.now() + 1500;
      while (Date.now() < watchUntil) {
        assert.equal(await isStored('frozen-1', 7), false, 'stored while the sandbox is frozen');
        assert.ok(await allFrozen(functionName), 'the sandbox stays frozen between invokes');
        await sleep(250);
      }
      assert.ok(!logs.messages('runtime').some((m) => m.includes('stored frozen-1')));

      // The next invoke thaws the sandbox: the frozen upload resumes and completes.
      const second = await pool.invoke(eventOf({ key: 'frozen-2' }));
      assert.equal(second.outcome.kind, 'response');
      assert.equal(second.coldStart, false);
      // (Its completion callback may well run only at a later thaw: S3's answer comes back a
      // round trip after the body, by which time the sandbox is frozen again.)
      await waitUntil(() => isStored('frozen-1', 7), 10_000, 'the first upload after the thaw');
    } finally {
      await pool.close();
    }
    await assertNoSandboxProcesses(functionName);
  });

  it('lets an internal extension hold the sandbox until the upload is stored, then freezes', async () => {
    const functionName = uniqueFunctionName('internal');
    const logs = new LogCollector();
    const pool = await startLambdaPool(
      { codeDir: fixture('internal-extension'), functionName, env: s3Env, timeoutMs: 10_000 },
      { onLog: logs.sink },
    );
    try {
      const result = await pool.invoke(eventOf({ key: 'drained-1' }));
      const payload = payloadOf(result.outcome) as Record<string, unknown>;
      assert.equal(payload.registered, 200);
      // An internal extension may not subscribe to SHUTDOWN.
      assert.deepEqual(payload.shutdownRefusal, {
        status: 403,
        errorType: 'Extension.InvalidEventType',
        errorMessage: 'SHUTDOWN: internal extensions cannot subscribe to SHUTDOWN',
      });
      // The answer did not wait for the upload: it needs at least a round trip to S3.
      assert.equal(await isStored('drained-1', 9), false, 'stored before the answer');
      assert.ok(
        logs.messages('platform').some((m) => /EXTENSION Name: uploads-drainer .*Internal/.test(m)),
      );

      const phase = await result.invokePhase;
      assert.ok(phase);
      // The phase ended (and the sandbox froze) only once the upload was stored.
      assert.ok(await allFrozen(functionName));
      assert.equal(await isStored('drained-1', 9), true, 'stored before the freeze');
      assert.ok(logs.messages('runtime').some((m) => m.includes('stored drained-1')));
      assert.ok(
        phase.postRuntimeExtensionsDurationMs >= 2 * linkDelayMs,
        `post-runtime ${phase.postRuntimeExtensionsDurationMs} ms covers the upload`,
      );
      assert.match(phase.line, /\tPost Runtime Extensions Duration: \d+\.\d\d ms/);
      assert.deepEqual(
        logs.reports().find((r) => r.requestId === result.requestId)
          ?.postRuntimeExtensionsDurationMs,
        Number(phase.postRuntimeExtensionsDurationMs.toFixed(2)),
      );
    } finally {
      await pool.close();
    }
    await assertNoSandboxProcesses(functionName);
  });
});
