/** What holds when the client gets its answer; every receipt names it (see docs/durability.md). */
export type Durability = 'sync' | 'spool' | 'after-response';

export interface Receipt {
  id: string;
  key: string;
  size: number;
  /** Lower-case hex SHA-256 of the payload bytes. */
  sha256: string;
  contentType: string;
  durability: Durability;
  /** ISO 8601 UTC time the last byte was received. */
  receivedAt: string;
}

export type PayloadState = 'pending' | 'stored';
