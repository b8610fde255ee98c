/**
 * Every way an invoke can fail, with real processes: each gives the outcome Lambda gives, resets
 * the sandbox (SHUTDOWN to the external extension, with the reason), and leaves no process.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type LambdaOptionsInput,
  type LambdaPool,
  startLambdaPool,
} from '../../src/local/lambda/index.js';
import {
  assertNoSandboxProcesses,
  eventOf,
  fixture,
  LogCollector,
  recorded,
  uniqueFunctionName,
  waitUntil,
} from '../fixtures/lambda/harness.js';
import { tempDir } from '../support/temp.js';

describe('failures', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    temp = await tempDir('quickstow-lambda-failures-');
  });
  after(() => temp.remove());

  interface Scenario {
    pool: LambdaPool;
    logs: LogCollector;
    /** What the recorder extension saw, once the sandbox is gone. */
    shutdownReasons(): Promise<unknown[]>;
    /** The sandbox was reset: nothing of it runs any more, and the pool counts none. */
    assertReset(): Promise<void>;
  }

  /** A pool with the recorder extension (unless told otherwise), closed and checked after. */
  async function scenario(
    options: LambdaOptionsInput,
    run: (s: Scenario) => Promise<void>,
  ): Promise<void> {
    const functionName = uniqueFunctionName('failure');
    const recorderLog = path.join(temp.dir, `${functionName}.jsonl`);
    const logs = new LogCollector();
    const pool = await startLambdaPool(
      {
        extensionsDir: fixture('extensions'),
        functionName,
        ...options,
        env: { RECORDER_LOG: recorderLog, ...options.env },
      },
      { onLog: logs.sink },
    );
    const shutdownReasons = async () =>
      (await recorded(recorderLog))
        .filter((e) => e.event === 'SHUTDOWN' && e.name === 'recorder')
        .map((e) => e.shutdownReason);
    try {
      await run({
        pool,
        logs,
        shutdownReasons,
        assertReset: async () => {
          await waitUntil(() => pool.stats().sandboxes === 0, 5_000, 'the reset');
          await assertNoSandboxProcesses(functionName);
        },
      });
    } finally {
      await pool.close();
    }
    await assertNoSandboxProcesses(functionName);
  }

  it('times out a slow handler, resets the sandbox, and starts a new one', async () => {
    await scenario({ codeDir: fixture('echo'), timeoutMs: 1_000 }, async (s) => {
      const started = Date.now();
      const result = await s.pool.invoke(eventOf({ action: 'sleep', ms: 5_000 }));
      const waited = Date.now() - started;
      assert.deepEqual(result.outcome, { kind: 'timeout' });
      assert.ok(waited >= 1_000 && waited < 4_000, `answered after ${waited} ms`);
      assert.match(result.report, /\tStatus: timeout\tError Type: Sandbox\.Timedout$/);
      assert.equal((await result.invokePhase)?.line, result.report);
      assert.ok(
        s.logs.messages('platform').some((m) => m.endsWith('Task timed out after 1.00 seconds')),
      );
      await s.assertReset();
      assert.deepEqual(await s.shutdownReasons(), ['timeout']);
      const next = await s.pool.invoke(eventOf({ n: 1 }));
      assert.equal(next.outcome.kind, 'response');
      assert.equal(next.coldStart, true);
    });
  });

  it('times out a handler that never returns while its event loop is busy', async () => {
    await scenario({ codeDir: fixture('echo'), timeoutMs: 800 }, async (s) => {
      const result = await s.pool.invoke(eventOf({ action: 'hang-busy' }));
      assert.deepEqual(result.outcome, { kind: 'timeout' });
      await s.assertReset();
      assert.deepEqual(await s.shutdownReasons(), ['timeout']);
    });
  });

  it('reports a crash for a handler that never returns with an empty event loop', async () => {
    // aws-lambda-ric awaits the handler's promise; with nothing else pending, Node exits with
    // code 0 — on AWS too: "Runtime exited without providing a reason", Runtime.ExitError.
    await scenario({ codeDir: fixture('echo'), timeoutMs: 3_000 }, async (s) => {
      const result = await s.pool.invoke(eventOf({ action: 'hang' }));
      assert.equal(result.outcome.kind, 'crash');
      assert.ok(result.outcome.kind === 'crash');
      assert.match(result.outcome.detail, /exited with code 0/);
      assert.ok(
        s.logs
          .messages('platform')
          .some((m) => m.includes('Error: Runtime exited without providing a reason')),
      );
      await s.assertReset();
      assert.deepEqual(await s.shutdownReasons(), ['failure']);
    });
  });

  it('resets the sandbox when extensions are still working at the timeout', async () => {
    await scenario(
      { codeDir: fixture('echo'), timeoutMs: 800, env: { RECORDER_WORK_MS: '1500' } },
      async (s) => {
        const result = await s.pool.invoke(eventOf({ n: 1 }));
        assert.equal(result.outcome.kind, 'response', 'the runtime answered in time');
        const phase = await result.invokePhase;
        assert.equal(phase?.status, 'timeout');
        // Timers may fire a fraction of a millisecond before the clock that measured the phase.
        assert.ok((phase?.durationMs ?? 0) >= 795, `phase lasted ${phase?.durationMs} ms`);
        assert.ok(s.logs.messages('platform').some((m) => m.includes('still working: recorder')));
        await s.assertReset();
        // The extension was busy at the timeout: it gets SHUTDOWN at its next `next`.
        assert.deepEqual(await s.shutdownReasons(), ['timeout']);
      },
    );
  });

  it('reports a crash when the runtime exits during the invoke', async () => {
    await scenario({ codeDir: fixture('echo') }, async (s) => {
      const result = await s.pool.invoke(eventOf({ action: 'exit', code: 7 }));
      assert.equal(result.outcome.kind, 'crash');
      assert.ok(result.outcome.kind === 'crash');
      assert.match(result.outcome.detail, /runtime aws-lambda-ric exited with code 7/);
      assert.match(result.report, /\tStatus: error\tError Type: Runtime\.ExitError$/);
      assert.ok(
        s.logs
          .messages('platform')
          .some((m) => m.includes('Error: Runtime exited with error: exit status 7')),
      );
      await s.assertReset();
      assert.deepEqual(await s.shutdownReasons(), ['failure']);
    });
  });

  it('reports a crash when an extension exits during the invoke', async () => {
    await scenario(
      {
        codeDir: fixture('echo'),
        extensionsDir: fixture('extensions-with-crasher'),
        env: { RECORDER_CRASH_ON_INVOKE: 'crasher' },
      },
      async (s) => {
        // The handler takes its time, so the extension's crash comes before any answer.
        const result = await s.pool.invoke(eventOf({ action: 'sleep', ms: 400 }));
        assert.equal(result.outcome.kind, 'crash');
        assert.ok(result.outcome.kind === 'crash');
        assert.match(result.outcome.detail, /extension crasher exited with code 3/);
        assert.match(result.report, /Error Type: Extension\.Crash$/);
        await s.assertReset();
        assert.deepEqual(await s.shutdownReasons(), ['failure']);
      },
    );
  });

  it('gives an init error when the handler module throws at import', async () => {
    await scenario({ codeDir: fixture('init-error') }, async (s) => {
      const result = await s.pool.invoke(eventOf({ n: 1 }));
      assert.equal(result.outcome.kind, 'init-error');
      assert.ok(result.outcome.kind === 'init-error');
      assert.equal(result.outcome.errorType, 'Error');
      assert.equal(result.outcome.errorMessage, 'broken at import');
      assert.equal(result.coldStart, true);
      assert.match(
        result.report,
        /\tInit Duration: [\d.]+ ms\t.*\tStatus: error\tError Type: Error$/,
      );
      assert.equal((await result.invokePhase)?.line, result.report);
      assert.ok(
        s.logs
          .messages('platform')
          .some((m) => /^INIT_REPORT .*Status: error\tError Type: Error/.test(m)),
      );
      await s.assertReset();
      assert.deepEqual(await s.shutdownReasons(), ['failure']);
    });
  });

  it('gives Runtime.ImportModuleError for a handler module that is not there', async () => {
    await scenario(
      { codeDir: fixture('echo'), handler: 'missing.handler', extensionsDir: '' },
      async (s) => {
        const result = await s.pool.invoke(eventOf({ n: 1 }));
        assert.equal(result.outcome.kind, 'init-error');
        assert.ok(result.outcome.kind === 'init-error');
        assert.equal(result.outcome.errorType, 'Runtime.ImportModuleError');
        await s.assertReset();
      },
    );
  });

  it('caps init: past initTimeoutMs it is an init error and the sandbox is discarded', async () => {
    await scenario(
      { codeDir: fixture('slow-init'), initTimeoutMs: 500, env: { SLOW_INIT_MS: '5000' } },
      async (s) => {
        const started = Date.now();
        const result = await s.pool.invoke(eventOf({ n: 1 }));
        assert.ok(Date.now() - started < 3_000);
        assert.equal(result.outcome.kind, 'init-error');
        assert.ok(result.outcome.kind === 'init-error');
        assert.equal(result.outcome.errorType, 'Sandbox.Timedout');
        assert.match(result.report, /\tStatus: timeout\tError Type: Sandbox\.Timedout$/);
        await s.assertReset();
        assert.deepEqual(await s.shutdownReasons(), ['failure']);
      },
    );
  });
});
