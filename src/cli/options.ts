/**
 * Flag definitions shared by the commands that store payloads (`serve`, later `local`). Every
 * flag has a QUICKSTOW_* environment variable named after it; values are parsed here and
 * validated once, with the rest of the configuration, by resolveConfig.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { defaults, logLevels, modes, storeKinds } from '../core/config.js';

export function envName(flag: string): string {
  return `QUICKSTOW_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

export function option(flags: string, description: string): Option {
  const long = /--[a-z0-9-]+/.exec(flags)?.[0] ?? flags;
  return new Option(flags, description).env(envName(long));
}

export function parseInteger(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

const byteUnits: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Bytes as a number, optionally with a unit: 1048576, 1MiB, 10MB. */
export function parseBytes(value: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = byteUnits[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) {
    throw new InvalidArgumentError('expected bytes, e.g. 1048576, 512KiB, 10MiB or 1GB.');
  }
  return Number(match[1]) * unit;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

/** The server's durability modes and the spool's settings (`serve`). */
export function addSpoolOptions(command: Command): Command {
  return command
    .addOption(
      option(
        '--mode <mode>',
        'durability mode: sync answers 201 once stored, spool answers 202 once fsynced to the local spool',
      )
        .choices(modes)
        .default(defaults.mode),
    )
    .addOption(
      option('--spool-max-bytes <bytes>', 'spool size at which new payloads get 503')
        .argParser(parseBytes)
        .default(defaults.spoolMaxBytes, '1GiB'),
    )
    .addOption(
      option('--segment-max-bytes <bytes>', 'size of one spool segment file')
        .argParser(parseBytes)
        .default(defaults.segmentMaxBytes, '64MiB'),
    )
    .addOption(
      option('--upload-concurrency <n>', 'uploads in flight from the spool')
        .argParser(parseInteger)
        .default(defaults.uploadConcurrency),
    )
    .addOption(
      option(
        '--upload-defer-ms <ms>',
        'while payloads keep arriving, how long an upload may wait for a pause so acknowledgements go first (0: upload at once)',
      )
        .argParser(parseInteger)
        .default(defaults.uploadDeferMs),
    )
    .addOption(
      option('--idempotency-window-ms <ms>', 'how long an Idempotency-Key is remembered')
        .argParser(parseInteger)
        .default(defaults.idempotencyWindowMs),
    )
    .addOption(
      option('--shutdown-drain-ms <ms>', 'on SIGTERM, how long the uploader may drain before exit')
        .argParser(parseInteger)
        .default(defaults.shutdownDrainMs),
    );
}

/** Where payloads go and how large they may be (`serve` and `local`). */
export function addStoreOptions(command: Command): Command {
  return command
    .addOption(
      option('--store <kind>', 'object store: fs (a folder) or s3')
        .choices(storeKinds)
        .default(defaults.store),
    )
    .addOption(
      option(
        '--data-dir <dir>',
        'folder for local state: the fs bucket, the spool, indexes',
      ).default(defaults.dataDir),
    )
    .addOption(option('--bucket-dir <dir>', 'folder of the fs store (default: DATA_DIR/bucket)'))
    .addOption(option('--bucket <name>', 'S3 bucket (required with --store s3)'))
    .addOption(
      option(
        '--s3-endpoint <url>',
        'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (path-style)',
      ),
    )
    .addOption(
      option('--region <region>', 'AWS region (default: from the AWS chain, else us-east-1)'),
    )
    .addOption(
      option('--prefix <prefix>', 'key prefix of stored objects').default(defaults.keyPrefix),
    )
    .addOption(
      option('--max-bytes <bytes>', 'largest payload accepted, e.g. 10MiB')
        .argParser(parseBytes)
        .default(defaults.maxBodyBytes, '10MiB'),
    )
    .addOption(
      option(
        '--allow-content-type <types>',
        'accept only these content types (comma-separated, repeatable); others get 415',
      ).argParser(collect),
    )
    .addOption(
      option('--store-timeout-ms <ms>', 'timeout of one store request')
        .argParser(parseInteger)
        .default(defaults.storeTimeoutMs),
    )
    .addOption(
      option(
        '--memory-max-bytes <bytes>',
        'payload bytes held in memory at which new payloads get 503',
      )
        .argParser(parseBytes)
        .default(defaults.memoryMaxBytes, '256MiB'),
    )
    .addOption(
      option('--log-level <level>', 'log level').choices(logLevels).default(defaults.logLevel),
    );
}

/** Commander's parsed options of addStoreOptions, as configuration keys. */
export function storeConfigOf(options: Record<string, unknown>): Record<string, unknown> {
  return {
    mode: options.mode,
    store: options.store,
    dataDir: options.dataDir,
    bucketDir: options.bucketDir,
    bucket: options.bucket,
    s3Endpoint: options.s3Endpoint,
    region: options.region,
    keyPrefix: options.prefix,
    maxBodyBytes: options.maxBytes,
    allowedContentTypes: options.allowContentType,
    storeTimeoutMs: options.storeTimeoutMs,
    spoolMaxBytes: options.spoolMaxBytes,
    memoryMaxBytes: options.memoryMaxBytes,
    segmentMaxBytes: options.segmentMaxBytes,
    uploadConcurrency: options.uploadConcurrency,
    uploadDeferMs: options.uploadDeferMs,
    idempotencyWindowMs: options.idempotencyWindowMs,
    shutdownDrainMs: options.shutdownDrainMs,
    logLevel: options.logLevel,
  };
}
