/**
 * The handoff from the handler to the external extension, over its Unix socket, survives a
 * freeze longer than the extension's HTTP keep-alive timeout. The handler used to keep its
 * connection to the extension alive; the extension's server closes a connection idle for 5 s
 * (Node's keepAliveTimeout), and in a sandbox frozen longer than that the server's timer fires
 * the moment the sandbox thaws, while the handler writes its next payload to that same
 * connection: EPIPE, and a 500 for the payload. Now every handoff opens its own connection.
 *
 * Through `quickstow local` (a real SIGSTOP freeze) and a real s3rver, two checks:
 * - the cause, deterministically: while a sandbox is frozen, its extension's server holds no
 *   connection from the handler (accepted Unix sockets, as /proc/net/unix lists them);
 * - the symptom: several sandboxes take a payload each, stay frozen past the keep-alive timeout,
 *   and take another; every payload is acknowledged and lands byte-exact. (Whether the handler
 *   sees the closed connection before it writes is a race at the thaw, which the old code lost
 *   about every other time; each sandbox is one more chance to lose it.)
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { allFrozen, assertNoSandboxProcesses, waitUntil } from '../fixtures/lambda/harness.js';
import { startQuickstowLocal } from '../support/local.js';
import { readObject, type S3rver, s3rverAndTempDirForSuite } from '../support/s3rver.js';
import type { TempDir } from '../support/temp.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The idle timeout of a Node HTTP server left at its default, as the handoff server is. */
const serverKeepAliveMs = new http.Server().keepAliveTimeout;
const sandboxes = 3;

/** How many connections the servers on these Unix socket paths have accepted and keep open. */
async function acceptedConnections(socketPaths: string[]): Promise<number> {
  const table = await readFile('/proc/net/unix', 'utf8');
  // Num RefCount Protocol Flags Type St Inode Path; St 03 is connected, and an accepted
  // socket carries its listener's path.
  return table.split('\n').filter((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[5] === '03' && socketPaths.includes(fields[7] ?? '');
  }).length;
}

describe('the handoff to the external extension', () => {
  let s3: S3rver;
  let temp: TempDir;
  s3rverAndTempDirForSuite((started) => {
    ({ s3, temp } = started);
  });

  it('survives a freeze longer than the extension server keeps an idle connection', async () => {
    const local = await startQuickstowLocal({
      s3,
      dataDir: temp.dir,
      mode: 'after-response',
      extension: 'external',
      concurrency: sandboxes,
    });
    /** One payload to each sandbox at once; resolves once all are frozen again. */
    const round = async () => {
      const sent = await Promise.all(
        Array.from({ length: sandboxes }, async () => {
          const body = randomBytes(100_000);
          const response = await fetch(`${local.url}/payloads`, { method: 'POST', body });
          const answer = await response.text();
          assert.equal(response.status, 202, `${answer}\n${local.logs.join('\n')}`);
          return { body, key: (JSON.parse(answer) as { key: string }).key };
        }),
      );
      await waitUntil(() => allFrozen(local.functionName), 15_000, 'the freeze');
      return sent;
    };
    try {
      const first = await round();
      assert.equal(local.pool.stats().sandboxes, sandboxes, 'one payload per sandbox');
      const socketPaths = local.logs.flatMap(
        (line) => /quickstow extension ready.*"socket":"([^"]+)"/.exec(line)?.[1] ?? [],
      );
      assert.equal(socketPaths.length, sandboxes);
      assert.equal(await acceptedConnections(socketPaths), 0, 'a connection kept into the freeze');
      await sleep(serverKeepAliveMs + 1_000);
      assert.ok(await allFrozen(local.functionName), 'frozen all along');
      const second = await round();

      // The same sandboxes, thawed, took the second payloads: no new one started.
      const coldStarts = local.logs.filter((line) =>
        /^POST \/payloads .*\(cold start\)/.test(line),
      );
      assert.equal(coldStarts.length, sandboxes);
      assert.equal(local.pool.stats().sandboxes, sandboxes);
      for (const { body, key } of [...first, ...second]) {
        assert.equal(sha256((await readObject(s3, key)) ?? Buffer.alloc(0)), sha256(body));
      }
    } finally {
      await local.close();
    }
    await assertNoSandboxProcesses(local.functionName);
  });
});
