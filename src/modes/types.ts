/**
 * A durability mode is a Committer: the one thing that differs between modes is what has to be
 * true before the client may be answered (see the durability table in docs/durability.md), and
 * where a payload is read from until it reaches the store.
 */
import type { Durability, PayloadState } from '../core/receipt.js';
import type { ObjectMeta } from '../store/types.js';

export interface PayloadView {
  meta: ObjectMeta;
  state: PayloadState;
}

export interface Committer {
  readonly durability: Durability;
  /** Resolves once the payload is as durable as the mode promises; only then may it be acked. */
  commit(id: string, meta: ObjectMeta, body: Buffer): Promise<void>;
  head(id: string, key: string): Promise<PayloadView | undefined>;
  get(id: string, key: string): Promise<(PayloadView & { body: Buffer }) | undefined>;
  /** Throws a QuickstowError when the mode cannot accept payloads now (for /readyz). */
  ready(): Promise<void>;
  /** Stops background work, waiting at most drainMs for it to finish. */
  close(drainMs: number): Promise<void>;
}
