/**
 * Interleaving. The requests of one concurrency level are cut into batches, and the targets take
 * turns batch by batch. A machine that slows down for a while (another tenant, a GC, thermal
 * limits) then slows every target alike, instead of whichever one happened to be running.
 *
 * The turns follow a Williams design (a Latin square balanced for carry-over): over a cycle of
 * batches every target goes first equally often AND follows every other target equally often.
 * That matters because a target's work does not stop with its batch: serve-spool keeps uploading
 * its spool, after-response sandboxes keep uploading, servers collect their garbage. With a plain
 * rotation (0,1,2,3 / 1,2,3,0 / …) the same target always runs right after serve-spool and pays
 * for its uploads every time, which made the floor's tail look worse than it is.
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
  const orders = balancedOrders(targetCount);
  const batches: Batch[] = [];
  for (let sent = 0, index = 0; sent < requests; sent += batchSize, index += 1) {
    const order = [...(orders[index % orders.length] ?? [])];
    batches.push({ size: Math.min(batchSize, requests - sent), order });
  }
  return batches;
}

/**
 * A Williams design for n targets: the first order is 0, 1, n−1, 2, n−2, …; the others add 1, 2, …
 * to it (mod n). For an odd n the mirror images are added, 2n orders in all. Each target is first
 * in as many orders as any other, and each ordered pair (a right before b) occurs equally often.
 */
export function balancedOrders(n: number): number[][] {
  if (n <= 0) return [[]];
  const first: number[] = [];
  for (let low = 0, high = n - 1, take = 0; first.length < n; take += 1) {
    if (take === 0) first.push(0);
    else if (take % 2 === 1) first.push(++low);
    else first.push(high--);
  }
  const orders = Array.from({ length: n }, (_, shift) => first.map((t) => (t + shift) % n));
  return n % 2 === 0 ? orders : [...orders, ...orders.map((order) => [...order].reverse())];
}
