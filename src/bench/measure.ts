/**
 * The measured run: for each concurrency level and each family of targets (families.ts), a
 * warm-up per target (answers kept for verification, latencies not), then the requests in
 * interleaved batches (see schedule.ts). Bodies are generated and hashed before each batch
 * starts, outside every timer.
 *
 * Targets take turns within their family, whose floor and naive are their baselines; the
 * families run one after the other. Interleaving across families would buy no fairer ratio (no
 * ratio crosses families) and would cost every one of them: the local family's processes keep
 * working between their batches (uploads after the answer, the emulator's bookkeeping, dozens
 * of sandboxes), which would land in the serve family's timings, and the other way round.
 */
import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Histogram } from 'hdr-histogram-js';
import { type Body, randomBodies } from './bodies.js';
import type { RunningTarget } from './catalog.js';
import { families, familyLabels, familyOf } from './families.js';
import { keepAliveAgent, type Outcome, runBatch } from './load.js';
import type { Progress } from './progress.js';
import { batchSizeFor, planBatches } from './schedule.js';
import { MetricMeans } from './server-timing.js';
import { newLatencyHistogram, recordLatencyMs } from './stats.js';
import type { Acknowledged } from './verify.js';

export interface LevelStats {
  target: string;
  concurrency: number;
  histogram: Histogram;
  requests: number;
  errors: number;
  bytes: number;
  elapsedMs: number;
  serverTiming: MetricMeans;
}

export interface Measurement {
  levels: LevelStats[];
  acknowledged: Acknowledged[];
  /** Failed requests, warm-up included, with the first few reasons. */
  errors: { target: string; concurrency: number; error: string }[];
}

export interface MeasureOptions {
  sizeBytes: number;
  requests: number;
  warmup: number;
  concurrency: number[];
  progress: Progress;
  signal: AbortSignal;
}

export async function measure(
  targets: readonly RunningTarget[],
  options: MeasureOptions,
): Promise<Measurement> {
  const measurement: Measurement = { levels: [], acknowledged: [], errors: [] };
  const groups = families
    .map((family) => ({ family, members: targets.filter((t) => familyOf(t.name) === family) }))
    .filter((group) => group.members.length > 0);
  for (const concurrency of options.concurrency) {
    for (const { family, members } of groups) {
      const agents = members.map((target) => keepAliveAgent(target.url, concurrency));
      const label = groups.length > 1 ? ` (${familyLabels[family]})` : '';
      try {
        await measureLevel(members, agents, concurrency, label, options, measurement);
      } finally {
        for (const agent of agents) agent.destroy();
      }
    }
  }
  return measurement;
}

async function measureLevel(
  targets: readonly RunningTarget[],
  agents: readonly Agent[],
  concurrency: number,
  label: string,
  options: MeasureOptions,
  measurement: Measurement,
): Promise<void> {
  const { progress, signal } = options;
  const stats = targets.map(
    (target): LevelStats => ({
      target: target.name,
      concurrency,
      histogram: newLatencyHistogram(),
      requests: 0,
      errors: 0,
      bytes: 0,
      elapsedMs: 0,
      serverTiming: new MetricMeans(),
    }),
  );
  measurement.levels.push(...stats);
  for (const target of targets) target.lambdaLog?.startLevel(concurrency);
  const keep = (target: RunningTarget, outcome: Outcome) => {
    progress.tick();
    if (!outcome.ok) {
      measurement.errors.push({ target: target.name, concurrency, error: outcome.error ?? '' });
      return;
    }
    const receipt = outcome.receipt;
    if (receipt === undefined || target.readBack === 'none') return;
    measurement.acknowledged.push({
      target: target.name,
      concurrency,
      id: receipt.id,
      ...(receipt.key === undefined ? {} : { key: receipt.key }),
      sha256: outcome.sha256,
      size: outcome.size,
      ...(receipt.sha256 === undefined ? {} : { receiptSha256: receipt.sha256 }),
      ...(receipt.size === undefined ? {} : { receiptSize: receipt.size }),
      storedLater: outcome.status === 202,
    });
  };

  if (options.warmup > 0) {
    progress.phase(`concurrency ${concurrency}${label}: warm-up`, options.warmup * targets.length);
    for (const [index, target] of targets.entries()) {
      signal.throwIfAborted();
      const bodies = await freshBodies(options.warmup, options.sizeBytes);
      await runBatch(target.url, agents[index] as Agent, bodies, concurrency, (outcome) =>
        keep(target, outcome),
      );
    }
  }

  progress.phase(`concurrency ${concurrency}${label}`, options.requests * targets.length);
  for (const batch of planBatches(options.requests, batchSizeFor(concurrency), targets.length)) {
    for (const index of batch.order) {
      signal.throwIfAborted();
      const target = targets[index] as RunningTarget;
      const level = stats[index] as LevelStats;
      const bodies = await freshBodies(batch.size, options.sizeBytes);
      const { elapsedMs } = await runBatch(
        target.url,
        agents[index] as Agent,
        bodies,
        concurrency,
        (outcome) => {
          keep(target, outcome);
          if (!outcome.ok) {
            level.errors += 1;
            return;
          }
          level.requests += 1;
          level.bytes += outcome.size;
          recordLatencyMs(level.histogram, outcome.latencyMs);
          level.serverTiming.add(outcome.serverTiming);
        },
      );
      level.elapsedMs += elapsedMs;
    }
  }
}

/**
 * Bodies for a batch, then one turn of the event loop before the batch may use them. Generating
 * a batch blocks for a while (40 MiB of random bytes and their hashes at concurrency 8); a
 * keep-alive socket whose idle timeout (the server's Keep-Alive hint) ran out meanwhile, or that
 * the server closed, is only dropped from the agent when its timer or its FIN is processed.
 * Without that turn a request could be written to a socket the server had just closed (EPIPE).
 */
async function freshBodies(count: number, sizeBytes: number): Promise<Body[]> {
  const bodies = randomBodies(count, sizeBytes);
  await sleep(1);
  return bodies;
}
