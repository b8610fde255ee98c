/**
 * What a durable 1 MiB write costs on this machine's disk, the floor under the spool mode
 * (docs/benchmarks.md, "The disk"). Writes 1 MiB blocks, each followed by an fdatasync, and
 * prints the mean write and sync time per 100 MiB, twice: appending to a new file, and writing
 * over four 64 MiB files in turn (as the spool reuses drained segment files).
 *   node --import tsx scripts/disk-probe.ts [DIR] [MiB]     (default: the OS temp folder, 1200 MiB)
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(process.argv[2] ?? tmpdir(), 'quickstow-disk-probe-'));
const total = Number(process.argv[3] ?? 1200);
const block = Buffer.alloc(1024 * 1024, 7);
const segmentBlocks = 64;

function probe(label: string, files: number[], placeOf: (i: number) => [number, number]): void {
  let write = 0;
  let sync = 0;
  const windows: string[] = [];
  for (let i = 0; i < total; i += 1) {
    const [fd, position] = placeOf(i);
    const started = performance.now();
    writeSync(fd, block, 0, block.length, position);
    const wrote = performance.now();
    fdatasyncSync(fd);
    write += wrote - started;
    sync += performance.now() - wrote;
    if ((i + 1) % 100 === 0) {
      windows.push(`${(write / 100).toFixed(2)}+${(sync / 100).toFixed(2)}`);
      write = 0;
      sync = 0;
    }
  }
  for (const fd of files) closeSync(fd);
  console.log(`${label} (ms per MiB, write+fdatasync, per 100 MiB): ${windows.join(' ')}`);
}

try {
  const appended = openSync(path.join(dir, 'append'), 'w');
  probe('append to a new file', [appended], (i) => [appended, i * block.length]);
  rmSync(path.join(dir, 'append'));
  const reused = [0, 1, 2, 3].map((n) => openSync(path.join(dir, `reused-${n}`), 'w+'));
  probe('over 4 reused files  ', reused, (i) => [
    reused[Math.floor(i / segmentBlocks) % reused.length] as number,
    (i % segmentBlocks) * block.length,
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
