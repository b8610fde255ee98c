/** The results table printed on stdout: plain text, aligned, readable in a terminal and a log. */
import { ratioFootnote } from './families.js';
import type { LevelResult } from './results.js';

export type Align = 'left' | 'right';

export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? cell.length;
        return align[column] === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Milliseconds with about three significant digits: 0.412, 4.12, 41.2, 412. */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

export function formatRatio(value: number | undefined): string {
  if (value === undefined) return '-';
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}x`;
}

/** 1048576 → "1 MiB", 4096 → "4 KiB", 1000 → "1000 B". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} B`;
}

export function formatRate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

const headers = [
  'target',
  'conc',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'max ms',
  'req/s',
  'MB/s',
  'p50/floor',
  'p99/floor',
  'p50/naive',
  'p99/naive',
  'errors',
  'verified',
];
const align: Align[] = ['left', ...headers.slice(1).map((): Align => 'right')];

export function resultsTable(results: readonly LevelResult[]): string {
  const rows = results.map((result) => [
    result.target,
    String(result.concurrency),
    ...[result.latency.p50Ms, result.latency.p90Ms, result.latency.p99Ms, result.latency.maxMs].map(
      (ms) => (result.latency.count === 0 ? '-' : formatMs(ms)),
    ),
    formatRate(result.throughput.requestsPerSecond),
    formatRate(result.throughput.mbPerSecond),
    formatRatio(result.ratios.p50VsFloor),
    formatRatio(result.ratios.p99VsFloor),
    formatRatio(result.ratios.p50VsNaive),
    formatRatio(result.ratios.p99VsNaive),
    String(result.errors),
    result.verified === undefined ? '-' : `${result.verified.ok}/${result.verified.total}`,
  ]);
  const lines = formatTable(headers, rows, align).split('\n');
  // A blank line between the families, whose ratios have different baselines.
  const body = lines.slice(2).flatMap((line, index) => {
    const family = results[index]?.family;
    return index > 0 && family !== results[index - 1]?.family ? ['', line] : [line];
  });
  return [...lines.slice(0, 2), ...body, '', ratioFootnote(results.map((r) => r.target))].join(
    '\n',
  );
}

const lambdaHeaders = [
  'target',
  'conc',
  'invokes',
  'runtime ms',
  'after answer ms',
  'billed ms',
  'sandboxes used',
  'max memory MB',
  'cold starts',
  'throttled',
];

/**
 * The local-* targets as Lambda sees them (means over the level's invokes, warm-up included):
 * how long the runtime took to answer, how long the sandbox stayed busy after the answer, the
 * billed duration, and how many of the prewarmed sandboxes the level needed. Undefined when no
 * local-* target ran.
 */
export function lambdaTable(results: readonly LevelResult[]): string | undefined {
  const rows = results.flatMap((result) => {
    const lambda = result.lambda;
    if (lambda === undefined) return [];
    return [
      [
        result.target,
        String(result.concurrency),
        String(lambda.invokes),
        formatMs(lambda.meanRuntimeMs),
        formatMs(lambda.meanPostRuntimeMs),
        formatMs(lambda.meanDurationMs),
        `${lambda.sandboxesUsed}/${lambda.sandboxesPrewarmed ?? '?'}`,
        String(lambda.maxMemoryUsedMb),
        String(lambda.coldStarts),
        String(lambda.throttles),
      ],
    ];
  });
  if (rows.length === 0) return undefined;
  return formatTable(lambdaHeaders, rows, [
    'left',
    ...lambdaHeaders.slice(1).map((): Align => 'right'),
  ]);
}
