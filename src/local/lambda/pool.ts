/**
 * The Lambda service's part of `quickstow local`: a pool of sandboxes behind the `Invoker` seam.
 *
 * - One invoke at a time per sandbox. A sandbox is busy from the event's delivery until the end
 *   of its invoke phase — after the answer, for as long as extensions keep working — exactly the
 *   time Lambda counts against concurrency.
 * - An idle sandbox is reused (warm start; the most recently used first, so that extra ones
 *   grow idle and spin down); without one, a new sandbox is initialised for the request (cold
 *   start) while fewer than `concurrency` exist.
 * - One allowance for running on one machine: a sandbox whose runtime answered and whose
 *   extensions are all back on `next` is free as soon as the runtime is back on `next` too (a
 *   millisecond or so). On AWS the caller's round trip hides that step; here a caller that
 *   invokes again at once would beat it and cause a needless cold start. So an invoke that finds
 *   no idle sandbox but such a finishing one waits for it, up to finishingGraceMs. A sandbox
 *   whose extensions still work after the answer gets no such allowance: on AWS it is busy.
 * - Throttling: when `concurrency` sandboxes exist and all are busy, the invoke answers
 *   `throttled` AT ONCE by default (queueTimeoutMs 0): Lambda's synchronous invoke does not
 *   queue, it answers 429 TooManyRequestsException, and post-response extension work makes this
 *   happen sooner — which is what this emulator is for. With queueTimeoutMs > 0 the invoke waits
 *   in a FIFO queue for a sandbox up to that long, then answers `throttled` (useful to load a
 *   small local pool without 429s).
 * - prewarm N: N sandboxes are initialised before `startLambdaPool` resolves (provisioned
 *   concurrency): their first invoke is not a cold start, they never spin down, and one that is
 *   reset is replaced in the background.
 * - An on-demand sandbox idle for idleMs is shut down (reason spindown).
 * - close(): no new invokes (QuickstowError shutting-down), queued ones are refused, in-flight
 *   ones end as `crash`, every sandbox is shut down with the shutdown rules. A process 'exit'
 *   hook SIGCONTs and SIGKILLs whatever is left if the process exits without close(); a CLI must
 *   still turn SIGINT/SIGTERM into close() (Node's default on those signals runs no hook).
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { QuickstowError } from '../../core/errors.js';
import type { InvokeRequest, InvokeResult, Invoker } from '../types.js';
import { discardLogs, type LogSink } from './log-sink.js';
import { type LambdaOptions, type LambdaOptionsInput, resolveLambdaOptions } from './options.js';
import { makeReport } from './report.js';
import { Sandbox } from './sandbox.js';

export interface LambdaPoolDependencies {
  /** Where the sandboxes' log lines go (CloudWatch's part); discarded by default. */
  onLog?: LogSink;
}

export interface LambdaPoolStats {
  sandboxes: number;
  initializing: number;
  idle: number;
  busy: number;
  queued: number;
}

type Lease = { sandbox: Sandbox; coldStart: boolean } | { throttled: true };

/** An invoke waiting for a sandbox; it gets undefined when its wait is over without one. */
interface Waiter {
  resolve(lease: Lease | undefined): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

/** How long an invoke waits for a finishing sandbox (see the top of this file). */
const finishingGraceMs = 100;

export async function startLambdaPool(
  input: LambdaOptionsInput,
  dependencies: LambdaPoolDependencies = {},
): Promise<LambdaPool> {
  const pool = new LambdaPool(resolveLambdaOptions(input), dependencies.onLog ?? discardLogs);
  await pool.prewarm();
  return pool;
}

export class LambdaPool implements Invoker {
  private readonly sandboxes = new Set<Sandbox>();
  /** Idle sandboxes, the most recently used last. */
  private readonly idle: Sandbox[] = [];
  private readonly idleTimers = new Map<Sandbox, NodeJS.Timeout>();
  private readonly waiters: Waiter[] = [];
  private closing: Promise<void> | undefined;
  private readonly killOnExit = () => {
    for (const sandbox of this.sandboxes) sandbox.killNow();
  };

  constructor(
    readonly options: LambdaOptions,
    private readonly onLog: LogSink,
  ) {
    process.on('exit', this.killOnExit);
  }

  /**
   * Initialises `prewarm` sandboxes; throws (after closing the pool) if any init fails. A few at
   * a time (two per core): on AWS provisioned sandboxes start on many machines at once, here they
   * share this one's cores, and forty inits at once took some past Lambda's 10 s init limit.
   */
  async prewarm(): Promise<void> {
    const results: Array<{ sandbox: Sandbox; result: Awaited<ReturnType<Sandbox['init']>> }> = [];
    let started = 0;
    const initNext = async (): Promise<void> => {
      while (started < this.options.prewarm) {
        started += 1;
        const sandbox = this.createSandbox(true);
        results.push({ sandbox, result: await sandbox.init() });
      }
    };
    const parallel = Math.max(1, 2 * availableParallelism());
    await Promise.all(Array.from({ length: Math.min(parallel, this.options.prewarm) }, initNext));
    const failed = results.find(({ result }) => !result.ok);
    if (failed !== undefined && !failed.result.ok) {
      await this.close();
      throw new QuickstowError(
        'invalid-config',
        400,
        `Prewarming failed: init error ${failed.result.errorType}: ${failed.result.errorMessage}`,
      );
    }
    for (const { sandbox } of results) this.release(sandbox);
  }

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    if (this.closing !== undefined) throw shuttingDown();
    const requestId = randomUUID();
    const lease = await this.acquire();
    if ('throttled' in lease) {
      return { requestId, outcome: { kind: 'throttled' }, coldStart: false, report: '' };
    }
    const { sandbox, coldStart } = lease;
    if (coldStart) {
      const init = await sandbox.init();
      if (!init.ok) {
        // The sandbox ends itself (reason failure); the caller gets what Lambda answers.
        const report = makeReport({
          requestId,
          durationMs: 0,
          billedDurationMs: 0,
          runtimeDurationMs: 0,
          postRuntimeExtensionsDurationMs: 0,
          memorySizeMb: this.options.memoryMb,
          maxMemoryUsedMb: 0,
          initDurationMs: init.initDurationMs,
          status: init.errorType === 'Sandbox.Timedout' ? 'timeout' : 'error',
          errorType: init.errorType,
        });
        this.onLog({
          sandboxId: sandbox.id,
          logStreamName: sandbox.logStreamName,
          source: 'platform',
          stream: 'platform',
          message: report.line,
          timestamp: Date.now(),
        });
        const outcome = {
          kind: 'init-error' as const,
          errorType: init.errorType,
          errorMessage: init.errorMessage,
        };
        return {
          requestId,
          outcome,
          coldStart,
          report: report.line,
          invokePhase: Promise.resolve(report),
        };
      }
    }
    if (sandbox.state !== 'idle') {
      // Reset between init and now (shut down by close(), or a process died while it was idle).
      return {
        requestId,
        outcome: { kind: 'crash', detail: `the sandbox was ${sandbox.state} before the invoke` },
        coldStart,
        report: '',
      };
    }
    const run = sandbox.invoke(request, requestId, coldStart && !sandbox.provisioned);
    const invokePhase = run.phaseEnd.then((end) => {
      if (end.reusable) this.release(sandbox);
      return end.report;
    });
    const answer = await run.answer;
    return { requestId, outcome: answer.outcome, coldStart, report: answer.report, invokePhase };
  }

  stats(): LambdaPoolStats {
    let initializing = 0;
    let busy = 0;
    for (const sandbox of this.sandboxes) {
      if (sandbox.state === 'initializing' || sandbox.state === 'created') initializing++;
      else if (sandbox.state === 'invoking') busy++;
    }
    return {
      sandboxes: this.sandboxes.size,
      initializing,
      idle: this.idle.length,
      busy,
      queued: this.waiters.length,
    };
  }

  /** Shuts every sandbox down (spindown) and refuses new invokes; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const waiter of this.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(shuttingDown());
      }
      for (const timer of this.idleTimers.values()) clearTimeout(timer);
      this.idleTimers.clear();
      this.idle.length = 0;
      await Promise.all([...this.sandboxes].map((sandbox) => sandbox.shutdown('spindown')));
      process.removeListener('exit', this.killOnExit);
    })();
    return this.closing;
  }

  private async acquire(): Promise<Lease> {
    const warm = this.takeIdle();
    if (warm !== undefined) return warm;
    if ([...this.sandboxes].some((sandbox) => sandbox.isFinishing)) {
      const freed = (await this.waitForSandbox(finishingGraceMs)) ?? this.takeIdle();
      if (freed !== undefined) return freed;
    }
    if (this.sandboxes.size < this.options.concurrency) {
      return { sandbox: this.createSandbox(false), coldStart: true };
    }
    if (this.options.queueTimeoutMs === 0) return { throttled: true };
    return (await this.waitForSandbox(this.options.queueTimeoutMs)) ?? { throttled: true };
  }

  private takeIdle(): Lease | undefined {
    for (let warm = this.idle.pop(); warm !== undefined; warm = this.idle.pop()) {
      clearTimeout(this.idleTimers.get(warm));
      this.idleTimers.delete(warm);
      // One that died while idle is being reset; its slot frees when it is gone.
      if (warm.state === 'idle') return { sandbox: warm, coldStart: false };
    }
    return undefined;
  }

  /** Queues for the next sandbox released (or slot freed), FIFO, up to timeoutMs. */
  private waitForSandbox(timeoutMs: number): Promise<Lease | undefined> {
    return new Promise<Lease | undefined>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          resolve(undefined);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** The sandbox finished an invoke phase (or prewarming) and is frozen, ready for another. */
  private release(sandbox: Sandbox): void {
    if (this.closing !== undefined || sandbox.state !== 'idle') return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      waiter.resolve({ sandbox, coldStart: false });
      return;
    }
    this.idle.push(sandbox);
    if (!sandbox.provisioned) {
      const timer = setTimeout(() => {
        this.idleTimers.delete(sandbox);
        const index = this.idle.indexOf(sandbox);
        if (index < 0) return;
        this.idle.splice(index, 1);
        void sandbox.shutdown('spindown');
      }, this.options.idleMs);
      timer.unref();
      this.idleTimers.set(sandbox, timer);
    }
  }

  private createSandbox(provisioned: boolean): Sandbox {
    const sandbox = new Sandbox(this.options, provisioned, {
      onLog: this.onLog,
      onGone: (gone) => this.onGone(gone),
    });
    this.sandboxes.add(sandbox);
    return sandbox;
  }

  /** A sandbox is gone (spindown, reset, failed init): its slot is free again. */
  private onGone(sandbox: Sandbox): void {
    this.sandboxes.delete(sandbox);
    const index = this.idle.indexOf(sandbox);
    if (index >= 0) this.idle.splice(index, 1);
    clearTimeout(this.idleTimers.get(sandbox));
    this.idleTimers.delete(sandbox);
    if (this.closing !== undefined) return;
    if (sandbox.provisioned) {
      // A replacement whose own init failed is not replaced again: a broken init must not loop.
      if (sandbox.wasReady) this.replaceProvisioned();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined && this.sandboxes.size < this.options.concurrency) {
      clearTimeout(waiter.timer);
      waiter.resolve({ sandbox: this.createSandbox(false), coldStart: true });
    } else if (waiter !== undefined) {
      this.waiters.unshift(waiter);
    }
  }

  /** Provisioned concurrency stays provisioned: a reset one is replaced, in the background. */
  private replaceProvisioned(): void {
    const sandbox = this.createSandbox(true);
    void sandbox.init().then((result) => {
      if (result.ok) this.release(sandbox);
    });
  }
}

function shuttingDown(): QuickstowError {
  return new QuickstowError('shutting-down', 503, 'The Lambda emulator is shutting down');
}
