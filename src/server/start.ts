/**
 * `quickstow serve`: the app on a Node HTTP server, with the timeouts that keep a slow or stalled
 * client from holding a connection, and an orderly close: stop accepting, let in-flight requests
 * finish, let the mode drain its background work for a bounded time, then release the store.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Config } from '../core/config.js';
import { QuickstowError } from '../core/errors.js';
import { createApp } from '../http/app.js';
import { parseTokenFile } from '../http/auth.js';
import type { Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import type { SpoolFs } from '../spool/index.js';
import { instrumentStore } from '../store/instrumented.js';
import { openStore } from '../store/open.js';
import type { ObjectStore } from '../store/types.js';
import { openMode } from './committer.js';

export interface StartOptions {
  logger: Logger;
  /** Overrides the store the config names; tests use it to inject failures. */
  store?: ObjectStore;
  /** Overrides the spool's file system; tests use it to inject EIO and ENOSPC. */
  spoolFs?: SpoolFs;
}

export interface RunningServer {
  url: string;
  server: Server;
  /** Graceful stop; resolves when everything is released. */
  close(): Promise<void>;
}

export async function startServer(config: Config, options: StartOptions): Promise<RunningServer> {
  const { logger } = options;
  const metrics = new Metrics();
  const store = instrumentStore(options.store ?? openStore(config), metrics);
  const authTokens = await loadTokens(config.authTokenFile);
  const mode = await openMode(config, { store, metrics, logger, spoolFs: options.spoolFs });
  const { committer, idempotency } = mode;
  const app = createApp({ config, committer, metrics, logger, authTokens, idempotency });

  const server = createAdaptorServer({
    fetch: app.fetch,
    // Node checks the header and request timeouts on this interval (30 s by default), which
    // would let a stalled client hold its connection far past the configured timeout.
    serverOptions: { connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs) },
  }) as Server;
  server.headersTimeout = config.headersTimeoutMs;
  server.requestTimeout = config.requestTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  refuseOversizeBeforeContinue(server, config.maxBodyBytes);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  if (authTokens.length === 0 && !isLoopback(config.host)) {
    logger.warn(
      { host: config.host },
      `SERVING ON ${config.host} WITHOUT AUTHENTICATION: anyone who can reach this port can store and read payloads. Set --auth-token-file.`,
    );
  }
  logger.info(
    {
      url,
      mode: config.mode,
      store: config.store,
      maxBodyBytes: config.maxBodyBytes,
      auth: authTokens.length > 0,
    },
    'listening',
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      logger.info({ drainMs: config.shutdownDrainMs }, 'shutting down');
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await withTimeout(stopped, config.requestTimeoutMs);
      server.closeAllConnections();
      await committer.close(config.shutdownDrainMs);
      await mode.close();
      await store.close();
      logger.info('stopped');
    })();
    return closing;
  };
  return { url, server, close };
}

async function loadTokens(file: string): Promise<string[]> {
  if (file === '') return [];
  let tokens: string[];
  try {
    tokens = parseTokenFile(await readFile(file, 'utf8'));
  } catch (error) {
    throw new QuickstowError('invalid-config', 400, `Cannot read the auth token file ${file}`, {
      cause: error,
    });
  }
  if (tokens.length === 0) {
    throw new QuickstowError('invalid-config', 400, `The auth token file ${file} holds no token`);
  }
  return tokens;
}

/**
 * Node answers `Expect: 100-continue` with 100 at once, inviting a body that is bound to be
 * refused. Withhold the 100 when the declared length is over the limit, so the client gets its
 * 413 without sending the bytes.
 */
function refuseOversizeBeforeContinue(server: Server, maxBodyBytes: number): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (!(declared > maxBodyBytes)) response.writeContinue();
    server.emit('request', request, response);
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
