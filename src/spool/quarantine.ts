import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { type SpoolFs, syncDirectory, writeFully } from './fs.js';

export const quarantineFolder = 'quarantine';

/**
 * Keeps damaged bytes aside in `quarantine/` for a human to look at; they are never uploaded.
 * The name carries the segment, the offset and a checksum of the bytes, so finding the same
 * damage again (the segment stays until its good records are stored) rewrites the same file.
 */
export async function quarantineBytes(
  fs: SpoolFs,
  spoolDir: string,
  segmentName: string,
  offset: number,
  bytes: Buffer,
): Promise<string> {
  const dir = path.join(spoolDir, quarantineFolder);
  const file = path.join(
    dir,
    `${segmentName}@${offset}-${crc32c(bytes).toString(16).padStart(8, '0')}.bad`,
  );
  const handle = await fs.open(file, 'w');
  try {
    await writeFully(handle, bytes, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDirectory(fs, dir);
  return file;
}
