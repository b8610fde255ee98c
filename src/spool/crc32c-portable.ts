/**
 * CRC32C (Castagnoli) in plain JavaScript, with the same signature and results as
 * @node-rs/crc32's `crc32c(data, initial)`. The server uses the native one (about ten times
 * faster); the Lambda bundle is built with this one instead, so that it carries no native
 * binary for an architecture it may not run on.
 */
const table = new Uint32Array(256);
for (let n = 0; n < 256; n += 1) {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  table[n] = c >>> 0;
}

export function crc32c(data: Uint8Array | string, initial = 0): number {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let crc = ~initial >>> 0;
  for (let i = 0; i < bytes.length; i += 1) {
    crc = (table[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return ~crc >>> 0;
}
