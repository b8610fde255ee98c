/**
 * Interleaving. The requests of one concurrency level are cut into batches, and the targets take
 * turns batch by batch, the first turn rotating from batch to batch. A machine that slows down
 * for a while (another tenant, a GC, thermal limits) then slows every target alike, instead of
 * whichever one happened to be running.
 */
export interface Batch {
  /** Requests each target sends in this batch. */
  size: number;
  /** Indexes into the target list, in the order they run. */
  order: number[];
}

/**
 * Enough requests per batch that every worker sends several (so the batch's ramp-up and drain
 * are small against its steady state), and enough batches that turns interleave finely.
 */
export function batchSizeFor(concurrency: number): number {
  return Math.max(10, concurrency * 5);
}

export function planBatches(requests: number, batchSize: number, targetCount: number): Batch[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be >= 1');
  const batches: Batch[] = [];
  for (let sent = 0, index = 0; sent < requests; sent += batchSize, index += 1) {
    const order = Array.from({ length: targetCount }, (_, i) => (i + index) % targetCount);
    batches.push({ size: Math.min(batchSize, requests - sent), order });
  }
  return batches;
}
