import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChart } from '../../src/bench/svg/chart.js';
import { escapeXml } from '../../src/bench/svg/elements.js';
import {
  formatTick,
  linearScale,
  linearTicks,
  logDomain,
  logScale,
  logTicks,
  niceStep,
} from '../../src/bench/svg/scale.js';

describe('chart scales', () => {
  it('maps a linear domain onto a range, inverted axes included', () => {
    const y = linearScale([0, 100], [300, 0]);
    assert.equal(y(0), 300);
    assert.equal(y(50), 150);
    assert.equal(y(100), 0);
    assert.equal(linearScale([5, 5], [0, 10])(5), 5);
  });

  it('maps a log domain decade by decade, clamping values at or below zero', () => {
    const x = logScale([1, 1000], [0, 300]);
    assert.equal(x(1), 0);
    assert.ok(Math.abs(x(10) - 100) < 1e-9);
    assert.ok(Math.abs(x(1000) - 300) < 1e-9);
    assert.equal(x(0), 0);
    assert.throws(() => logScale([0, 10], [0, 1]), RangeError);
  });

  it('picks round steps and ticks that cover the maximum', () => {
    assert.equal(niceStep(10, 5), 2);
    assert.equal(niceStep(47, 5), 10);
    assert.equal(niceStep(0.3, 5), 0.1);
    assert.deepEqual(linearTicks(47), [0, 10, 20, 30, 40, 50]);
    assert.deepEqual(linearTicks(0.3), [0, 0.1, 0.2, 0.3]);
    assert.deepEqual(linearTicks(9.87), [0, 2, 4, 6, 8, 10]);
  });

  it('puts log ticks at 1-2-5 steps, or only at decades over a wide range', () => {
    assert.deepEqual(logTicks(0.5, 20), [0.5, 1, 2, 5, 10, 20]);
    assert.deepEqual(logTicks(1, 100), [1, 2, 5, 10, 20, 50, 100]);
    assert.deepEqual(logTicks(0.1, 10_000), [0.1, 1, 10, 100, 1000, 10_000]);
    assert.deepEqual(logTicks(0, 10), []);
    assert.deepEqual(logDomain(3.2, 47), [2, 50]);
    assert.deepEqual(logDomain(0.569, 19.6), [0.5, 20]);
    assert.deepEqual(logDomain(1, 100), [1, 100]);
  });

  it('labels ticks without float noise or trailing zeros', () => {
    assert.deepEqual([0.5, 2, 15, 0.1 + 0.2].map(formatTick), ['0.5', '2', '15', '0.3']);
  });
});

describe('the SVG chart', () => {
  const series = (target: string, base: number) => ({
    target,
    p50Ms: base,
    p90Ms: base * 1.5,
    p99Ms: base * 3,
    cdf: [0, 50, 90, 99, 100].map((percentile) => ({
      percentile,
      ms: base * (1 + percentile / 50),
    })),
  });

  it('is well-formed SVG with a bar group and a CDF line per target and level', () => {
    const svg = renderChart({
      title: 'bench <test> & co',
      subtitle: 'sub',
      panels: [1, 8].map((concurrency) => ({
        concurrency,
        series: [series('floor', 2), series('naive', 40), series('x"<y>', 5)],
      })),
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.equal(svg.match(/<polyline /g)?.length, 6);
    assert.ok(svg.includes('bench &lt;test&gt; &amp; co'));
    assert.ok(svg.includes('x&quot;&lt;y&gt;'));
    assert.ok(!svg.includes('NaN'));
    assertBalanced(svg);
  });

  it('escapes the five XML specials', () => {
    assert.equal(
      escapeXml(`<a href="x">'&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;',
    );
  });
});

/** Every element closed in order: enough of a parser to catch a broken chart. */
function assertBalanced(svg: string): void {
  const stack: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name);
    else stack.push(name as string);
  }
  assert.deepEqual(stack, []);
}
