import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { type Acknowledged, type ReadPayload, verifyAll } from '../../src/bench/verify.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function ack(id: string, bytes: Buffer, overrides: Partial<Acknowledged> = {}): Acknowledged {
  return {
    target: 't',
    concurrency: 1,
    id,
    sha256: sha256(bytes),
    size: bytes.length,
    storedLater: false,
    ...overrides,
  };
}

const options = { timeoutMs: 1000, concurrency: 2, retryIntervalMs: 5 };

describe('verifying acknowledged payloads', () => {
  it('passes payloads read back byte for byte', async () => {
    const stored = new Map([['a', Buffer.from('alpha')]]);
    const read: ReadPayload = async (a) => stored.get(a.id);
    assert.deepEqual(await verifyAll([ack('a', Buffer.from('alpha'))], read, options), []);
  });

  it('reports a lost payload, a truncated one and a corrupted one', async () => {
    const sent = Buffer.from('the payload');
    const stored = new Map([
      ['short', sent.subarray(0, 3)],
      ['flipped', Buffer.from('the paylOad')],
    ]);
    const read: ReadPayload = async (a) => stored.get(a.id);
    const failures = await verifyAll(
      [ack('lost', sent), ack('short', sent), ack('flipped', sent)],
      read,
      options,
    );
    const problems = Object.fromEntries(failures.map((f) => [f.ack.id, f.problem]));
    assert.equal(problems.lost, 'not in the store');
    assert.equal(problems.short, 'size 3, sent 11');
    assert.match(problems.flipped ?? '', /^sha256 [0-9a-f]{64}, sent [0-9a-f]{64}$/);
  });

  it('waits for a payload stored later (202), within the deadline', async () => {
    const bytes = Buffer.from('later');
    let reads = 0;
    const read: ReadPayload = async () => (++reads >= 3 ? bytes : undefined);
    assert.deepEqual(await verifyAll([ack('x', bytes, { storedLater: true })], read, options), []);
    assert.equal(reads, 3);
  });

  it('gives up on a 202 payload at the deadline', async () => {
    const started = Date.now();
    const failures = await verifyAll(
      [ack('x', Buffer.from('never'), { storedLater: true })],
      async () => undefined,
      { ...options, timeoutMs: 100 },
    );
    assert.equal(failures[0]?.problem, 'not in the store after 100 ms');
    assert.ok(Date.now() - started < 1000);
  });

  it('retries a failing read a few times, then reports it', async () => {
    let reads = 0;
    const failures = await verifyAll(
      [ack('x', Buffer.from('b'))],
      async () => {
        reads += 1;
        throw new Error('connection reset');
      },
      options,
    );
    assert.equal(reads, 3);
    assert.equal(failures[0]?.problem, 'read failed: connection reset');
  });

  it('fails a receipt that misstates the payload without reading it back', async () => {
    const bytes = Buffer.from('payload');
    const failures = await verifyAll(
      [ack('x', bytes, { receiptSha256: '00'.repeat(32) }), ack('y', bytes, { receiptSize: 1 })],
      async () => bytes,
      options,
    );
    assert.deepEqual(
      failures.map((f) => f.problem.split(',')[0]),
      [`receipt says sha256 ${'00'.repeat(32)}`, 'receipt says size 1'],
    );
  });
});
