/**
 * The filesystem seam of the spool: only the operations it uses, shaped like node:fs/promises
 * (whose FileHandle fits SpoolFile as it is), so tests can wrap it and inject EIO or ENOSPC on a
 * chosen write or fsync, count fsyncs and record the order of operations.
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';

export type OpenFlags = 'r' | 'r+' | 'wx' | 'w' | 'a';

export interface SpoolFile {
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number | null,
  ): Promise<{ bytesWritten: number }>;
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface SpoolFs {
  open(path: string, flags: OpenFlags): Promise<SpoolFile>;
  readdir(path: string): Promise<string[]>;
  /** Creates the folder and its parents; no error if it exists. */
  mkdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Resolves if the folder can be written to (EROFS, EACCES otherwise). */
  accessWritable(path: string): Promise<void>;
}

export const nodeFs: SpoolFs = {
  open: (path, flags) => fsp.open(path, flags),
  readdir: (path) => fsp.readdir(path),
  mkdir: async (path) => {
    await fsp.mkdir(path, { recursive: true });
  },
  unlink: (path) => fsp.unlink(path),
  rename: (from, to) => fsp.rename(from, to),
  accessWritable: (path) => fsp.access(path, constants.W_OK),
};

/** write(2) may write less than asked; loop until all of it is on its way, or it throws. */
export async function writeFully(file: SpoolFile, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0)
      throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += bytesWritten;
  }
}

/** Reads exactly `length` bytes at `position`, or fewer if the file ends first. */
export async function readFully(
  file: SpoolFile,
  length: number,
  position: number,
): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) return buffer.subarray(0, done);
    done += bytesRead;
  }
  return buffer;
}

/**
 * A new or removed name is only durable once its folder is fsync'ed (POSIX: fsync of the file
 * covers its data, not the directory entry that points to it).
 */
export async function syncDirectory(fs: SpoolFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readWholeFile(fs: SpoolFs, path: string): Promise<Buffer> {
  const handle = await fs.open(path, 'r');
  try {
    const { size } = await handle.stat();
    return await readFully(handle, size, 0);
  } finally {
    await handle.close();
  }
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
