/**
 * Lists a zip's entries from its central directory: enough to check what a bundle contains
 * without a zip dependency. Handles the plain (non-zip64) format esbuild-era tools write for
 * small archives, which is all a Lambda bundle is.
 */
export interface ZipEntry {
  readonly name: string;
  /** The Unix mode bits, when the archive was made on Unix (otherwise undefined). */
  readonly unixMode: number | undefined;
}

const endOfCentralDirectory = 0x06054b50;
const centralDirectoryHeader = 0x02014b50;

export function zipEntries(zip: Buffer): ZipEntry[] {
  // The end record is at least 22 bytes and may be followed by a comment of up to 65535 bytes.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65_535); at--) {
    if (zip.readUInt32LE(at) === endOfCentralDirectory) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip: no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== centralDirectoryHeader)
      throw new Error(`bad central directory entry ${i}`);
    const madeBy = zip.readUInt16LE(at + 4);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const externalAttributes = zip.readUInt32LE(at + 38);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const madeOnUnix = madeBy >> 8 === 3;
    entries.push({ name, unixMode: madeOnUnix ? externalAttributes >>> 16 : undefined });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
