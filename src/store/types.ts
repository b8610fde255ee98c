/**
 * The object-store seam. Every backend (a folder, S3) implements this and passes the one
 * conformance suite in test/support/store-conformance.ts. Keys are derived from payload ids
 * (src/core/keys.ts), so a put of the same key is always the same object and may be repeated.
 */
export interface ObjectMeta {
  key: string;
  size: number;
  contentType: string;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
  /** ISO 8601 time quickstow received the payload. */
  receivedAt: string;
}

export interface StoredObject {
  meta: ObjectMeta;
  body: Buffer;
}

export interface ObjectStore {
  readonly kind: 'fs' | 's3';
  /**
   * Stores the bytes under meta.key, durably: resolves only once the store has them. Errors are
   * QuickstowErrors: `store-unavailable` (503, worth retrying) or `store-failed` (500).
   */
  put(meta: ObjectMeta, body: Buffer): Promise<void>;
  get(key: string): Promise<StoredObject | undefined>;
  head(key: string): Promise<ObjectMeta | undefined>;
  /** Resolves when the store is reachable and usable; for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
