import type { Receipt } from '../core/receipt.js';

/**
 * What the app needs of an Idempotency-Key index: run `commit` once per key, and for a repeat of
 * the same key with the same body return the first receipt instead (replayed). The same key with
 * a different body is a QuickstowError 422.
 */
export interface IdempotencyGate {
  run(
    key: string,
    sha256Hex: string,
    commit: () => Promise<Receipt>,
  ): Promise<{ receipt: Receipt; replayed: boolean }>;
}
