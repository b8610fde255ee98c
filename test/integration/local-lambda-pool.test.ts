/**
 * The pool of sandboxes: concurrency, throttling or queueing, post-response work holding a
 * sandbox, prewarming (provisioned concurrency), spindown, close(), and the emulator's own
 * process being stopped. After each test the process table holds nothing of the function.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QuickstowError } from '../../src/core/errors.js';
import { startLambdaPool } from '../../src/local/lambda/index.js';
import type { InvokeResult } from '../../src/local/types.js';
import {
  allFrozen,
  assertNoSandboxProcesses,
  eventOf,
  fixture,
  LogCollector,
  payloadOf,
  recorded,
  sandboxProcesses,
  uniqueFunctionName,
  waitUntil,
} from '../fixtures/lambda/harness.js';
import { tempDir } from '../support/temp.js';

const pidOf = (result: InvokeResult) => (payloadOf(result.outcome) as { pid: number }).pid;

describe('the pool of sandboxes', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    temp = await tempDir('quickstow-lambda-pool-');
  });
  after(() => temp.remove());

  it('starts one sandbox per concurrent invoke up to the limit, and throttles beyond it', async () => {
    const functionName = uniqueFunctionName('concurrency');
    const pool = await startLambdaPool({
      codeDir: fixture('echo'),
      functionName,
      concurrency: 3,
      timeoutMs: 10_000,
    });
    try {
      const started = Date.now();
      const timed = (promise: Promise<InvokeResult>) =>
        promise.then((result) => ({ result, ms: Date.now() - started }));
      const first = await Promise.all(
        Array.from({ length: 5 }, () => timed(pool.invoke(eventOf({ action: 'sleep', ms: 600 })))),
      );
      const answered = first.filter(({ result }) => result.outcome.kind === 'response');
      const throttled = first.filter(({ result }) => result.outcome.kind === 'throttled');
      assert.equal(answered.length, 3);
      assert.equal(throttled.length, 2);
      // Throttled at once, as Lambda answers 429: not after waiting for a sandbox.
      for (const { ms, result } of throttled) {
        assert.ok(ms < 600, `throttled after ${ms} ms`);
        assert.equal(result.report, '');
        assert.equal(result.invokePhase, undefined);
      }
      assert.ok(answered.every(({ result }) => result.coldStart));
      await Promise.all(answered.map(({ result }) => result.invokePhase));
      const pids = new Set(answered.map(({ result }) => pidOf(result)));
      assert.equal(pids.size, 3, 'three sandboxes, three runtime processes');
      assert.deepEqual(pool.stats(), {
        sandboxes: 3,
        initializing: 0,
        idle: 3,
        busy: 0,
        queued: 0,
      });

      // Three again at once: the three warm sandboxes, the same processes.
      const second = await Promise.all(
        Array.from({ length: 3 }, () => pool.invoke(eventOf({ action: 'sleep', ms: 50 }))),
      );
      for (const result of second) {
        assert.equal(result.outcome.kind, 'response');
        assert.equal(result.coldStart, false);
      }
      assert.deepEqual(new Set(second.map(pidOf)), pids);
      await Promise.all(second.map((result) => result.invokePhase));
    } finally {
      await pool.close();
    }
    await assertNoSandboxProcesses(functionName);
  });

  it('queues instead, when queueTimeoutMs allows it, and throttles past that wait', async () => {
    const functionName = uniqueFunctionName('queue');
    const pool = await startLambdaPool({
      codeDir: fixture('echo'),
      functionName,
      concurrency: 2,
      queueTimeoutMs: 10_000,
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 4 }, () => pool.invoke(eventOf({ action: 'sleep', ms: 300 }))),
      );
      assert.ok(results.every((r) => r.outcome.kind === 'response'));
      assert.equal(results.filter((r) => r.coldStart).length, 2);
      assert.equal(pool.stats().sandboxes, 2);
    } finally {
      await pool.close();
    }
    const impatient = await startLambdaPool({
      codeDir: fixture('echo'),
      functionName,
      concurrency: 1,
      queueTimeoutMs: 200,
    });
    try {
      const busy = impatient.invoke(eventOf({ action: 'sleep', ms: 1_500 }));
      await waitUntil(() => impatient.stats().sandboxes === 1, 5_000, 'the first sandbox');
      const started = Date.now();
      const queued = await impatient.invoke(eventOf({ n: 2 }));
      assert.equal(queued.outcome.kind, 'throttled');
      assert.ok(Date.now() - started >= 190, 'throttled only after the queue wait');
      assert.equal((await busy).outcome.kind, 'response');
    } finally {
      await impatient.close();
    }
    await assertNoSandboxProcesses(functionName);
  });

  it('counts post-response extension work as busy, but not the runtime’s step back to next', async () => {
    const functionName = uniqueFunctionName('busy');
    const pool = await startLambdaPool({
      codeDir: fixture('echo'),
      extensionsDir: fixture('extensions'),
      functionName,
      concurrency: 1,
      env: { RECORDER_WORK_MS: '600', RECORDER_LOG: path.join(temp.dir, 'busy.jsonl') },
    });
    try {
      const first = await pool.invoke(eventOf({ n: 1 }));
      assert.equal(first.outcome.kind, 'response');
      // The extension still works: the one sandbox is busy, and Lambda would throttle.
      const meanwhile = await pool.invoke(eventOf({ n: 2 }));
      assert.equal(meanwhile.outcome.kind, 'throttled');
      await first.invokePhase;
      const later = await pool.invoke(eventOf({ n: 3 }));
      assert.equal(later.outcome.kind, 'response');
      assert.equal(later.coldStart, false);
      await later.invokePhase;
    } finally {
      await pool.close();
    }
    const quick = await startLambdaPool({ codeDir: fixture('echo'), functionName, concurrency: 1 });
    try {
      // Back to back, without extensions: the caller may be quicker than the runtime's step
      // to next, but it waits for it rather than being throttled (or cold-starting).
      for (let n = 0; n < 10; n++) {
        const result = await quick.invoke(eventOf({ n }));
        assert.equal(result.outcome.kind, 'response', `invoke ${n}`);
        assert.equal(result.coldStart, n === 0);
      }
    } finally {
      await quick.close();
    }
    await assertNoSandboxProcesses(functionName);
  });

  it('prewarms provisioned sandboxes: frozen before any invoke, no cold start, replaced when reset', async () => {
    const functionName = uniqueFunctionName('prewarm');
    const logs = new LogCollector();
    const pool = await startLambdaPool(
      { codeDir: fixture('echo'), functionName, prewarm: 2, concurrency: 2 },
      { onLog: logs.sink },
    );
    try {
      assert.deepEqual(pool.stats(), {
        sandboxes: 2,
        initializing: 0,
        idle: 2,
        busy: 0,
        queued: 0,
      });
      assert.equal((await sandboxProcesses(functionName)).length, 2);
      assert.ok(await allFrozen(functionName), 'prewarmed sandboxes wait frozen');
      const result = await pool.invoke(
        eventOf({ action: 'env', names: ['AWS_LAMBDA_INITIALIZATION_TYPE'] }),
      );
      assert.equal(result.coldStart, false);
      assert.deepEqual(payloadOf(result.outcome), {
        AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency',
      });
      assert.equal((await result.invokePhase)?.initDurationMs, undefined);

      const crashed = await pool.invoke(eventOf({ action: 'exit', code: 1 }));
      assert.equal(crashed.outcome.kind, 'crash');
      await waitUntil(
        () => pool.stats().idle === 2 && pool.stats().sandboxes === 2,
        10_000,
        'the replacement',
      );
    } finally {
      await pool.close();
    }
    await assertNoSandboxProcesses(functionName);
  });

  it('spins an idle on-demand sandbox down after idleMs', async () => {
    const functionName = uniqueFunctionName('idle');
    const logs = new LogCollector();
    const pool = await startLambdaPool(
      { codeDir: fixture('echo'), functionName, idleMs: 300 },
      { onLog: logs.sink },
    );
    try {
      const result = await pool.invoke(eventOf({ n: 1 }));
      await result.invokePhase;
      assert.equal(pool.stats().sandboxes, 1);
      await waitUntil(() => pool.stats().sandboxes === 0, 5_000, 'the spindown');
      assert.ok(logs.messages('platform').includes('SHUTDOWN Reason: spindown'));
      await assertNoSandboxProcesses(functionName);
      assert.equal((await pool.invoke(eventOf({ n: 2 }))).coldStart, true);
    } finally {
      await pool.close();
    }
    await assertNoSandboxProcesses(functionName);
  });

  it('close() ends in-flight invokes, shuts every sandbox down, and refuses new invokes', async () => {
    const functionName = uniqueFunctionName('close');
    const pool = await startLambdaPool({
      codeDir: fixture('echo'),
      functionName,
      timeoutMs: 10_000,
    });
    const inFlight = pool.invoke(eventOf({ action: 'sleep', ms: 5_000 }));
    await waitUntil(() => pool.stats().busy === 1, 5_000, 'the invoke to start');
    await pool.close();
    const ended = await inFlight;
    assert.equal(ended.outcome.kind, 'crash');
    await assert.rejects(
      pool.invoke(eventOf({ n: 1 })),
      (error: unknown) => error instanceof QuickstowError && error.code === 'shutting-down',
    );
    await assertNoSandboxProcesses(functionName);
  });

  it('close() during a cold start ends it as an init error, with nothing left', async () => {
    const functionName = uniqueFunctionName('close-init');
    const pool = await startLambdaPool({
      codeDir: fixture('echo'),
      extensionsDir: fixture('extensions'),
      functionName,
    });
    const coldStart = pool.invoke(eventOf({ n: 1 }));
    await pool.close();
    assert.equal((await coldStart).outcome.kind, 'init-error');
    await assertNoSandboxProcesses(functionName);

    // Later in init: the extension registered, the runtime is importing the handler.
    const slow = await startLambdaPool({
      codeDir: fixture('slow-init'),
      extensionsDir: fixture('extensions'),
      functionName,
      env: { SLOW_INIT_MS: '5000' },
    });
    const slowStart = slow.invoke(eventOf({ n: 2 }));
    await waitUntil(
      async () => (await sandboxProcesses(functionName)).length === 2,
      5_000,
      'the extension and the runtime',
    );
    await slow.close();
    const result = await slowStart;
    assert.equal(result.outcome.kind, 'init-error');
    assert.ok(result.outcome.kind === 'init-error');
    assert.equal(result.outcome.errorType, 'Sandbox.Shutdown');
    await assertNoSandboxProcesses(functionName);
  });

  for (const mode of ['close', 'exit'] as const) {
    it(`leaves nothing behind when the emulator's process gets SIGTERM (${mode})`, async () => {
      const functionName = uniqueFunctionName(`host-${mode}`);
      const recorderLog = path.join(temp.dir, `${functionName}.jsonl`);
      const host = spawn(
        process.execPath,
        ['--import', 'tsx', fixture('pool-host.ts'), functionName, mode, recorderLog],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      try {
        let output = '';
        host.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
        });
        await waitUntil(() => output.includes('ready response'), 20_000, 'the host');
        // Two frozen sandboxes, each with the runtime, the extension and its child.
        await waitUntil(() => allFrozen(functionName), 5_000, 'the freeze');
        assert.equal((await sandboxProcesses(functionName)).length, 6);
        host.kill('SIGTERM');
        const [code] = await once(host, 'exit');
        assert.equal(code, 0);
        await assertNoSandboxProcesses(functionName);
        const reasons = (await recorded(recorderLog)).filter((e) => e.event === 'SHUTDOWN');
        // close(): the extensions get SHUTDOWN; a bare exit can only SIGKILL them.
        assert.equal(reasons.length, mode === 'close' ? 2 : 0);
      } finally {
        host.kill('SIGKILL');
      }
    });
  }
});
