/**
 * Props are resolved and checked once, here, before anything is built: the other modules get a
 * complete, valid {@link ResolvedOptions} and never look at a default again. A contradiction
 * (an API key on an HTTP API, bucket options with an existing bucket) is an error at synth time
 * rather than a stack that deploys something other than what was asked.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { defaultBundlePaths } from './bundles.js';
import {
  apiKinds,
  encryptionKinds,
  extensionKinds,
  functionUrlAuthKinds,
  httpAuthKinds,
  type JwtAuthProps,
  modes,
  type PayloadEncryption,
  type PayloadLifecycleProps,
  type QuickstowApiKind,
  type QuickstowApiProps,
  type QuickstowExtension,
  type QuickstowMode,
  type QuickstowRuntime,
  restAuthKinds,
  runtimes,
  type ThrottleProps,
} from './props.js';

const MiB = 1024 * 1024;

/** Every default in one place, units in the names. */
export const defaults = {
  mode: 'after-response' as QuickstowMode,
  api: ['rest'] as QuickstowApiKind[],
  extension: 'internal' as QuickstowExtension,
  runtime: 'nodejs22.x' as QuickstowRuntime,
  memorySizeMb: 1024,
  timeoutSeconds: 30,
  logRetention: RetentionDays.ONE_MONTH,
  prefix: 'payloads/',
  /** 4 MiB is 5.6 MB in base64, which leaves room for the event inside Lambda's 6 MB limit. */
  maxBytes: 4 * MiB,
  serviceName: 'quickstow',
  metricsNamespace: 'Quickstow',
  encryption: 's3' as PayloadEncryption,
  versioned: false,
  removalPolicy: RemovalPolicy.RETAIN,
  auth: { rest: 'iam', http: 'iam', functionUrl: 'iam' } as const,
  throttle: { rateLimit: 100, burstLimit: 200 } as ThrottleProps,
  tracing: false,
  efsFallback: false,
  directS3Route: { prefix: 'direct/', path: 'direct' },
  abortIncompleteUploadsAfterDays: 1,
  ackToStoredLagP99Ms: 10_000,
  /** Below the sweeper's one-minute schedule, so one run ends before the next starts. */
  sweeperTimeoutSeconds: 50,
  spool: {
    mountPath: '/mnt/quickstow',
    spoolDir: '/mnt/quickstow/spool',
    /**
     * after-response's fallback: an object-store layout (`{key}` files), not a spool, so it gets
     * a folder of its own beside the spool rather than inside it.
     */
    fallbackDir: '/mnt/quickstow/fallback',
    /** The directory on EFS the access point roots the function in (created on first mount). */
    accessPointPath: '/quickstow',
    posixUid: '1001',
    posixGid: '1001',
  },
} as const;

/** The largest maxBytes that is not warned about (see {@link defaults.maxBytes}). */
export const maxBytesWithoutWarning = 4 * MiB;

export interface ResolvedAuth {
  readonly rest: (typeof restAuthKinds)[number];
  readonly http: (typeof httpAuthKinds)[number];
  readonly functionUrl: (typeof functionUrlAuthKinds)[number];
  readonly jwt: JwtAuthProps | undefined;
}

export interface ResolvedOptions {
  readonly mode: QuickstowMode;
  readonly api: ReadonlySet<QuickstowApiKind>;
  readonly extension: QuickstowExtension;
  readonly runtime: QuickstowRuntime;
  readonly memorySizeMb: number;
  readonly timeout: Duration;
  readonly provisionedConcurrency: number | undefined;
  readonly reservedConcurrency: number | undefined;
  readonly logRetention: RetentionDays;
  readonly functionZipPath: string;
  readonly extensionLayerZipPath: string;
  readonly prefix: string;
  readonly maxBytes: number;
  readonly serviceName: string;
  readonly existingBucket: IBucket | undefined;
  readonly encryption: PayloadEncryption;
  readonly encryptionKey: IKey | undefined;
  readonly versioned: boolean;
  readonly lifecycle: PayloadLifecycleProps | undefined;
  readonly removalPolicy: RemovalPolicy;
  readonly auth: ResolvedAuth;
  readonly throttle: ThrottleProps;
  readonly tracing: boolean;
  /** True when EFS, the VPC and the sweeper exist: spool mode, or the after-response fallback. */
  readonly spoolInfra: boolean;
  readonly efsFallback: boolean;
  readonly directS3Route: { readonly prefix: string; readonly path: string } | undefined;
  readonly ackToStoredLagP99Ms: number;
  readonly alarmActions: IAlarmAction[];
  /** Things that are allowed but probably not meant; shown as synth-time warnings. */
  readonly warnings: string[];
}

/** Thrown for props that contradict each other or are out of range, before anything is built. */
export class QuickstowOptionsError extends Error {
  override readonly name = 'QuickstowOptionsError';
}

export function resolveOptions(props: QuickstowApiProps): ResolvedOptions {
  const problems: string[] = [];
  const warnings: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };

  const mode = props.mode ?? defaults.mode;
  check(modes.includes(mode), `mode must be one of ${modes.join(', ')}, got ${mode}`);
  const apiList = props.api ?? defaults.api;
  check(apiList.length > 0, 'api must name at least one of rest, http, function-url');
  for (const kind of apiList) {
    check(apiKinds.includes(kind), `api must be among ${apiKinds.join(', ')}, got ${kind}`);
  }
  check(new Set(apiList).size === apiList.length, `api lists a kind twice: ${apiList.join(', ')}`);
  const api = new Set(apiList);
  const extension = props.extension ?? defaults.extension;
  check(
    extensionKinds.includes(extension),
    `extension must be internal or external, got ${extension}`,
  );
  if (mode === 'sync' && extension === 'external') {
    warnings.push(
      'extension is external but mode is sync: nothing runs after the response, the layer only adds to the cold start',
    );
  }
  const runtime = props.runtime ?? defaults.runtime;
  check(runtimes.includes(runtime), `runtime must be one of ${runtimes.join(', ')}`);

  const memorySizeMb = props.memorySize ?? defaults.memorySizeMb;
  checkInteger(check, 'memorySize', memorySizeMb, 128, 10_240);
  const timeout = props.timeout ?? Duration.seconds(defaults.timeoutSeconds);
  if (!timeout.isUnresolved()) {
    checkInteger(check, 'timeout (seconds)', timeout.toSeconds(), 1, 900);
  }
  const { provisionedConcurrency, reservedConcurrency } = props;
  if (provisionedConcurrency !== undefined) {
    checkInteger(check, 'provisionedConcurrency', provisionedConcurrency, 1, 100_000);
  }
  if (reservedConcurrency !== undefined) {
    checkInteger(check, 'reservedConcurrency', reservedConcurrency, 1, 100_000);
  }
  if (provisionedConcurrency !== undefined && reservedConcurrency !== undefined) {
    // Lambda refuses provisioned concurrency above the function's reserved concurrency.
    check(
      provisionedConcurrency <= reservedConcurrency,
      `provisionedConcurrency (${provisionedConcurrency}) must not exceed reservedConcurrency (${reservedConcurrency})`,
    );
  }

  const prefix = props.prefix ?? defaults.prefix;
  checkPrefix(check, 'prefix', prefix);
  const maxBytes = props.maxBytes ?? defaults.maxBytes;
  checkInteger(check, 'maxBytes', maxBytes, 1, 6 * MiB);
  if (maxBytes > maxBytesWithoutWarning) {
    warnings.push(
      `maxBytes is ${maxBytes}: in base64 with the event around it, a body this large can exceed Lambda's 6 MB invoke limit`,
    );
  }
  const serviceName = props.serviceName ?? defaults.serviceName;
  check(/^[A-Za-z0-9._-]{1,255}$/.test(serviceName), 'serviceName must be 1-255 of [A-Za-z0-9._-]');

  const existingBucket = props.bucket;
  if (existingBucket) {
    // removalPolicy is not among them: it also applies to the spool's file system.
    const newBucketOptions = (
      ['encryption', 'encryptionKey', 'versioned', 'lifecycle'] as const
    ).filter((key) => props[key] !== undefined);
    check(
      newBucketOptions.length === 0,
      `bucket is an existing bucket: ${newBucketOptions.join(', ')} only apply to a new one`,
    );
  }
  const encryption = props.encryption ?? (props.encryptionKey ? 'kms' : defaults.encryption);
  check(encryptionKinds.includes(encryption), `encryption must be s3 or kms, got ${encryption}`);
  check(
    props.encryptionKey === undefined || encryption === 'kms',
    'encryptionKey is set but encryption is s3',
  );
  const versioned = props.versioned ?? defaults.versioned;
  const lifecycle = props.lifecycle;
  if (lifecycle) checkLifecycle(check, lifecycle, versioned);

  const auth = resolveAuth(props, api, check, warnings);

  const throttle = props.throttle ?? defaults.throttle;
  checkInteger(check, 'throttle.rateLimit', throttle.rateLimit, 1, 1_000_000);
  checkInteger(check, 'throttle.burstLimit', throttle.burstLimit, 0, 1_000_000);

  const efsFallback = props.efsFallback ?? defaults.efsFallback;
  check(
    !efsFallback || mode === 'after-response',
    `efsFallback applies to after-response mode only (mode is ${mode})`,
  );

  let directS3Route: ResolvedOptions['directS3Route'];
  if (props.directS3Route) {
    const given = props.directS3Route === true ? {} : props.directS3Route;
    directS3Route = {
      prefix: given.prefix ?? defaults.directS3Route.prefix,
      path: given.path ?? defaults.directS3Route.path,
    };
    check(api.has('rest'), 'directS3Route needs the rest API (add rest to api)');
    checkPrefix(check, 'directS3Route.prefix', directS3Route.prefix);
    check(
      !directS3Route.prefix.startsWith(prefix) && !prefix.startsWith(directS3Route.prefix),
      `directS3Route.prefix (${directS3Route.prefix}) overlaps prefix (${prefix}): direct uploads could overwrite payloads`,
    );
    check(
      /^[A-Za-z0-9._-]+$/.test(directS3Route.path) && directS3Route.path !== 'payloads',
      `directS3Route.path must be one path segment other than payloads, got ${directS3Route.path}`,
    );
  }

  const ackToStoredLagP99Ms = props.alarms?.ackToStoredLagP99Ms ?? defaults.ackToStoredLagP99Ms;
  checkInteger(check, 'alarms.ackToStoredLagP99Ms', ackToStoredLagP99Ms, 1, 86_400_000);

  if (problems.length > 0) {
    throw new QuickstowOptionsError(`Invalid QuickstowApi props:\n- ${problems.join('\n- ')}`);
  }
  return {
    mode,
    api,
    extension,
    runtime,
    memorySizeMb,
    timeout,
    provisionedConcurrency,
    reservedConcurrency,
    logRetention: props.logRetention ?? defaults.logRetention,
    functionZipPath: props.functionZipPath ?? defaultBundlePaths.functionZip,
    extensionLayerZipPath: props.extensionLayerZipPath ?? defaultBundlePaths.extensionLayerZip,
    prefix,
    maxBytes,
    serviceName,
    existingBucket,
    encryption,
    encryptionKey: props.encryptionKey,
    versioned,
    lifecycle,
    removalPolicy: props.removalPolicy ?? defaults.removalPolicy,
    auth,
    throttle,
    tracing: props.tracing ?? defaults.tracing,
    spoolInfra: mode === 'spool' || efsFallback,
    efsFallback,
    directS3Route,
    ackToStoredLagP99Ms,
    alarmActions: props.alarms?.actions ?? [],
    warnings,
  };
}

type Check = (ok: boolean, problem: string) => void;

function resolveAuth(
  props: QuickstowApiProps,
  api: ReadonlySet<QuickstowApiKind>,
  check: Check,
  warnings: string[],
): ResolvedAuth {
  const rest = props.auth?.rest ?? defaults.auth.rest;
  const http = props.auth?.http ?? defaults.auth.http;
  const functionUrl = props.auth?.functionUrl ?? defaults.auth.functionUrl;
  const jwt = props.auth?.jwt;
  check(restAuthKinds.includes(rest), `auth.rest must be one of ${restAuthKinds.join(', ')}`);
  check(httpAuthKinds.includes(http), `auth.http must be one of ${httpAuthKinds.join(', ')}`);
  check(
    functionUrlAuthKinds.includes(functionUrl),
    `auth.functionUrl must be one of ${functionUrlAuthKinds.join(', ')}`,
  );
  if (api.has('http') && http === 'jwt') {
    check(
      jwt !== undefined && /^https:\/\//.test(jwt.issuer) && jwt.audience.length > 0,
      'auth.http is jwt: auth.jwt needs an https issuer and at least one audience',
    );
  }
  const open = [
    api.has('rest') && rest === 'none' ? 'the REST API' : undefined,
    api.has('http') && http === 'none' ? 'the HTTP API' : undefined,
    api.has('function-url') && functionUrl === 'none' ? 'the Function URL' : undefined,
  ].filter((name) => name !== undefined);
  if (open.length > 0) {
    warnings.push(
      `${open.join(' and ')} accept${open.length === 1 ? 's' : ''} requests from anyone (auth none): anyone who finds the URL can store payloads in your bucket, at your cost`,
    );
  }
  return { rest, http, functionUrl, jwt };
}

function checkInteger(check: Check, name: string, value: number, min: number, max: number): void {
  check(
    Number.isInteger(value) && value >= min && value <= max,
    `${name} must be an integer from ${min} to ${max}, got ${value}`,
  );
}

/** A prefix is the IAM resource boundary: it must be a plain folder-like string. */
function checkPrefix(check: Check, name: string, prefix: string): void {
  check(
    /^[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*\/$/.test(prefix),
    `${name} must be a non-empty key prefix ending with / and without wildcards, got ${JSON.stringify(prefix)}`,
  );
}

function checkLifecycle(check: Check, lifecycle: PayloadLifecycleProps, versioned: boolean): void {
  const { expireAfterDays, infrequentAccessAfterDays, noncurrentVersionExpireAfterDays } =
    lifecycle;
  if (expireAfterDays !== undefined) {
    checkInteger(check, 'lifecycle.expireAfterDays', expireAfterDays, 1, 36_500);
  }
  if (infrequentAccessAfterDays !== undefined) {
    // S3 refuses a transition to Standard-IA earlier than 30 days.
    checkInteger(
      check,
      'lifecycle.infrequentAccessAfterDays',
      infrequentAccessAfterDays,
      30,
      36_500,
    );
    check(
      expireAfterDays === undefined || expireAfterDays > infrequentAccessAfterDays,
      'lifecycle.expireAfterDays must come after infrequentAccessAfterDays',
    );
  }
  if (noncurrentVersionExpireAfterDays !== undefined) {
    check(versioned, 'lifecycle.noncurrentVersionExpireAfterDays needs versioned: true');
    checkInteger(
      check,
      'lifecycle.noncurrentVersionExpireAfterDays',
      noncurrentVersionExpireAfterDays,
      1,
      36_500,
    );
  }
  const abortDays = lifecycle.abortIncompleteUploadsAfterDays;
  if (abortDays !== undefined) {
    checkInteger(check, 'lifecycle.abortIncompleteUploadsAfterDays', abortDays, 1, 36_500);
  }
}
