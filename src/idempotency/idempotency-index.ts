/**
 * The Idempotency-Key index: key → the first request's payload id, body digest and receipt, for
 * idempotencyWindowMs. A repeat with the same body gets the original receipt (a replay, nothing
 * stored again); with a different body it is refused with 422 idempotency-key-reused. Nothing in
 * it is specific to a mode: `commit` is whatever makes the payload durable (spool or store).
 *
 * Concurrent requests with one key: the first runs `commit`, the others wait for it and then
 * replay its receipt (or get the 422). If the first fails, nothing is recorded and the next
 * waiter runs its own commit, as a retry of a failed request should.
 *
 * Durability: the entry is appended to a JSON-lines file and fsync'ed before run() resolves, so a
 * replay survives a restart. The payload is committed first and the entry second: a crash in
 * between leaves a stored payload without its key, and the client's retry stores it once more
 * under a new id (at least once; the first copy is not lost). Expired entries are dropped from
 * memory as time passes and from the file when it is compacted: at open, and whenever the file
 * holds more than twice the live entries (plus some slack).
 */
import { QuickstowError } from '../core/errors.js';
import type { Clock, Logger } from '../core/ports.js';
import type { Receipt } from '../core/receipt.js';
import { JsonLinesJournal } from './journal.js';

export interface IdempotencyEntry {
  key: string;
  id: string;
  /** Lower-case hex SHA-256 of the body the key was first used with. */
  sha256: string;
  receipt: Receipt;
  createdAtMs: number;
}

export interface IdempotencyIndexOptions {
  /** The JSON-lines file, e.g. `{dataDir}/idempotency.jsonl`; its folder is created. */
  file: string;
  /** How long a key is remembered (config.idempotencyWindowMs); 0 turns replays off. */
  windowMs: number;
  clock?: Clock;
  logger?: Logger;
}

export const maxKeyLength = 255;
const compactionSlack = 1000;

export class IdempotencyIndex {
  private readonly entries = new Map<string, IdempotencyEntry>();
  private readonly running = new Map<string, Promise<IdempotencyEntry>>();
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private compacting = false;

  private constructor(
    private readonly journal: JsonLinesJournal,
    private readonly windowMs: number,
    options: IdempotencyIndexOptions,
  ) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.logger = options.logger;
  }

  /** Loads the file, drops what expired, and rewrites it compacted. */
  static async open(options: IdempotencyIndexOptions): Promise<IdempotencyIndex> {
    const { journal, values } = await JsonLinesJournal.open(options.file);
    const index = new IdempotencyIndex(journal, options.windowMs, options);
    const latest = new Map<string, IdempotencyEntry>();
    for (const value of values) {
      if (isEntry(value)) latest.set(value.key, value);
    }
    for (const entry of [...latest.values()].sort((a, b) => a.createdAtMs - b.createdAtMs)) {
      if (!index.expired(entry)) index.entries.set(entry.key, entry);
    }
    await journal.rewrite(() => [...index.entries.values()]);
    index.logger?.info(
      { file: options.file, keys: index.entries.size, dropped: values.length - index.entries.size },
      'idempotency: index opened',
    );
    return index;
  }

  /**
   * Runs `commit` once per key within the window; a repeat with the same body digest returns the
   * first receipt with replayed = true. Throws QuickstowError 422 idempotency-key-reused for a
   * different body, 400 bad-request for an empty or overlong key.
   */
  async run(
    key: string,
    sha256Hex: string,
    commit: () => Promise<Receipt>,
  ): Promise<{ receipt: Receipt; replayed: boolean }> {
    if (key.length === 0 || key.length > maxKeyLength) {
      throw new QuickstowError(
        'bad-request',
        400,
        `Idempotency-Key must be 1 to ${maxKeyLength} characters`,
      );
    }
    this.sweep();
    for (;;) {
      const existing = this.lookup(key);
      if (existing !== undefined) {
        if (existing.sha256 !== sha256Hex) {
          throw new QuickstowError(
            'idempotency-key-reused',
            422,
            `Idempotency-Key ${JSON.stringify(key)} was already used with a different body (payload ${existing.id})`,
          );
        }
        return { receipt: existing.receipt, replayed: true };
      }
      const first = this.running.get(key);
      if (first === undefined) break;
      // Another request with this key is committing: its outcome decides ours.
      await first.catch(() => undefined);
    }
    const attempt = this.commitOnce(key, sha256Hex, commit);
    this.running.set(key, attempt);
    try {
      return { receipt: (await attempt).receipt, replayed: false };
    } finally {
      this.running.delete(key);
    }
  }

  /** The live entry for a key, if any. */
  lookup(key: string): IdempotencyEntry | undefined {
    const entry = this.entries.get(key);
    return entry === undefined || this.expired(entry) ? undefined : entry;
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    await this.journal.close();
  }

  private async commitOnce(
    key: string,
    sha256: string,
    commit: () => Promise<Receipt>,
  ): Promise<IdempotencyEntry> {
    const receipt = await commit();
    const entry: IdempotencyEntry = {
      key,
      id: receipt.id,
      sha256,
      receipt,
      createdAtMs: this.clock.now(),
    };
    if (this.windowMs === 0) return entry;
    // Visible at once: the payload is already durable, so replaying its receipt is correct even
    // before the entry itself is.
    this.entries.delete(key);
    this.entries.set(key, entry);
    try {
      await this.journal.append(entry);
    } catch (error) {
      // The payload is stored; answering an error would only make the client store it again.
      this.logger?.error(
        { err: error, key, id: entry.id },
        'idempotency: could not persist a key; it will not be recognised after a restart',
      );
    }
    this.maybeCompact();
    return entry;
  }

  private expired(entry: IdempotencyEntry): boolean {
    return this.clock.now() - entry.createdAtMs >= this.windowMs;
  }

  /** Entries are in creation order, so the expired ones are at the front. */
  private sweep(): void {
    for (const entry of this.entries.values()) {
      if (!this.expired(entry)) return;
      this.entries.delete(entry.key);
    }
  }

  private maybeCompact(): void {
    if (this.compacting || this.journal.lineCount <= 2 * this.entries.size + compactionSlack)
      return;
    this.compacting = true;
    this.sweep();
    this.journal
      .rewrite(() => [...this.entries.values()])
      .catch((error: unknown) =>
        this.logger?.warn({ err: error }, 'idempotency: compaction failed; the file keeps growing'),
      )
      .finally(() => {
        this.compacting = false;
      });
  }
}

function isEntry(value: unknown): value is IdempotencyEntry {
  const entry = value as Partial<IdempotencyEntry> | null;
  return (
    typeof entry?.key === 'string' &&
    typeof entry.id === 'string' &&
    typeof entry.sha256 === 'string' &&
    typeof entry.createdAtMs === 'number' &&
    typeof entry.receipt === 'object' &&
    entry.receipt !== null
  );
}
