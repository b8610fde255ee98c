/**
 * An append-only JSON-lines file whose appends are durable when they resolve: each batch of
 * lines is one write + one fsync (appends made while an fsync runs share the next one). A failed
 * batch is cut back off the file, so a half-written line can never run into the next one. The
 * file is rewritten (temp file, fsync, rename, fsync of the folder) to compact it.
 */
import { type FileHandle, mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';

interface QueuedLine {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class JsonLinesJournal {
  private handle: FileHandle | undefined;
  private size = 0;
  private queued: QueuedLine[] = [];
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  /** Lines in the file now; compare with what is still needed to decide on compaction. */
  lineCount = 0;

  private constructor(readonly file: string) {}

  /** The parsed lines already in the file (unparseable ones, e.g. a torn last line, skipped). */
  static async open(file: string): Promise<{ journal: JsonLinesJournal; values: unknown[] }> {
    await mkdir(path.dirname(file), { recursive: true });
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const values: unknown[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        values.push(JSON.parse(line));
      } catch {
        // A torn line from a crash mid-write; its request was never answered.
      }
    }
    return { journal: new JsonLinesJournal(file), values };
  }

  /** Resolves once the line is fsync'ed. */
  append(value: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ line: `${JSON.stringify(value)}\n`, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      this.chain = this.chain.then(() => this.flush());
    });
  }

  /** Replaces the whole file with these values, atomically; appends wait for it. */
  rewrite(values: () => unknown[]): Promise<void> {
    const done = this.chain.then(() => this.replace(values()));
    this.chain = done.catch(() => {});
    return done;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    const data = Buffer.from(batch.map((item) => item.line).join(''), 'utf8');
    const start = this.size;
    try {
      this.handle ??= await this.openForAppend();
      await this.handle.write(data, 0, data.length, start);
      await this.handle.sync();
      this.size = start + data.length;
      this.lineCount += batch.length;
      for (const item of batch) item.resolve();
    } catch (error) {
      await this.handle?.truncate(start).catch(() => {});
      for (const item of batch) item.reject(error);
    }
  }

  private async openForAppend(): Promise<FileHandle> {
    const handle = await open(this.file, 'a+');
    await handle.close();
    const writable = await open(this.file, 'r+');
    this.size = (await writable.stat()).size;
    return writable;
  }

  private async replace(values: unknown[]): Promise<void> {
    const temp = `${this.file}.${process.pid}.tmp`;
    const data = Buffer.from(values.map((value) => `${JSON.stringify(value)}\n`).join(''), 'utf8');
    const handle = await open(temp, 'w');
    try {
      await handle.write(data, 0, data.length, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.file);
    const dir = await open(path.dirname(this.file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    await this.handle?.close();
    this.handle = await open(this.file, 'r+');
    this.size = data.length;
    this.lineCount = values.length;
  }
}
