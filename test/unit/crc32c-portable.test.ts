import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32c as native } from '@node-rs/crc32';
import { crc32c as portable } from '../../src/spool/crc32c-portable.js';

describe('portable CRC32C', () => {
  it('matches the known check value and the native implementation', () => {
    assert.equal(portable('123456789'), 0xe3069283);
    for (const size of [0, 1, 7, 64, 4096, 100_003]) {
      const bytes = randomBytes(size);
      assert.equal(portable(bytes), native(bytes), `size ${size}`);
    }
  });

  it('continues from an initial value exactly as the native one does', () => {
    const a = randomBytes(1000);
    const b = randomBytes(777);
    assert.equal(portable(b, portable(a)), native(Buffer.concat([a, b])));
    assert.equal(portable(b, 12345), native(b, 12345));
  });
});
