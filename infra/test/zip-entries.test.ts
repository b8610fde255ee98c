import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zipEntries } from './support/zip-entries.js';

describe('zipEntries', () => {
  it('reads names and Unix modes from a zip written by Python’s zipfile', () => {
    // extensions/quickstow (0755) and index.mjs (0644), stored, made on Unix.
    const zip = Buffer.from(
      'UEsDBBQAAAAAAAAAIQAdnfsECgAAAAoAAAAUAAAAZXh0ZW5zaW9ucy9xdWlja3N0b3cjIS9iaW4vc2gKUEsDBBQAAAAAAAAAIQAMv3JoHAAAABwAAAAJAAAAaW5kZXgubWpzZXhwb3J0IGNvbnN0IGhhbmRsZXI9KCk9Pnt9ClBLAQIUAxQAAAAAAAAAIQAdnfsECgAAAAoAAAAUAAAAAAAAAAAAAADtgQAAAABleHRlbnNpb25zL3F1aWNrc3Rvd1BLAQIUAxQAAAAAAAAAIQAMv3JoHAAAABwAAAAJAAAAAAAAAAAAAACkgTwAAABpbmRleC5tanNQSwUGAAAAAAIAAgB5AAAAfwAAAAAA',
      'base64',
    );
    assert.deepEqual(zipEntries(zip), [
      { name: 'extensions/quickstow', unixMode: 0o100755 },
      { name: 'index.mjs', unixMode: 0o100644 },
    ]);
  });

  it('refuses what is not a zip', () => {
    assert.throws(() => zipEntries(Buffer.alloc(64)), /not a zip/);
  });
});
