/** The report folder: results.json (everything, machine included) and latency.svg. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Baselines, type Family, families, familyLabels } from './families.js';
import type { Machine } from './machine.js';
import type { LevelResult } from './results.js';
import { renderChart } from './svg/chart.js';
import { formatBytes } from './table.js';

export interface BenchReport {
  date: string;
  machine: Machine;
  options: Record<string, unknown>;
  targets: {
    name: string;
    description: string;
    url?: string;
    functionName?: string;
    sandboxes?: number;
    /** local-* targets: log lines of failed requests and invokes (lambda-logs.ts). */
    logProblems?: string[];
  }[];
  /** Which baselines each family's ratios are to. */
  ratioBaselines: Record<Family, Baselines>;
  results: LevelResult[];
  /** Payloads that were lost or differ, per target. */
  failures: { target: string; id: string; problem: string }[];
}

export interface ReportFiles {
  json: string;
  svg: string;
}

export async function writeReport(dir: string, report: BenchReport): Promise<ReportFiles> {
  await mkdir(dir, { recursive: true });
  const files = { json: path.join(dir, 'results.json'), svg: path.join(dir, 'latency.svg') };
  await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files.svg, chartOf(report));
  return files;
}

export function chartOf(report: BenchReport): string {
  const levels = [...new Set(report.results.map((result) => result.concurrency))];
  const size = report.options.sizeBytes;
  return renderChart({
    title: 'quickstow bench: POST /payloads latency',
    subtitle: [
      `${typeof size === 'number' ? formatBytes(size) : '?'} random payloads`,
      `${report.options.requests} requests per target and level`,
      typeof report.options.s3Endpoint === 'string'
        ? `S3 at ${report.options.s3Endpoint}`
        : `s3rver stand-in, ${report.options.s3DelayMs} ms each way`,
      `${report.machine.cpuModel}, ${report.machine.cores} cores, Node ${report.machine.nodeVersion}`,
      report.date.slice(0, 16).replace('T', ' '),
    ].join(' · '),
    // A row per family and level: each family with its own baselines, on its own scale.
    panels: families
      .filter((family) => report.results.some((result) => result.family === family))
      .flatMap((family) => levels.map((concurrency) => ({ family, concurrency })))
      .map(({ family, concurrency }) => ({
        concurrency,
        label: familyLabels[family],
        series: report.results
          .filter((result) => result.concurrency === concurrency && result.family === family)
          .map((result) => ({
            target: result.target,
            p50Ms: result.latency.p50Ms,
            p90Ms: result.latency.p90Ms,
            p99Ms: result.latency.p99Ms,
            cdf: result.cdf,
          })),
      })),
  });
}
