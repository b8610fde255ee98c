import { createHash, timingSafeEqual } from 'node:crypto';
import { QuickstowError } from '../core/errors.js';

/**
 * Bearer-token check. Both sides are hashed first so that the comparison is constant-time and of
 * equal length whatever the token's length, and every token is compared (no early exit that
 * would tell which one nearly matched).
 */
export function bearerTokenCheck(
  tokens: readonly string[],
): (authorization: string | undefined) => void {
  const expected = tokens.map((token) => sha256(token));
  return (authorization) => {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    const presented = sha256(match?.[1] ?? '');
    let ok = false;
    for (const candidate of expected) ok = timingSafeEqual(candidate, presented) || ok;
    if (!ok || match === null) {
      throw new QuickstowError('unauthorized', 401, 'A valid bearer token is required', {
        headers: { 'www-authenticate': 'Bearer realm="quickstow"' },
      });
    }
  };
}

/** Tokens from a file: one a line; blank lines and lines starting with # are ignored. */
export function parseTokenFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
