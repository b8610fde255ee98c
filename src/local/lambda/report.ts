/**
 * The platform's log lines, CloudWatch style. One REPORT line per invoke, fields separated by
 * tabs, in this order (the optional ones only when they apply):
 *
 *   REPORT RequestId: <id>  Duration: 512.34 ms  Billed Duration: 513 ms  Memory Size: 128 MB
 *   Max Memory Used: 71 MB  [Init Duration: 180.12 ms]  Post Runtime Extensions Duration: 500.12 ms
 *   [Status: timeout|error]  [Error Type: Runtime.ExitError]
 *
 * - Duration is the whole invoke phase, as on Lambda: from the event's delivery to the moment
 *   the runtime and every extension have called `next` again. It includes the extensions'
 *   post-runtime work, which is billed (Billed Duration = Duration rounded up to the ms).
 * - Post Runtime Extensions Duration is not in Lambda's REPORT line (Lambda publishes it as the
 *   PostRuntimeExtensionsDuration metric); it is added here so that a test or a reader of the
 *   logs sees it: from the runtime's answer to the last `next`. Without extensions it is the
 *   runtime's own step from its answer to its next `next` (about a millisecond).
 * - Init Duration appears on the first invoke of an on-demand sandbox (a cold start), not on a
 *   prewarmed (provisioned) one, as on Lambda.
 * - Max Memory Used: see memory-gauge.ts for what exactly is summed.
 * - Status / Error Type: absent on success; as in Lambda's newer REPORT lines otherwise.
 */
import type { InvokeReport } from '../types.js';

export type ReportFigures = Omit<InvokeReport, 'line'>;

const ms = (value: number) => `${value.toFixed(2)} ms`;

/**
 * The line. `atAnswer`: the REPORT as known when the runtime answered, returned with the answer
 * before the phase is over; Duration is then the runtime's part only and the post-runtime field
 * is left out (it is not known yet).
 */
export function reportLine(figures: ReportFigures, options: { atAnswer?: boolean } = {}): string {
  const fields = [
    `REPORT RequestId: ${figures.requestId}`,
    `Duration: ${ms(figures.durationMs)}`,
    `Billed Duration: ${figures.billedDurationMs} ms`,
    `Memory Size: ${figures.memorySizeMb} MB`,
    `Max Memory Used: ${figures.maxMemoryUsedMb} MB`,
  ];
  if (figures.initDurationMs !== undefined)
    fields.push(`Init Duration: ${ms(figures.initDurationMs)}`);
  if (options.atAnswer !== true) {
    fields.push(`Post Runtime Extensions Duration: ${ms(figures.postRuntimeExtensionsDurationMs)}`);
  }
  if (figures.status !== 'success') fields.push(`Status: ${figures.status}`);
  if (figures.errorType !== undefined) fields.push(`Error Type: ${figures.errorType}`);
  return fields.join('\t');
}

export function makeReport(figures: ReportFigures): InvokeReport {
  return { ...figures, line: reportLine(figures) };
}

/** Billed Duration: Lambda rounds the duration up to the next millisecond. */
export function billedMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export type ParsedReport = Omit<ReportFigures, 'postRuntimeExtensionsDurationMs'> & {
  /** Absent from a REPORT given at the answer. */
  postRuntimeExtensionsDurationMs?: number;
};

/** Reads a REPORT line back into its figures (for tests and for tools reading the logs). */
export function parseReportLine(line: string): ParsedReport | undefined {
  if (!line.startsWith('REPORT RequestId: ')) return undefined;
  const fields = new Map<string, string>();
  for (const field of line.split('\t')) {
    const colon = field.indexOf(': ');
    if (colon > 0) fields.set(field.slice(0, colon), field.slice(colon + 2));
  }
  const number = (key: string) => {
    const value = fields.get(key);
    return value === undefined ? undefined : Number.parseFloat(value);
  };
  const requestId = fields.get('REPORT RequestId');
  const durationMs = number('Duration');
  const billedDurationMs = number('Billed Duration');
  const memorySizeMb = number('Memory Size');
  const maxMemoryUsedMb = number('Max Memory Used');
  const postRuntimeExtensionsDurationMs = number('Post Runtime Extensions Duration');
  if (
    requestId === undefined ||
    durationMs === undefined ||
    billedDurationMs === undefined ||
    memorySizeMb === undefined ||
    maxMemoryUsedMb === undefined
  ) {
    return undefined;
  }
  const status = (fields.get('Status') ?? 'success') as ReportFigures['status'];
  const figures: ParsedReport = {
    requestId,
    durationMs,
    billedDurationMs,
    runtimeDurationMs: durationMs - (postRuntimeExtensionsDurationMs ?? 0),
    memorySizeMb,
    maxMemoryUsedMb,
    status,
  };
  if (postRuntimeExtensionsDurationMs !== undefined) {
    figures.postRuntimeExtensionsDurationMs = postRuntimeExtensionsDurationMs;
  }
  const initDurationMs = number('Init Duration');
  if (initDurationMs !== undefined) figures.initDurationMs = initDurationMs;
  const errorType = fields.get('Error Type');
  if (errorType !== undefined) figures.errorType = errorType;
  return figures;
}

export const startLine = (requestId: string) => `START RequestId: ${requestId} Version: $LATEST`;
export const endLine = (requestId: string) => `END RequestId: ${requestId}`;

export function initReportLine(
  initDurationMs: number,
  status: 'success' | 'error' | 'timeout',
  errorType?: string,
): string {
  const fields = [
    `INIT_REPORT Init Duration: ${ms(initDurationMs)}`,
    'Phase: init',
    `Status: ${status}`,
  ];
  if (errorType !== undefined) fields.push(`Error Type: ${errorType}`);
  return fields.join('\t');
}
