/** Scales and ticks for the hand-written SVG chart: the few functions a chart library would give. */

export type Scale = (value: number) => number;

export function linearScale(
  [d0, d1]: readonly [number, number],
  [r0, r1]: readonly [number, number],
): Scale {
  const span = d1 - d0;
  return (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0));
}

/** Base-10 logarithmic; values at or below zero are clamped to the domain's low end. */
export function logScale(
  [d0, d1]: readonly [number, number],
  [r0, r1]: readonly [number, number],
): Scale {
  if (!(d0 > 0 && d1 > 0)) throw new RangeError('a log scale needs a positive domain');
  const linear = linearScale([Math.log10(d0), Math.log10(d1)], [r0, r1]);
  return (value) => linear(Math.log10(Math.max(value, d0)));
}

/** A round step (1, 2 or 5 times a power of ten) giving about `count` intervals over the span. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Ticks from 0 to a round number at or above max. */
export function linearTicks(max: number, count = 5): number[] {
  const step = niceStep(max, count);
  const top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + step / 1e6; i += 1) ticks.push(roundTo(i * step, step));
  return ticks;
}

/** 1, 2, 5, 10, 20, 50… within [min, max]; only the powers of ten when that would crowd the axis. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const candidates: number[] = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power += 1) {
    for (const mantissa of [1, 2, 5]) candidates.push(roundTo(mantissa * 10 ** power, 10 ** power));
  }
  const inRange = candidates.filter((tick) => tick >= min * (1 - 1e-9) && tick <= max * (1 + 1e-9));
  if (inRange.length <= 10) return inRange;
  return inRange.filter((tick) => Number.isInteger(Math.log10(tick)));
}

/** The smallest power-of-ten-aligned bounds (1, 2, 5 steps) that contain [min, max]. */
export function logDomain(min: number, max: number): [number, number] {
  const low = Math.max(min, 1e-3);
  const steps = (value: number) => {
    const power = 10 ** Math.floor(Math.log10(value));
    return [1, 2, 5, 10].map((mantissa) => mantissa * power);
  };
  const lower = steps(low)
    .filter((step) => step <= low)
    .at(-1);
  const upper = steps(Math.max(max, low)).find((step) => step >= max);
  return [lower ?? low, upper ?? max];
}

function roundTo(value: number, step: number): number {
  // Strip floating-point noise (0.30000000000000004) at the step's precision.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(decimals, 12)));
}

/** A tick label without trailing zeros: 0.5, 2, 15, 1000. */
export function formatTick(value: number): string {
  return String(Number(value.toPrecision(6)));
}
