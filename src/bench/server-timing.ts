/**
 * Server-Timing (W3C) as quickstow sends it: `recv;dur=1.2;desc="receive body", commit;dur=30`.
 * The bench averages these per target, so the report says where a server spends its time (reading
 * the body, hashing, committing), not only how long the client waited.
 */
export function parseServerTiming(header: string | undefined): Record<string, number> {
  const metrics: Record<string, number> = {};
  if (header === undefined) return metrics;
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.split(';').map((part) => part.trim());
    if (name === undefined || name === '') continue;
    for (const param of params) {
      const match = /^dur=([0-9.]+)$/.exec(param);
      if (match) metrics[name] = Number(match[1]);
    }
  }
  return metrics;
}

/** Running means of named metrics. */
export class MetricMeans {
  private readonly sums = new Map<string, { total: number; count: number }>();

  add(metrics: Record<string, number>): void {
    for (const [name, value] of Object.entries(metrics)) {
      const sum = this.sums.get(name) ?? { total: 0, count: 0 };
      sum.total += value;
      sum.count += 1;
      this.sums.set(name, sum);
    }
  }

  means(): Record<string, number> {
    return Object.fromEntries(
      [...this.sums].map(([name, { total, count }]) => [name, total / count]),
    );
  }
}
