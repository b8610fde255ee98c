/**
 * Uploads yield to acknowledgements. An upload costs CPU on the machine that acknowledges (reading
 * the record back, the SDK, writing a megabyte to a socket, TLS on AWS), and on a small machine
 * that CPU is taken from the requests being received: with eight uploads running next to each
 * 1 MiB POST, the spool's p50 more than doubled in the bench (docs/benchmarks.md). So while
 * payloads keep arriving, a record waits to be uploaded until the arrivals pause (no append for
 * `quietMs`) or until it has waited `maxDeferMs`, whichever comes first. A burst is acknowledged at
 * the speed of the disk and uploaded right after it; under load that never pauses, every record
 * is uploaded at most `maxDeferMs` late, so the ack-to-stored lag stays bounded.
 *
 * The spool's durability does not change: a deferred record is already fsync'ed. Times come from
 * performance.now(), not the spool's clock: tests freeze that clock, and a frozen clock must not
 * hold uploads back forever.
 */

/** By default, no append for this long counts as a pause in arrivals. */
export const defaultQuietMs = 20;

export class UploadDeferral {
  private lastAppendAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxDeferMs: number,
    private readonly quietMs = defaultQuietMs,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The monotonic time of an append, to stamp the record with. */
  noteAppend(): number {
    this.lastAppendAt = this.now();
    return this.lastAppendAt;
  }

  /**
   * Milliseconds the record appended at `appendedAt` should still wait; 0 means upload now.
   * Records recovered at open have no append time (-Infinity) and never wait.
   */
  waitMs(appendedAt: number): number {
    if (this.maxDeferMs <= 0) return 0;
    const now = this.now();
    const untilQuiet = this.lastAppendAt + this.quietMs - now;
    const untilDue = appendedAt + this.maxDeferMs - now;
    return Math.max(0, Math.min(untilQuiet, untilDue));
  }
}
