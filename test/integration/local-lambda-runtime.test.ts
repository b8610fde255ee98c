/**
 * What the runtime sees of the emulated Lambda: its environment, its context, the Runtime API's
 * answers to a custom `bootstrap`, and the answers the caller gets for errors and big responses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startLambdaPool } from '../../src/local/lambda/index.js';
import {
  assertNoSandboxProcesses,
  eventOf,
  fixture,
  LogCollector,
  payloadOf,
  uniqueFunctionName,
} from '../fixtures/lambda/harness.js';

describe('the runtime in an emulated sandbox', () => {
  it('runs aws-lambda-ric with the environment and context Lambda gives', async () => {
    const functionName = uniqueFunctionName('runtime');
    const logs = new LogCollector();
    const pool = await startLambdaPool(
      {
        codeDir: fixture('echo'),
        functionName,
        memoryMb: 512,
        timeoutMs: 4_000,
        region: 'eu-west-1',
        env: { GREETING: 'hello', TZ: 'Europe/Paris' },
      },
      { onLog: logs.sink },
    );
    try {
      const names = [
        'AWS_LAMBDA_FUNCTION_NAME',
        'AWS_LAMBDA_FUNCTION_VERSION',
        'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
        'AWS_LAMBDA_LOG_GROUP_NAME',
        'AWS_LAMBDA_LOG_STREAM_NAME',
        'AWS_LAMBDA_INITIALIZATION_TYPE',
        'AWS_REGION',
        'AWS_DEFAULT_REGION',
        'AWS_EXECUTION_ENV',
        '_HANDLER',
        'LAMBDA_TASK_ROOT',
        'GREETING',
        'TZ',
        'HOME',
        'NODE_OPTIONS',
      ];
      const env = payloadOf((await pool.invoke(eventOf({ action: 'env', names }))).outcome);
      const stream = (env as Record<string, string>).AWS_LAMBDA_LOG_STREAM_NAME ?? '';
      assert.match(stream, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      assert.deepEqual(env, {
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
        AWS_LAMBDA_LOG_STREAM_NAME: stream,
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        _HANDLER: 'index.handler',
        LAMBDA_TASK_ROOT: fixture('echo'),
        GREETING: 'hello',
        TZ: 'Europe/Paris', // user variables override Lambda's
        // Nothing of the host's environment leaks in (HOME, NODE_OPTIONS, credentials…).
      });

      const traceId = 'Root=1-65f0a1b2-0123456789abcdef01234567;Parent=89abcdef01234567;Sampled=1';
      const before = Date.now();
      const context = await pool.invoke({ ...eventOf({ action: 'context' }), traceId });
      const seen = payloadOf(context.outcome) as Record<string, unknown>;
      assert.equal(seen.requestId, context.requestId);
      assert.equal(seen.arn, `arn:aws:lambda:eu-west-1:000000000000:function:${functionName}`);
      assert.equal(seen.traceId, traceId);
      assert.equal(seen.memory, '512');
      assert.equal(seen.logStream, stream);
      const remaining = seen.remainingMs as number;
      assert.ok(remaining > 3_000 && remaining <= 4_000 + (Date.now() - before), `${remaining}`);

      // Registration closes at the runtime's first next.
      const late = payloadOf((await pool.invoke(eventOf({ action: 'register-late' }))).outcome);
      assert.deepEqual(late, {
        status: 403,
        body: {
          errorType: 'Extension.RegistrationClosed',
          errorMessage: 'Extension registration closed already',
        },
      });

      // A handler error: the runtime's error body, and the sandbox is kept.
      const thrown = await pool.invoke(eventOf({ action: 'throw', message: 'nope' }));
      assert.equal(thrown.outcome.kind, 'function-error');
      assert.ok(thrown.outcome.kind === 'function-error');
      assert.equal(thrown.outcome.errorType, 'TypeError');
      assert.equal(thrown.outcome.errorMessage, 'nope');
      assert.equal((payloadOf(thrown.outcome) as { errorType: string }).errorType, 'TypeError');
      assert.match(thrown.report, /\tStatus: error\tError Type: TypeError$/);

      // Over 6 MB: refused with 413 by the Runtime API; the sandbox is kept too.
      const big = await pool.invoke(eventOf({ action: 'big', bytes: 6 * 1024 * 1024 + 100 }));
      assert.deepEqual(big.outcome, { kind: 'response-too-large' });
      assert.ok(
        logs.messages('platform').some((m) => m.includes('exceeded maximum allowed payload size')),
      );
      const after = await pool.invoke(eventOf({ n: 1 }));
      assert.equal(after.outcome.kind, 'response');
      assert.equal(after.coldStart, false);
      assert.equal(pool.stats().sandboxes, 1);

      // START, END and REPORT lines for every invoke, in the log sink.
      await after.invokePhase;
      const platform = logs.messages('platform');
      for (const result of [context, thrown, big, after]) {
        assert.ok(platform.includes(`START RequestId: ${result.requestId} Version: $LATEST`));
        assert.ok(platform.includes(`END RequestId: ${result.requestId}`));
        assert.ok(logs.reports().some((r) => r.requestId === result.requestId));
      }
    } finally {
      await pool.close();
    }
    await assertNoSandboxProcesses(functionName);
  });

  it('runs a custom bootstrap from the code folder, with the Runtime API it expects', async () => {
    const functionName = uniqueFunctionName('bootstrap');
    const logs = new LogCollector();
    const pool = await startLambdaPool(
      {
        codeDir: fixture('bootstrap-runtime'),
        handler: 'main.run',
        functionName,
        timeoutMs: 2_000,
      },
      { onLog: logs.sink },
    );
    try {
      const started = Date.now();
      const traceId = 'Root=1-65f0a1b2-000000000000000000000001;Parent=0000000000000001;Sampled=0';
      const result = await pool.invoke({ ...eventOf({ custom: 'event' }), traceId });
      const answer = payloadOf(result.outcome) as Record<string, unknown>;
      assert.equal(answer.custom, true);
      assert.equal(answer.handler, 'main.run');
      assert.deepEqual(answer.event, { custom: 'event' });
      assert.equal(answer.traceId, traceId);
      assert.equal(answer.arn, `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`);
      const deadline = answer.deadlineMs as number;
      assert.ok(deadline >= started + 2_000 && deadline <= Date.now() + 2_000, `${deadline}`);
      await result.invokePhase;
      assert.ok(
        logs
          .messages('runtime')
          .includes('second answer 403 InvalidStateTransition; unknown id 400 InvalidRequestID'),
      );
      assert.ok(logs.messages('platform').includes('INIT_START Runtime Version: bootstrap'));
    } finally {
      await pool.close();
    }
    await assertNoSandboxProcesses(functionName);
  });
});
