import { Command } from 'commander';
import { defaults, resolveConfig } from '../core/config.js';
import { createLogger } from '../observability/logger.js';
import { startServer } from '../server/start.js';
import {
  addSpoolOptions,
  addStoreOptions,
  option,
  parseInteger,
  storeConfigOf,
} from './options.js';

export function serveCommand(): Command {
  const command = new Command('serve')
    .description(
      'Run the quickstow HTTP server (POST /payloads, GET /payloads/{id}, /healthz, /readyz, /metrics).',
    )
    .addOption(option('--host <host>', 'interface to listen on').default(defaults.host))
    .addOption(
      option('--port <port>', 'port to listen on (0 picks a free one)')
        .argParser(parseInteger)
        .default(defaults.port),
    )
    .addOption(
      option(
        '--auth-token-file <file>',
        'require "Authorization: Bearer <token>" on /payloads; the file holds one token a line',
      ),
    )
    .addOption(
      option('--headers-timeout-ms <ms>', 'time a client has to send the request headers')
        .argParser(parseInteger)
        .default(defaults.headersTimeoutMs),
    )
    .addOption(
      option('--request-timeout-ms <ms>', 'time a client has to send the whole request')
        .argParser(parseInteger)
        .default(defaults.requestTimeoutMs),
    )
    .addOption(
      option('--keep-alive-timeout-ms <ms>', 'how long an idle keep-alive connection stays open')
        .argParser(parseInteger)
        .default(defaults.keepAliveTimeoutMs),
    );
  addSpoolOptions(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Every flag can also be set by an environment variable: --max-bytes is QUICKSTOW_MAX_BYTES, and so on.
Defaults need nothing installed: payloads are spooled to DATA_DIR/spool and stored in DATA_DIR/bucket.

Examples:
  quickstow serve
  quickstow serve --mode sync --store s3 --bucket my-bucket --region eu-west-1
  quickstow serve --store s3 --bucket test --s3-endpoint http://127.0.0.1:4568`,
  );
  command.action(async (options: Record<string, unknown>) => {
    const config = resolveConfig({
      ...storeConfigOf(options),
      host: options.host,
      port: options.port,
      authTokenFile: options.authTokenFile,
      headersTimeoutMs: options.headersTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs,
    });
    const logger = createLogger(config.logLevel);
    const running = await startServer(config, { logger });
    process.stderr.write(
      `quickstow ${config.mode} mode, ${config.store} store: listening on ${running.url}\n`,
    );
    let signals = 0;
    const stop = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        logger.warn({ signal }, 'second signal: exiting now; pending payloads stay in the spool');
        process.exit(130);
      }
      logger.info({ signal }, 'signal received');
      running.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return command;
}
