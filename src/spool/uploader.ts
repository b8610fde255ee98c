/**
 * Drains jobs to the store with at most `concurrency` uploads at once. A failed upload goes to the
 * back of the queue (so one record the store keeps refusing cannot block the others) and pauses
 * the whole uploader for a backoff delay: when the store fails it is usually the store, not the
 * record, so while failures continue only one upload at a time probes it, with exponential
 * backoff and full jitter; the first success restores full concurrency. Jobs are retried for as
 * long as it takes: a spooled payload is never dropped because the store was down.
 */
import { type BackoffOptions, fullJitterDelayMs } from './backoff.js';
import { Queue } from './queue.js';

export interface UploadJob {
  readonly id: string;
  /** Bytes the upload holds in memory while it runs. */
  readonly bytes: number;
  attempts: number;
}

export interface UploaderOptions<J extends UploadJob> {
  concurrency: number;
  backoff: BackoffOptions;
  random: () => number;
  /**
   * Performs one attempt; throws if it failed (then it is retried), resolves false if the job
   * turned out to have nothing to upload (not counted, not retried).
   */
  upload(job: J): Promise<boolean>;
  /** Whether a job may start now besides the concurrency limit (the memory budget). */
  admit(job: J, inFlight: number): boolean;
  onFailure(job: J, error: unknown, retryInMs: number): void;
}

export interface UploaderCounters {
  uploads: number;
  retries: number;
  failures: number;
  inFlight: number;
}

export class Uploader<J extends UploadJob> {
  private readonly queue = new Queue<J>();
  private readonly counters: UploaderCounters = {
    uploads: 0,
    retries: 0,
    failures: 0,
    inFlight: 0,
  };
  private failureStreak = 0;
  private pause: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];

  /** Set once stop() gave up waiting; no upload starts after that. */
  stopped = false;

  constructor(private readonly options: UploaderOptions<J>) {}

  get stats(): Readonly<UploaderCounters> {
    return { ...this.counters };
  }

  /** True while the store is failing and the uploader is backing off. */
  get degraded(): boolean {
    return this.failureStreak > 0;
  }

  get queued(): number {
    return this.queue.length;
  }

  enqueue(job: J): void {
    if (this.stopped) return;
    this.queue.push(job);
    this.pump();
  }

  /** Re-checks the memory budget, e.g. after appends released memory. */
  poke(): void {
    this.pump();
  }

  /**
   * Keeps uploading for at most drainMs, then stops starting uploads. Uploads still running are
   * not waited for past the deadline: their records stay on disk and are uploaded again at the
   * next start (the same key, so harmless).
   */
  async stop(options: { drainMs: number }): Promise<void> {
    if (!this.stopped) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.idle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.drainMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.stopped = true;
    clearTimeout(this.pause);
    this.pause = undefined;
    this.wakeIdle();
  }

  /** Resolves when nothing is queued or running (or the uploader stopped). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.stopped || (this.queue.length === 0 && this.counters.inFlight === 0);
  }

  private pump(): void {
    const limit = this.failureStreak > 0 ? 1 : this.options.concurrency;
    while (!this.stopped && this.pause === undefined && this.counters.inFlight < limit) {
      const job = this.queue.peek();
      if (job === undefined || !this.options.admit(job, this.counters.inFlight)) break;
      this.queue.shift();
      void this.run(job);
    }
    this.wakeIdle();
  }

  private async run(job: J): Promise<void> {
    this.counters.inFlight += 1;
    job.attempts += 1;
    if (job.attempts > 1) this.counters.retries += 1;
    try {
      if (await this.options.upload(job)) {
        this.counters.uploads += 1;
        this.failureStreak = 0;
        // The store answers again: no reason to sit out a backoff another upload started.
        clearTimeout(this.pause);
        this.pause = undefined;
      }
    } catch (error) {
      this.counters.failures += 1;
      this.failureStreak += 1;
      const delayMs = fullJitterDelayMs(
        this.failureStreak,
        this.options.backoff,
        this.options.random,
      );
      this.options.onFailure(job, error, delayMs);
      if (!this.stopped) {
        this.queue.push(job);
        clearTimeout(this.pause);
        this.pause = setTimeout(() => {
          this.pause = undefined;
          this.pump();
        }, delayMs);
      }
    } finally {
      this.counters.inFlight -= 1;
      this.pump();
    }
  }

  private wakeIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
