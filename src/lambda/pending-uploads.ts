/**
 * The payloads an after-response extension holds in memory between the 202 and the upload.
 *
 * `drain(deadline)` uploads everything held, in parallel, retrying each failure with full-jitter
 * backoff for as long as the deadline allows. Whatever is still not uploaded by then is never
 * dropped silently: it goes to the fallback store when one is configured (a folder on EFS, say),
 * and in every case it is logged as an error with its id and counted (UploadFailures,
 * PayloadsToFallback or PayloadsLost), because the sandbox may be frozen and reclaimed next.
 */
import { QuickstowError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import { defaultBackoff, fullJitterDelayMs } from '../spool/backoff.js';
import { FsStore } from '../store/fs.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import type { LambdaConfig } from './config.js';
import type { LambdaTelemetry } from './telemetry.js';

export interface PendingPayload {
  id: string;
  meta: ObjectMeta;
  body: Buffer;
  /** When the 202 was given (epoch ms), for the ack-to-stored lag. */
  ackedAtMs: number;
}

export interface PendingUploadsOptions {
  store: ObjectStore;
  fallback?: ObjectStore | undefined;
  telemetry: LambdaTelemetry;
  logger: Logger;
  memoryMaxBytes: number;
  random?: () => number;
}

export class PendingUploads {
  private readonly held = new Map<string, PendingPayload>();
  private heldBytes = 0;
  private readonly random: () => number;

  constructor(private readonly options: PendingUploadsOptions) {
    this.random = options.random ?? Math.random;
  }

  get size(): number {
    return this.held.size;
  }

  /** Takes a payload; refuses (503) rather than hold more than the memory budget. */
  add(payload: PendingPayload): void {
    if (this.heldBytes + payload.body.length > this.options.memoryMaxBytes) {
      throw new QuickstowError(
        'memory-full',
        503,
        'Too many payloads waiting for upload in this sandbox',
        {
          headers: { 'retry-after': '1' },
        },
      );
    }
    this.held.set(payload.id, payload);
    this.heldBytes += payload.body.length;
  }

  get(id: string): PendingPayload | undefined {
    return this.held.get(id);
  }

  /** Uploads everything held, retrying until `deadlineMs` (epoch ms); then falls back. */
  async drain(deadlineMs: number): Promise<void> {
    const batch = [...this.held.values()];
    await Promise.all(batch.map((payload) => this.upload(payload, deadlineMs)));
    this.options.telemetry.flush();
  }

  private async upload(payload: PendingPayload, deadlineMs: number): Promise<void> {
    const { store, telemetry, logger } = this.options;
    let failures = 0;
    let lastError: unknown;
    while (Date.now() < deadlineMs) {
      const started = Date.now();
      try {
        await withDeadline(store.put(payload.meta, payload.body), deadlineMs);
        telemetry.milliseconds('UploadLatency', Date.now() - started);
        telemetry.milliseconds('AckToStoredLag', Date.now() - payload.ackedAtMs);
        this.release(payload);
        return;
      } catch (error) {
        lastError = error;
        failures += 1;
        telemetry.count('UploadFailures');
        const delay = fullJitterDelayMs(failures, defaultBackoff, this.random);
        logger.warn(
          { id: payload.id, attempt: failures, retryInMs: delay, err: error },
          'upload failed; retrying',
        );
        await sleep(Math.min(delay, Math.max(0, deadlineMs - Date.now())));
      }
    }
    await this.giveUp(payload, lastError);
  }

  /** Out of time: keep the payload in the fallback if there is one, and say so loudly. */
  private async giveUp(payload: PendingPayload, cause: unknown): Promise<void> {
    const { fallback, telemetry, logger } = this.options;
    if (fallback !== undefined) {
      try {
        await fallback.put(payload.meta, payload.body);
        telemetry.count('PayloadsToFallback');
        logger.error(
          { id: payload.id, key: payload.meta.key, err: cause },
          'payload not uploaded before the deadline; kept in the fallback store',
        );
        this.release(payload);
        return;
      } catch (error) {
        cause = error;
      }
    }
    telemetry.count('PayloadsLost');
    logger.error(
      {
        id: payload.id,
        key: payload.meta.key,
        size: payload.meta.size,
        sha256: payload.meta.sha256,
        err: cause,
      },
      'PAYLOAD LOST: acknowledged but neither uploaded nor kept in a fallback',
    );
    this.release(payload);
  }

  private release(payload: PendingPayload): void {
    if (this.held.delete(payload.id)) this.heldBytes -= payload.body.length;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Stops waiting at the deadline; the store's own timeout ends the request itself. */
function withDeadline<T>(promise: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new QuickstowError('store-unavailable', 503, 'Upload did not finish before the deadline'),
        ),
      Math.max(0, deadlineMs - Date.now()),
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The uploads an after-response extension holds, with the fallback folder the config names. */
export function pendingUploadsFor(
  config: LambdaConfig,
  store: ObjectStore,
  telemetry: LambdaTelemetry,
): PendingUploads {
  return new PendingUploads({
    store,
    fallback: config.fallbackDir === '' ? undefined : new FsStore({ root: config.fallbackDir }),
    telemetry,
    logger: telemetry.logger,
    memoryMaxBytes: config.shared.memoryMaxBytes,
  });
}
