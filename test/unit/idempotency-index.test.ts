import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { QuickstowError } from '../../src/core/errors.js';
import type { Receipt } from '../../src/core/receipt.js';
import { IdempotencyIndex } from '../../src/idempotency/index.js';
import { samplePayload } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

const windowMs = 60_000;

function receiptFor(text: string): Receipt {
  const { id, meta } = samplePayload(text);
  return { id, ...meta, durability: 'spool' };
}

describe('Idempotency-Key index', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let file: string;
  let nowMs: number;
  let index: IdempotencyIndex;
  const clock = { now: () => nowMs };

  const open = () => IdempotencyIndex.open({ file, windowMs, clock });

  /** A commit that counts its calls and returns the receipt of `text`. */
  function committer(text: string) {
    const receipt = receiptFor(text);
    const commit = async () => {
      commit.calls += 1;
      return receipt;
    };
    commit.calls = 0;
    return { receipt, commit };
  }

  beforeEach(async () => {
    temp = await tempDir('quickstow-idempotency-');
    file = path.join(temp.dir, 'idempotency.jsonl');
    nowMs = Date.UTC(2026, 5, 1);
    index = await open();
  });

  afterEach(async () => {
    await index.close();
    await temp.remove();
  });

  it('replays the first receipt for the same key and body, committing once', async () => {
    const { receipt, commit } = committer('body');
    assert.deepEqual(await index.run('key-1', receipt.sha256, commit), {
      receipt,
      replayed: false,
    });
    assert.deepEqual(await index.run('key-1', receipt.sha256, commit), { receipt, replayed: true });
    assert.equal(commit.calls, 1);
  });

  it('refuses the same key with a different body: 422 idempotency-key-reused', async () => {
    const first = committer('first body');
    const second = committer('another body');
    await index.run('key-1', first.receipt.sha256, first.commit);
    await assert.rejects(
      index.run('key-1', second.receipt.sha256, second.commit),
      (error) =>
        error instanceof QuickstowError &&
        error.code === 'idempotency-key-reused' &&
        error.status === 422,
    );
    assert.equal(second.commit.calls, 0);
  });

  it('survives a restart: the entry was fsync’ed before the answer', async () => {
    const { receipt, commit } = committer('body');
    await index.run('durable', receipt.sha256, commit);
    await index.close();
    index = await open();
    assert.deepEqual(await index.run('durable', receipt.sha256, commit), {
      receipt,
      replayed: true,
    });
    assert.equal(commit.calls, 1);
  });

  it('forgets a key once the window has passed, in memory and in the file', async () => {
    const old = committer('old');
    await index.run('old-key', old.receipt.sha256, old.commit);
    nowMs += windowMs / 2;
    const kept = committer('kept');
    await index.run('kept-key', kept.receipt.sha256, kept.commit);

    nowMs += windowMs / 2; // old-key is exactly windowMs old now
    const again = committer('a new body under the old key');
    const result = await index.run('old-key', again.receipt.sha256, again.commit);
    assert.equal(result.replayed, false, 'expired: a new request, not a 422');
    assert.equal(again.commit.calls, 1);

    nowMs += windowMs; // everything expired
    await index.close();
    index = await open();
    assert.equal(index.size, 0);
    assert.equal((await readFile(file, 'utf8')).trim(), '', 'compacted away at open');
  });

  it('makes a concurrent request with the same key wait for the first and replay it', async () => {
    let finish: (() => void) | undefined;
    const receipt = receiptFor('slow body');
    let calls = 0;
    const slowCommit = async () => {
      calls += 1;
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return receipt;
    };
    const first = index.run('same', receipt.sha256, slowCommit);
    const second = index.run('same', receipt.sha256, slowCommit);
    const different = index.run('same', receiptFor('other').sha256, slowCommit);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 1, 'the second request did not commit while the first was running');
    finish?.();
    assert.deepEqual(await first, { receipt, replayed: false });
    assert.deepEqual(await second, { receipt, replayed: true });
    await assert.rejects(different, { code: 'idempotency-key-reused' });
  });

  it('lets a waiting request commit itself when the first one failed', async () => {
    const receipt = receiptFor('body');
    let fail: ((error: Error) => void) | undefined;
    const failing = () =>
      new Promise<Receipt>((_resolve, reject) => {
        fail = reject;
      });
    const { commit } = committer('body');
    const first = index.run('retry', receipt.sha256, failing);
    const second = index.run('retry', receipt.sha256, commit);
    await new Promise((resolve) => setImmediate(resolve));
    fail?.(new Error('spool full'));
    await assert.rejects(first, /spool full/);
    assert.equal((await second).replayed, false);
    assert.equal(commit.calls, 1);
  });

  it('compacts its file while running once expired lines outnumber live ones', async () => {
    const receipt = receiptFor('body');
    const commit = async () => receipt;
    // Concurrent requests share fsyncs (group commit), so 1100 of them stay quick.
    await Promise.all(
      Array.from({ length: 1100 }, (_, i) => index.run(`key-${i}`, receipt.sha256, commit)),
    );
    assert.equal((await readFile(file, 'utf8')).trim().split('\n').length, 1100);
    nowMs += windowMs;
    await index.run('fresh', receipt.sha256, commit);
    await index.close(); // waits for the compaction
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    assert.deepEqual(
      lines.map((line) => JSON.parse(line).key),
      ['fresh'],
    );
    index = await open();
  });

  it('ignores a torn last line left by a crash', async () => {
    const { receipt, commit } = committer('body');
    await index.run('kept', receipt.sha256, commit);
    await index.close();
    await appendFile(file, '{"key":"torn","id":"01');
    index = await open();
    assert.equal(index.size, 1);
    assert.equal((await index.run('kept', receipt.sha256, commit)).replayed, true);
  });

  it('refuses an empty or overlong key', async () => {
    const { receipt, commit } = committer('body');
    await assert.rejects(index.run('', receipt.sha256, commit), { code: 'bad-request' });
    await assert.rejects(index.run('k'.repeat(256), receipt.sha256, commit), {
      code: 'bad-request',
    });
  });
});
