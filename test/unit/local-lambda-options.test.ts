import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuickstowError } from '../../src/core/errors.js';
import { lambdaDefaults, resolveLambdaOptions } from '../../src/local/lambda/options.js';
import { fixture } from '../fixtures/lambda/harness.js';

describe('Lambda options', () => {
  it('start from the defaults, with absolute folders', () => {
    const options = resolveLambdaOptions({ codeDir: 'test/fixtures/lambda/echo' });
    assert.equal(options.codeDir, fixture('echo'));
    assert.equal(options.timeoutMs, lambdaDefaults.timeoutMs);
    assert.equal(options.initTimeoutMs, 10_000);
    assert.equal(options.queueTimeoutMs, 0);
  });

  it('refuse unknown keys and bad values, all at once', () => {
    assert.throws(
      () =>
        resolveLambdaOptions({
          codeDir: fixture('echo'),
          timeout: 3,
          memoryMb: 64,
          prewarm: 3,
          concurrency: 2,
          env: { 'BAD NAME': 'x' },
        } as Record<string, unknown>),
      (error: unknown) => {
        assert.ok(error instanceof QuickstowError);
        assert.equal(error.code, 'invalid-config');
        for (const part of ['"timeout"', 'memoryMb', 'prewarm must not exceed', 'BAD NAME']) {
          assert.ok(error.message.includes(part), `${part} in ${error.message}`);
        }
        return true;
      },
    );
  });

  it('need a code folder that exists', () => {
    assert.throws(() => resolveLambdaOptions({}), /codeDir is required/);
    assert.throws(() => resolveLambdaOptions({ codeDir: '/no/such/dir' }), /does not exist/);
  });
});
