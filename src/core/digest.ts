import { QuickstowError } from './errors.js';

/**
 * Content-Digest (RFC 9530) is a Structured Fields dictionary such as
 * `sha-256=:base64:, sha-512=:base64:`. quickstow checks the sha-256 member and refuses a header
 * that names only algorithms it cannot check, rather than pretend it verified something.
 */
export function parseContentDigest(header: string): Buffer {
  const members = new Map<string, string>();
  for (const raw of header.split(',')) {
    const member = raw.trim();
    const eq = member.indexOf('=');
    if (eq <= 0) throw malformed(header);
    const name = member.slice(0, eq).trim().toLowerCase();
    const value = member.slice(eq + 1).trim();
    if (!/^[a-z*][a-z0-9_\-.*]*$/.test(name)) throw malformed(header);
    members.set(name, value);
  }
  const value = members.get('sha-256');
  if (value === undefined) {
    throw new QuickstowError(
      'unsupported-digest',
      400,
      'Content-Digest must include a sha-256 member; no other algorithm is checked',
    );
  }
  const match = /^:([A-Za-z0-9+/]*={0,2}):$/.exec(value);
  const bytes = match ? Buffer.from(match[1] ?? '', 'base64') : undefined;
  if (bytes === undefined || bytes.length !== 32) throw malformed(header);
  return bytes;
}

export function formatContentDigest(sha256: Buffer): string {
  return `sha-256=:${sha256.toString('base64')}:`;
}

function malformed(header: string): QuickstowError {
  return new QuickstowError(
    'malformed-digest',
    400,
    `Content-Digest is not a valid RFC 9530 value: ${JSON.stringify(header.slice(0, 200))}`,
  );
}
