/**
 * An external extension (an executable of the extensions folder, started before the runtime)
 * working after the runtime answered: the caller is not kept waiting, the sandbox keeps running
 * until the extension calls `next`, and the REPORT shows that time as post-runtime duration.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startLambdaPool } from '../../src/local/lambda/index.js';
import {
  allFrozen,
  assertNoSandboxProcesses,
  eventOf,
  fixture,
  LogCollector,
  noneFrozen,
  payloadOf,
  recorded,
  sandboxProcesses,
  uniqueFunctionName,
} from '../fixtures/lambda/harness.js';
import { tempDir } from '../support/temp.js';

const workMs = 500;

describe('an external extension working after the response', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    temp = await tempDir('quickstow-lambda-ext-');
  });
  after(() => temp.remove());

  it('gets INVOKE, delays the freeze, not the answer, and gets SHUTDOWN at the end', async () => {
    const functionName = uniqueFunctionName('extension');
    const recorderLog = path.join(temp.dir, 'recorder.jsonl');
    const logs = new LogCollector();
    const pool = await startLambdaPool(
      {
        codeDir: fixture('echo'),
        extensionsDir: fixture('extensions'),
        functionName,
        timeoutMs: 5_000,
        env: { RECORDER_LOG: recorderLog, RECORDER_WORK_MS: String(workMs), RECORDER_CHILD: '1' },
      },
      { onLog: logs.sink },
    );
    try {
      const result = await pool.invoke(eventOf({ hello: 'extensions' }));
      const answeredAt = Date.now();
      assert.equal(result.coldStart, true);
      assert.deepEqual((payloadOf(result.outcome) as { echo: unknown }).echo, {
        hello: 'extensions',
      });

      // The answer is out, the extension still works: nothing of the sandbox is stopped.
      assert.ok(await noneFrozen(functionName), 'the sandbox runs while the extension works');
      const phase = await result.invokePhase;
      assert.ok(phase);
      // Frozen now — the extension's own child process too (a member of its process group).
      const processes = await sandboxProcesses(functionName);
      assert.ok(
        processes.some((p) => p.command === 'sleep'),
        JSON.stringify(processes),
      );
      assert.ok(await allFrozen(functionName), JSON.stringify(processes));

      const entries = await recorded(recorderLog);
      const registered = entries.find((e) => e.event === 'registered');
      assert.deepEqual(registered?.body, {
        functionName,
        functionVersion: '$LATEST',
        handler: 'index.handler',
      });
      const invoke = entries.find((e) => e.event === 'INVOKE');
      assert.equal(invoke?.requestId, result.requestId);
      const workDone = entries.find((e) => e.event === 'work-done');
      assert.ok(workDone !== undefined && (workDone.t as number) >= answeredAt, 'answered first');

      // The phase covers the extension's work; the answer came after the runtime's part only.
      assert.ok(phase.durationMs >= workMs, `duration ${phase.durationMs}`);
      assert.ok(
        phase.postRuntimeExtensionsDurationMs >= workMs - phase.runtimeDurationMs - 1,
        `post-runtime ${phase.postRuntimeExtensionsDurationMs} ms, runtime ${phase.runtimeDurationMs} ms`,
      );
      assert.ok(phase.billedDurationMs >= workMs);
      assert.ok(phase.initDurationMs !== undefined && phase.initDurationMs > 0);
      assert.match(result.report, /^REPORT RequestId: \S+\tDuration: [\d.]+ ms\t/);
      assert.doesNotMatch(result.report, /Post Runtime/);
      const logged = logs.reports().find((r) => r.requestId === result.requestId);
      assert.ok(
        (logged?.postRuntimeExtensionsDurationMs ?? 0) >= workMs - phase.runtimeDurationMs - 1,
      );
      assert.ok(
        logs.messages('platform').some((m) => /EXTENSION Name: recorder .*External/.test(m)),
      );
      assert.ok(logs.messages('extension:recorder').includes('recorder registered'));

      // A warm invoke: the extension gets its INVOKE again.
      const second = await pool.invoke(eventOf({ again: true }));
      assert.equal(second.coldStart, false);
      const secondPhase = await second.invokePhase;
      assert.equal(secondPhase?.initDurationMs, undefined);
      assert.ok((secondPhase?.durationMs ?? 0) >= workMs);
    } finally {
      await pool.close();
    }
    const shutdown = (await recorded(recorderLog)).find((e) => e.event === 'SHUTDOWN');
    assert.equal(shutdown?.shutdownReason, 'spindown');
    assert.ok(logs.messages('extension:recorder').includes('recorder shutting down: spindown'));
    await assertNoSandboxProcesses(functionName);
  });
});
