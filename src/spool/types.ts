/**
 * What the spool is handed from outside: a clock, a logger and the seam to the filesystem
 * (fs.ts), plus what it hands back: stats for /metrics and events for histograms.
 */

export type { Clock, Logger } from '../core/ports.js';
export { silentLogger, systemClock } from '../core/ports.js';

export interface SpoolStats {
  /** Records committed (or queued for commit) and not yet in the store. */
  pendingRecords: number;
  /** Their framed bytes: what counts against spoolMaxBytes. */
  pendingBytes: number;
  /** Milliseconds since the oldest pending record was received; 0 when nothing is pending. */
  oldestPendingAgeMs: number;
  /** Bytes held in memory: queued for the next write plus uploads in flight (memoryMaxBytes). */
  memoryBytes: number;
  /** Segment files on disk, the active one included. */
  segments: number;
  /** Successful uploads since open. */
  uploads: number;
  /** Upload attempts that were not a record's first. */
  retries: number;
  /** Upload attempts that failed (each one is retried later). */
  failures: number;
  uploadsInFlight: number;
  /** Corrupted regions found (at open or when read back) and moved aside, never uploaded. */
  quarantined: number;
  /** Bytes of torn tails cut off at open (records never acknowledged). */
  truncatedBytes: number;
  /** Group commits (one write + one fsync each) since open. */
  commits: number;
  /** True once the spool could not repair a failed write; it then refuses every append. */
  broken: boolean;
}

export type SpoolEvent =
  | { type: 'committed'; records: number; bytes: number; durationMs: number }
  | { type: 'commit-failed'; records: number; error: unknown }
  | {
      type: 'uploaded';
      id: string;
      key: string;
      bytes: number;
      attempts: number;
      durationMs: number;
    }
  | { type: 'upload-failed'; id: string; attempt: number; retryInMs: number; error: unknown }
  | { type: 'quarantined'; segment: string; offset: number; bytes: number; reason: string };
