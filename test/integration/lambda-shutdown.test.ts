/**
 * after-response on Lambda when the sandbox is shut down while an upload is still in progress,
 * through `quickstow local` (aws-lambda-ric, real processes, SHUTDOWN and SIGTERM with Lambda's
 * grace times) and a real s3rver.
 *
 * When can a payload still be held at shutdown? Not at an idle spindown: an extension calls
 * `next` only once its drain is over, and the drain ends every payload it holds (stored, kept in
 * the fallback, or logged as lost), so a frozen sandbox holds nothing. Nor at a function timeout:
 * the drain gives up at the deadline minus QUICKSTOW_DEADLINE_MARGIN_MS, before it. It happens
 * when the sandbox is shut down in the middle of the invoke phase, while the drain still waits
 * on S3: when `quickstow local` is closed (Ctrl-C; here `local.close()`). (On AWS a busy sandbox
 * is shut down only at a timeout, see above, or a crash.) The upload is made to hang with a link
 * to s3rver that stalls: the put is sent and never answered, and the store and function timeouts
 * are far away, so only the shutdown can end it:
 * - internal extension: the handler's SIGTERM listener drains in the 500 ms Lambda allows;
 * - external extension: it hears SHUTDOWN only at its next `next`, which it does not call while
 *   it uploads, so the runtime, which gets SIGTERM, tells it over the handoff socket; it drains
 *   in the 2 s allowed.
 * With S3 answering again at shutdown the object lands byte-exact; with S3 still stalled it goes
 * to the fallback folder, with the error line that names its id.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  allFrozen,
  assertNoSandboxProcesses,
  noneFrozen,
  waitUntil,
} from '../fixtures/lambda/harness.js';
import { type QuickstowLocal, startQuickstowLocal } from '../support/local.js';
import { readObject, type S3rver, s3rverAndTempDirForSuite } from '../support/s3rver.js';
import type { TempDir } from '../support/temp.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Far beyond the test: neither the store's timeout nor the function's ends the stalled put. */
const farMs = 60_000;

interface StallableLink {
  endpoint: string;
  /** Connections accepted while stalled and left unanswered, still open. */
  readonly stalledConnections: number;
  /** From now on new connections stall; the open ones are cut, so none can be reused. */
  stall(): void;
  /** New connections reach s3rver again; the stalled ones stay stalled. */
  pass(): void;
  close(): Promise<void>;
}

/** A TCP link to s3rver standing for a slow S3: a stalled put is sent and never answered. */
async function startStallableLink(targetPort: number): Promise<StallableLink> {
  const open = new Set<net.Socket>();
  const stalled = new Set<net.Socket>();
  let stalling = false;
  const server = net.createServer((client) => {
    client.on('error', () => client.destroy());
    client.once('close', () => {
      open.delete(client);
      stalled.delete(client);
    });
    if (stalling) {
      stalled.add(client);
      client.resume(); // take the request, answer nothing
      return;
    }
    open.add(client);
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get stalledConnections() {
      return stalled.size;
    },
    stall() {
      stalling = true;
      for (const socket of open) socket.destroy();
    },
    pass() {
      stalling = false;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of [...open, ...stalled]) socket.destroy();
      await closed;
    },
  };
}

describe('after-response: a shutdown while an upload is in progress', () => {
  let s3: S3rver;
  let temp: TempDir;
  s3rverAndTempDirForSuite((started) => {
    ({ s3, temp } = started);
  });

  for (const extension of ['internal', 'external'] as const) {
    for (const s3AtShutdown of ['answering', 'still stalled'] as const) {
      const expected = s3AtShutdown === 'answering' ? 'stores it' : 'keeps it in the fallback';
      it(`${extension} extension, S3 ${s3AtShutdown} at shutdown: ${expected}`, async () => {
        const link = await startStallableLink(s3.port);
        const fallbackDir = path.join(temp.dir, `fallback-${randomBytes(4).toString('hex')}`);
        const body = randomBytes(300_000);
        let receipt: { id: string; key: string } | undefined;
        let local: QuickstowLocal | undefined;
        try {
          const running = await startQuickstowLocal({
            s3,
            dataDir: temp.dir,
            mode: 'after-response',
            extension,
            concurrency: 1,
            timeoutMs: farMs,
            env: {
              QUICKSTOW_S3_ENDPOINT: link.endpoint,
              QUICKSTOW_STORE_TIMEOUT_MS: String(farMs),
              QUICKSTOW_FALLBACK_DIR: fallbackDir,
            },
          });
          local = running;
          // A first invoke initialises the sandbox while S3 answers (init opens its connection);
          // the next is sent once it is frozen, free again (concurrency 1: no throttle).
          assert.equal((await fetch(`${running.url}/healthz`)).status, 200);
          await waitUntil(() => allFrozen(running.functionName), 10_000, 'the freeze');
          link.stall();
          const response = await fetch(`${running.url}/payloads`, { method: 'POST', body });
          const answer = await response.text();
          assert.equal(response.status, 202, `${answer}\n${running.logs.join('\n')}`);
          receipt = JSON.parse(answer) as { id: string; key: string };
          await waitUntil(() => link.stalledConnections > 0, 10_000, 'the upload to be sent');
          assert.ok(await noneFrozen(running.functionName), 'the drain keeps the sandbox running');
          if (s3AtShutdown === 'answering') link.pass();
        } finally {
          await local?.close();
          await link.close();
        }
        await assertNoSandboxProcesses(local.functionName);
        const logs = local.logs.join('\n');
        if (s3AtShutdown === 'answering') {
          const stored = await readObject(s3, receipt.key);
          assert.ok(stored, `not stored at shutdown:\n${logs}`);
          assert.equal(sha256(stored), sha256(body));
          assert.doesNotMatch(logs, /PAYLOAD LOST|kept in the fallback store/);
        } else {
          const kept = await readFile(path.join(fallbackDir, receipt.key)).catch(() => undefined);
          assert.ok(kept, `not in the fallback folder at shutdown:\n${logs}`);
          assert.equal(sha256(kept), sha256(body));
          const logged = local.logs.find((line) => line.includes('kept in the fallback store'));
          assert.ok(logged, 'an error line about the fallback');
          assert.match(logged, new RegExp(receipt.id));
          assert.match(logged, /"level":"ERROR"/);
          assert.equal(await readObject(s3, receipt.key), undefined);
        }
      });
    }
  }
});
