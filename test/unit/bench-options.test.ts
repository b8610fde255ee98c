import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { targetNames } from '../../src/bench/catalog.js';
import {
  benchDefaults,
  parseConcurrency,
  parseTargets,
  parseUrlTarget,
} from '../../src/bench/options.js';

describe('bench flags', () => {
  it('picks a subset of the targets, in the order given, once each', () => {
    assert.deepEqual(parseTargets('serve-sync, floor,floor'), ['serve-sync', 'floor']);
  });

  it('refuses unknown targets, naming the available ones', () => {
    assert.throws(
      () => parseTargets('floor,flor'),
      (error: Error) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.match(
          error.message,
          /unknown target flor\. Available: floor, floor-fsync, naive, serve-sync, serve-spool/,
        );
        return true;
      },
    );
    assert.throws(() => parseTargets(' , '), /at least one target/);
  });

  it('accepts the local-* targets of quickstow local', () => {
    assert.deepEqual(parseTargets('floor,local-after-response,local-floor'), [
      'floor',
      'local-after-response',
      'local-floor',
    ]);
    assert.throws(() => parseTargets('local-lambda'), /unknown target local-lambda/);
  });

  it('parses concurrency levels', () => {
    assert.deepEqual(parseConcurrency('1,8'), [1, 8]);
    assert.deepEqual(parseConcurrency('4'), [4]);
    for (const bad of ['0', '1,x', '', '2.5', '-1']) {
      assert.throws(() => parseConcurrency(bad), InvalidArgumentError, bad);
    }
  });

  it('collects NAME=URL targets, refusing clashes and non-HTTP URLs', () => {
    const one = parseUrlTarget('mine=http://127.0.0.1:8080');
    const two = parseUrlTarget('stage=https://127.0.0.1:8443/prod', one);
    assert.deepEqual(two, [
      { name: 'mine', url: 'http://127.0.0.1:8080' },
      { name: 'stage', url: 'https://127.0.0.1:8443/prod' },
    ]);
    assert.throws(() => parseUrlTarget('mine=http://127.0.0.1:9', one), /given twice/);
    assert.throws(() => parseUrlTarget('floor=http://127.0.0.1:9'), /built-in target/);
    assert.throws(() => parseUrlTarget('http://127.0.0.1:9'), /NAME=URL/);
    assert.throws(() => parseUrlTarget('x=ftp://127.0.0.1'), /NAME=URL/);
  });
});

describe('bench defaults', () => {
  it('runs the serve family and local-floor, local-naive, local-after-response; all runs every target', () => {
    assert.deepEqual(benchDefaults.targets, [
      'floor',
      'floor-fsync',
      'naive',
      'serve-sync',
      'serve-spool',
      'local-floor',
      'local-naive',
      'local-after-response',
    ]);
    assert.deepEqual(parseTargets('all'), [...targetNames]);
    assert.equal(targetNames.length, 11);
  });
});
