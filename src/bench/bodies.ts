import { createHash, randomFillSync } from 'node:crypto';

export interface Body {
  bytes: Buffer;
  /** Lower-case hex SHA-256, computed before the request so it costs the measurement nothing. */
  sha256: string;
}

/** Fresh random bodies: no two requests send the same bytes, so nothing can be deduplicated. */
export function randomBodies(count: number, sizeBytes: number): Body[] {
  return Array.from({ length: count }, () => {
    const bytes = randomFillSync(Buffer.allocUnsafe(sizeBytes));
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
}
