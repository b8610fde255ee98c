import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ratio, ratiosOf } from '../../src/bench/ratios.js';
import { balancedOrders, batchSizeFor, planBatches } from '../../src/bench/schedule.js';

describe('interleaved batches', () => {
  it('sends exactly the requests asked for, the last batch taking the rest', () => {
    const batches = planBatches(23, 10, 3);
    assert.deepEqual(
      batches.map((batch) => batch.size),
      [10, 10, 3],
    );
  });

  it('changes which target goes first, and every target runs in every batch', () => {
    const batches = planBatches(40, 10, 4);
    assert.deepEqual(
      batches.map((batch) => batch.order),
      [
        [0, 1, 3, 2],
        [1, 2, 0, 3],
        [2, 3, 1, 0],
        [3, 0, 2, 1],
      ],
    );
  });

  it('balances the turns: each target follows each other one equally often', () => {
    for (const n of [2, 3, 4, 5, 7, 10]) {
      const orders = balancedOrders(n);
      const follows = new Map<string, number>();
      const firsts = new Map<number, number>();
      for (const order of orders) {
        assert.deepEqual(
          [...order].sort((a, b) => a - b),
          [...Array(n).keys()],
          `n=${n}`,
        );
        firsts.set(order[0] as number, (firsts.get(order[0] as number) ?? 0) + 1);
        for (let i = 1; i < n; i++) {
          const pair = `${order[i - 1]}>${order[i]}`;
          follows.set(pair, (follows.get(pair) ?? 0) + 1);
        }
      }
      assert.equal(follows.size, n * (n - 1), `n=${n}: every ordered pair occurs`);
      assert.equal(new Set(follows.values()).size, 1, `n=${n}: equally often`);
      assert.equal(new Set(firsts.values()).size, 1, `n=${n}: everyone first equally often`);
    }
    assert.deepEqual(balancedOrders(1), [[0], [0]]);
  });

  it('plans nothing for no requests and refuses an empty batch size', () => {
    assert.deepEqual(planBatches(0, 10, 2), []);
    assert.throws(() => planBatches(10, 0, 2), RangeError);
  });

  it('gives every worker several requests per batch', () => {
    assert.equal(batchSizeFor(1), 10);
    assert.equal(batchSizeFor(8), 40);
  });
});

describe('ratios to the baselines', () => {
  it('divides by the baseline, and has none without a usable one', () => {
    assert.equal(ratio(30, 10), 3);
    assert.equal(ratio(30, undefined), undefined);
    assert.equal(ratio(30, 0), undefined);
    assert.equal(ratio(0, 10), undefined); // no successful request: no latency to compare
  });

  it('compares with floor and naive at the same concurrency only', () => {
    const rows = [
      { target: 'floor', concurrency: 1, p50Ms: 2, p99Ms: 4 },
      { target: 'naive', concurrency: 1, p50Ms: 40, p99Ms: 80 },
      { target: 'floor', concurrency: 8, p50Ms: 10, p99Ms: 20 },
      { target: 'serve-spool', concurrency: 1, p50Ms: 3, p99Ms: 5 },
      { target: 'serve-spool', concurrency: 8, p50Ms: 12, p99Ms: 30 },
    ];
    assert.deepEqual(ratiosOf(rows[3] as (typeof rows)[number], rows), {
      p50VsFloor: 1.5,
      p99VsFloor: 1.25,
      p50VsNaive: 0.075,
      p99VsNaive: 0.0625,
    });
    // No naive row at concurrency 8: no naive ratios.
    assert.deepEqual(ratiosOf(rows[4] as (typeof rows)[number], rows), {
      p50VsFloor: 1.2,
      p99VsFloor: 1.5,
    });
  });
});
