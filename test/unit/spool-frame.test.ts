import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import {
  encodeRecord,
  headerBytes,
  parseRecord,
  type RecordMeta,
  scanSegment,
  sealRecord,
  segmentMarker,
} from '../../src/spool/frame.js';
import { samplePayload } from '../support/spool-testing.js';

function encoded(text: string, seq = 1) {
  const { id, meta, body } = samplePayload(text);
  const recordMeta: RecordMeta = { ...meta, durability: 'spool', spooledAt: meta.receivedAt };
  const record = encodeRecord(id, recordMeta, body);
  sealRecord(record, seq);
  return {
    id,
    recordMeta: { ...recordMeta, segment: segmentMarker(seq) },
    bytes: Buffer.concat([record.head, record.body]),
  };
}

describe('spool record framing', () => {
  it('uses CRC32C (Castagnoli): the standard check value', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  });

  it('lays out magic, version, length, crc over the rest, id, metadata and payload', () => {
    const { id, recordMeta, bytes } = encoded('hello');
    assert.equal(bytes.toString('latin1', 0, 3), 'QSR');
    assert.equal(bytes[3], 1);
    assert.equal(bytes.readUInt32BE(4), bytes.length - headerBytes);
    assert.equal(bytes.readUInt32BE(8), crc32c(bytes.subarray(headerBytes)));
    assert.equal(bytes.toString('latin1', 12, 48), id);
    const metaLength = bytes.readUInt32BE(48);
    assert.deepEqual(JSON.parse(bytes.toString('utf8', 52, 52 + metaLength)), recordMeta);
    assert.equal(bytes.toString('utf8', 52 + metaLength), 'hello');
  });

  it('seals the segment it is written to, whatever marker the metadata carried before', () => {
    const { id, meta, body } = samplePayload('moved');
    // The old marker first in the key order, as a metadata object built another way might have it.
    const recordMeta: RecordMeta = {
      segment: segmentMarker(3),
      ...meta,
      durability: 'spool',
      spooledAt: meta.receivedAt,
    };
    const record = encodeRecord(id, recordMeta, body);
    sealRecord(record, 9);
    const result = parseRecord(Buffer.concat([record.head, record.body]), 0);
    assert.equal(result.kind, 'record');
    if (result.kind === 'record') assert.equal(result.record.meta.segment, segmentMarker(9));
  });

  it('parses back what it encoded', () => {
    const { id, recordMeta, bytes } = encoded('payload bytes');
    const result = parseRecord(bytes, 0);
    assert.equal(result.kind, 'record');
    if (result.kind !== 'record') return;
    assert.equal(result.record.id, id);
    assert.deepEqual(result.record.meta, recordMeta);
    assert.equal(result.record.size, bytes.length);
    assert.equal(result.body.toString(), 'payload bytes');
  });

  it('detects a single flipped bit anywhere after the crc', () => {
    const { bytes } = encoded('some payload');
    for (const at of [12, 40, 60, bytes.length - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = (damaged[at] as number) ^ 0x01;
      assert.deepEqual(
        parseRecord(damaged, 0),
        { kind: 'corrupt', reason: 'crc mismatch' },
        `bit at ${at}`,
      );
    }
  });

  it('tells a record cut short from a damaged one', () => {
    const { bytes } = encoded('some payload');
    assert.equal(parseRecord(bytes.subarray(0, bytes.length - 3), 0).kind, 'incomplete');
    assert.equal(parseRecord(bytes.subarray(0, 5), 0).kind, 'incomplete');
    assert.equal(parseRecord(Buffer.from('garbage!garbage!'), 0).kind, 'corrupt');
  });
});

describe('scanning a segment', () => {
  const a = encoded('first');
  const b = encoded('second');
  const c = encoded('third');

  it('finds every record of an intact segment', () => {
    const scan = scanSegment(Buffer.concat([a.bytes, b.bytes, c.bytes]));
    assert.deepEqual(
      scan.records.map((record) => record.id),
      [a.id, b.id, c.id],
    );
    assert.deepEqual(scan.corrupt, []);
    assert.equal(scan.tornBytes, 0);
  });

  it('cuts a torn last record and keeps the rest', () => {
    const whole = Buffer.concat([a.bytes, b.bytes]);
    const scan = scanSegment(Buffer.concat([whole, c.bytes.subarray(0, 20)]));
    assert.equal(scan.records.length, 2);
    assert.equal(scan.validEnd, whole.length);
    assert.equal(scan.tornBytes, 20);
    assert.deepEqual(scan.corrupt, []);
  });

  it('treats zero fill after the last record as torn (a crash mid-extension)', () => {
    const scan = scanSegment(Buffer.concat([a.bytes, Buffer.alloc(4096)]));
    assert.equal(scan.records.length, 1);
    assert.equal(scan.tornBytes, 4096);
  });

  it('marks a damaged record between good ones as corrupt and resynchronises after it', () => {
    const damaged = Buffer.from(b.bytes);
    damaged[damaged.length - 2] = (damaged[damaged.length - 2] as number) ^ 0xff;
    const scan = scanSegment(Buffer.concat([a.bytes, damaged, c.bytes]));
    assert.deepEqual(
      scan.records.map((record) => record.id),
      [a.id, c.id],
    );
    assert.deepEqual(scan.corrupt, [
      { start: a.bytes.length, end: a.bytes.length + damaged.length, reason: 'crc mismatch' },
    ]);
  });

  it('survives a damaged length field (the record then seems to run past the end)', () => {
    const damaged = Buffer.from(b.bytes);
    damaged.writeUInt32BE(0x7fff_ffff, 4);
    const scan = scanSegment(Buffer.concat([a.bytes, damaged, c.bytes]));
    assert.deepEqual(
      scan.records.map((record) => record.id),
      [a.id, c.id],
    );
    assert.equal(scan.corrupt.length, 1);
  });

  it('keeps a whole-looking but damaged last record aside rather than calling it torn', () => {
    const damaged = Buffer.from(b.bytes);
    damaged[30] = (damaged[30] as number) ^ 0x10;
    const scan = scanSegment(Buffer.concat([a.bytes, damaged]));
    assert.equal(scan.records.length, 1);
    assert.equal(scan.validEnd, a.bytes.length);
    assert.equal(scan.tornBytes, 0);
    assert.equal(scan.corrupt.length, 1);
  });
});

describe('scanning a recycled segment file', () => {
  // Segment 9 written over the file of segment 5: 5's records are still there after 9's.
  const own = [encoded('new one', 9), encoded('new two', 9), encoded('new three', 9)];
  const stale = [encoded('old one', 5), encoded('old two', 5), encoded('old three', 5)];
  const bytesOf = (records: Array<{ bytes: Buffer }>) =>
    Buffer.concat(records.map((record) => record.bytes));

  it("stops at the first record of another segment: the old records are not the segment's", () => {
    const bytes = Buffer.concat([bytesOf(own.slice(0, 2)), bytesOf(stale)]);
    const scan = scanSegment(bytes, 9);
    assert.deepEqual(
      scan.records.map((record) => record.id),
      [own[0]?.id, own[1]?.id],
    );
    const validEnd = bytesOf(own.slice(0, 2)).length;
    assert.equal(scan.validEnd, validEnd);
    assert.equal(scan.staleBytes, bytes.length - validEnd);
    assert.equal(scan.tornBytes, 0);
    assert.deepEqual(scan.corrupt, []);
  });

  it('cuts a record torn over old records as a torn tail, not as corruption', () => {
    const whole = bytesOf(own.slice(0, 1));
    const second = own[1]?.bytes as Buffer;
    // Its head and half its body reached the file; the old bytes under the rest are still there.
    const oldBytes = bytesOf(stale);
    const torn = Buffer.from(oldBytes);
    second.copy(torn, 0, 0, second.length - 4);
    const bytes = Buffer.concat([whole, torn]);
    const scan = scanSegment(bytes, 9);
    assert.deepEqual(
      scan.records.map((record) => record.id),
      [own[0]?.id],
    );
    assert.equal(scan.validEnd, whole.length);
    assert.ok(scan.tornBytes > 0);
    assert.equal(scan.validEnd + scan.tornBytes + scan.staleBytes, bytes.length);
    assert.deepEqual(scan.corrupt, []);
  });

  it("still quarantines a damaged record that the segment's own records follow", () => {
    const damaged = Buffer.from(own[1]?.bytes as Buffer);
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 0xff;
    const bytes = Buffer.concat([
      own[0]?.bytes as Buffer,
      damaged,
      own[2]?.bytes as Buffer,
      bytesOf(stale),
    ]);
    const scan = scanSegment(bytes, 9);
    assert.deepEqual(
      scan.records.map((record) => record.id),
      [own[0]?.id, own[2]?.id],
    );
    assert.equal(scan.corrupt.length, 1);
    assert.equal(scan.staleBytes, bytesOf(stale).length);
  });

  it('without a segment number (or for records without a marker) every whole record counts', () => {
    const bytes = Buffer.concat([bytesOf(own), bytesOf(stale)]);
    assert.equal(scanSegment(bytes).records.length, 6);
  });
});
