import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullJitterDelayMs } from '../../src/spool/backoff.js';

describe('spool retry backoff', () => {
  const options = { baseMs: 100, maxMs: 5_000 };

  it('doubles the ceiling with each failure, up to the cap', () => {
    const ceiling = (failures: number) => fullJitterDelayMs(failures, options, () => 0.999_999);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(ceiling), [99, 199, 399, 799, 1599, 3199, 4999]);
    assert.equal(ceiling(1_000), 4999, 'no overflow after a long outage');
  });

  it('draws the whole range from zero (full jitter)', () => {
    assert.equal(
      fullJitterDelayMs(5, options, () => 0),
      0,
    );
    assert.equal(
      fullJitterDelayMs(5, options, () => 0.5),
      800,
    );
  });
});
