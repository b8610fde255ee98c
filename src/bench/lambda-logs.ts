/**
 * The Lambda side of a local-* target, read from the log `quickstow local` prints (what CloudWatch
 * would hold): one REPORT line per invoke, with the invoke phase's Duration (billed, and covering
 * the extensions' work after the answer) and the post-runtime part of it, the START lines (which
 * sandbox ran each invoke), and the access log's cold starts and throttles. Per concurrency level:
 * lines count toward the level running when they arrive (warm-up included; a REPORT of the last
 * invokes of a level, which ends after the answer, may land in the next one).
 *
 * This is what the client cannot see: how long each mode keeps (and bills) a sandbox, and how
 * many sandboxes it needed for the requests in flight.
 */
import { parseReportLine } from '../local/lambda/report.js';

export interface LambdaLevelStats {
  /** REPORT lines: invoke phases that ended. */
  invokes: number;
  /** Distinct sandboxes that ran an invoke. */
  sandboxesUsed: number;
  /** Sandboxes the function had, all prewarmed (its concurrency). */
  sandboxesPrewarmed?: number;
  /** Duration: the whole invoke phase, billed, post-response work included. */
  meanDurationMs: number;
  /** From the event's delivery to the runtime's answer (Duration − post-runtime). */
  meanRuntimeMs: number;
  /** Post Runtime Extensions Duration: the sandbox still busy after the answer. */
  meanPostRuntimeMs: number;
  /** The highest Max Memory Used reported. */
  maxMemoryUsedMb: number;
  coldStarts: number;
  throttles: number;
}

interface Accumulator {
  invokes: number;
  sandboxes: Set<string>;
  durationMs: number;
  postRuntimeMs: number;
  maxMemoryUsedMb: number;
  coldStarts: number;
  throttles: number;
}

const recordLine = /^\S+ \[([0-9a-f]+)\] (.*)$/;

/** Problem lines kept, for the report of a failed run. */
const maxProblems = 20;

export class LambdaLogStats {
  /**
   * The first access-log lines of requests that were not answered 2xx, and REPORT lines of
   * invokes that failed: what the emulator says about the failures the client saw.
   */
  readonly problems: string[] = [];
  private readonly levels = new Map<number, Accumulator>();
  private current: Accumulator | undefined;
  private partial = '';

  /** Lines from now on count toward this level. */
  startLevel(concurrency: number): void {
    let accumulator = this.levels.get(concurrency);
    if (accumulator === undefined) {
      accumulator = {
        invokes: 0,
        sandboxes: new Set(),
        durationMs: 0,
        postRuntimeMs: 0,
        maxMemoryUsedMb: 0,
        coldStarts: 0,
        throttles: 0,
      };
      this.levels.set(concurrency, accumulator);
    }
    this.current = accumulator;
  }

  /** A chunk of the target's stdout, cut anywhere. */
  write(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  line(text: string): void {
    const level = this.current;
    if (level === undefined) return; // prewarming, before the first level
    const record = recordLine.exec(text);
    if (record === null) {
      // The access log: `POST /payloads 202 12.3 ms response (cold start)`.
      const access = /^[A-Z]+ \S+ (\d{3}) /.exec(text);
      if (access === null) return;
      if (!access[1]?.startsWith('2')) this.problem(text);
      if (text.includes('(cold start)')) level.coldStarts += 1;
      if (/ throttled\b/.test(text)) level.throttles += 1;
      return;
    }
    const [, sandbox, message] = record as unknown as [string, string, string];
    if (message.startsWith('START RequestId: ')) {
      level.sandboxes.add(sandbox);
      return;
    }
    const report = parseReportLine(message);
    if (report === undefined) return;
    if (report.status !== 'success') this.problem(text);
    level.invokes += 1;
    level.durationMs += report.durationMs;
    level.postRuntimeMs += report.postRuntimeExtensionsDurationMs ?? 0;
    level.maxMemoryUsedMb = Math.max(level.maxMemoryUsedMb, report.maxMemoryUsedMb);
  }

  private problem(line: string): void {
    if (this.problems.length < maxProblems) this.problems.push(line);
  }

  summary(concurrency: number): LambdaLevelStats | undefined {
    const level = this.levels.get(concurrency);
    if (level === undefined) return undefined;
    const mean = (total: number) => (level.invokes === 0 ? 0 : total / level.invokes);
    return {
      invokes: level.invokes,
      sandboxesUsed: level.sandboxes.size,
      meanDurationMs: mean(level.durationMs),
      meanRuntimeMs: mean(level.durationMs - level.postRuntimeMs),
      meanPostRuntimeMs: mean(level.postRuntimeMs),
      maxMemoryUsedMb: level.maxMemoryUsedMb,
      coldStarts: level.coldStarts,
      throttles: level.throttles,
    };
  }
}
