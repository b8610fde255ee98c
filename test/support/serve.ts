/** An in-process `quickstow serve` on 127.0.0.1 port 0, with its own temp data folder. */
import { Writable } from 'node:stream';
import { type ConfigInput, resolveConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { startServer } from '../../src/server/start.js';
import type { SpoolFs } from '../../src/spool/index.js';
import type { ObjectStore } from '../../src/store/types.js';
import { tempDir } from './temp.js';

export interface TestServer {
  url: string;
  dataDir: string;
  /** Every log line so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startTestServer(
  overrides: ConfigInput = {},
  options: { store?: ObjectStore; dataDir?: string; spoolFs?: SpoolFs } = {},
): Promise<TestServer> {
  const temp = options.dataDir === undefined ? await tempDir() : undefined;
  const dataDir = options.dataDir ?? (temp?.dir as string);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = resolveConfig({ port: 0, dataDir, logLevel: 'info', ...overrides });
  const running = await startServer(config, {
    logger: createLogger(config.logLevel, sink),
    store: options.store,
    spoolFs: options.spoolFs,
  });
  return {
    url: running.url,
    dataDir,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    close: async () => {
      await running.close();
      await temp?.remove();
    },
  };
}
