/**
 * Turns the CDK app's context (`cdk synth -c mode=spool -c api=rest,http`, or the `context` of
 * cdk.json) into {@link QuickstowStackProps}. Values from `-c` are always strings; the ones in
 * cdk.json may be booleans, numbers or arrays: both are accepted. A key this app does not know
 * is an error, so a typo never silently deploys the defaults.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  apiKinds,
  encryptionKinds,
  extensionKinds,
  functionUrlAuthKinds,
  httpAuthKinds,
  modes,
  type QuickstowAuthProps,
  restAuthKinds,
  runtimes,
} from './props.js';
import type { QuickstowStackProps } from './stack.js';

/** Every context key the app reads, with what it sets. */
export const contextKeys = {
  stackName: 'the stack name (default Quickstow)',
  mode: modes.join(' | '),
  api: `comma-separated: ${apiKinds.join(', ')}`,
  extension: extensionKinds.join(' | '),
  runtime: runtimes.join(' | '),
  memorySize: 'MB',
  timeoutSeconds: 'the function timeout',
  provisionedConcurrency: 'sandboxes kept warm (an alias live)',
  reservedConcurrency: 'concurrency reserved for the function',
  logRetentionDays: 'a CloudWatch Logs retention: 1, 3, 5, 7, 14, 30, 60, 90, 180, 365, ...',
  prefix: 'the payload key prefix, ending with /',
  maxBytes: 'the largest payload accepted',
  serviceName: 'POWERTOOLS_SERVICE_NAME and the alarm metrics dimension',
  bucketName: 'an existing bucket to use',
  bucketKeyArn: "the existing bucket's KMS key",
  encryption: encryptionKinds.join(' | '),
  versioned: 'true | false',
  expireAfterDays: 'lifecycle: delete payloads after N days',
  infrequentAccessAfterDays: 'lifecycle: Standard-IA after N days (>= 30)',
  noncurrentVersionExpireAfterDays: 'lifecycle: delete old versions after N days',
  removalPolicy: 'retain | destroy (bucket, EFS, KMS key on stack deletion)',
  auth: 'sets restAuth, httpAuth and functionUrlAuth at once',
  restAuth: restAuthKinds.join(' | '),
  httpAuth: httpAuthKinds.join(' | '),
  functionUrlAuth: functionUrlAuthKinds.join(' | '),
  jwtIssuer: 'the JWT issuer URL (httpAuth=jwt)',
  jwtAudience: 'comma-separated JWT audiences (httpAuth=jwt)',
  throttleRate: 'requests per second',
  throttleBurst: 'burst requests',
  tracing: 'true | false (X-Ray)',
  efsFallback: 'true | false (after-response: save failed uploads to EFS)',
  directS3Route: 'true | false (API Gateway -> S3, no Lambda)',
  directS3Prefix: "the direct route's key prefix",
  directS3Path: "the direct route's path segment",
  lagAlarmMs: 'AckToStoredLag p99 alarm threshold',
  alarmEmail: 'an address every alarm notifies (via SNS)',
  functionZip: 'path to function.zip (default ../dist-lambda/function.zip)',
  layerZip: 'path to extension-layer.zip (default ../dist-lambda/extension-layer.zip)',
} as const;

export type ContextKey = keyof typeof contextKeys;

/** Thrown with every problem found in the context at once. */
export class ContextError extends Error {
  override readonly name = 'ContextError';
}

/**
 * @param context every context key and value the app sees (`app.node.getAllContext()`); keys
 *   with a `:` or starting with `@` belong to CDK itself (feature flags, the CLI's own) and are
 *   not looked at.
 */
export function stackPropsFromContext(context: Record<string, unknown>): {
  stackName: string;
  props: QuickstowStackProps;
} {
  const problems: string[] = [];
  for (const key of Object.keys(context)) {
    if (key.includes(':') || key.startsWith('@')) continue;
    if (!(key in contextKeys)) {
      problems.push(
        `unknown context key ${key}; the app reads: ${Object.keys(contextKeys).join(', ')}`,
      );
    }
  }
  const read = new Reader(context, problems);

  const api = read.list('api');
  const restAuth = read.oneOf('restAuth', restAuthKinds) ?? read.authFor('rest', restAuthKinds);
  const httpAuth = read.oneOf('httpAuth', httpAuthKinds) ?? read.authFor('http', httpAuthKinds);
  const functionUrlAuth =
    read.oneOf('functionUrlAuth', functionUrlAuthKinds) ??
    read.authFor('function-url', functionUrlAuthKinds);
  const jwtIssuer = read.text('jwtIssuer');
  const jwtAudience = read.list('jwtAudience');
  const auth: QuickstowAuthProps = {
    rest: restAuth,
    http: httpAuth,
    functionUrl: functionUrlAuth,
    jwt:
      jwtIssuer || jwtAudience
        ? { issuer: jwtIssuer ?? '', audience: jwtAudience ?? [] }
        : undefined,
  };

  const throttleRate = read.integer('throttleRate');
  const throttleBurst = read.integer('throttleBurst');
  if ((throttleRate === undefined) !== (throttleBurst === undefined)) {
    problems.push('throttleRate and throttleBurst go together');
  }
  const lifecycle = {
    expireAfterDays: read.integer('expireAfterDays'),
    infrequentAccessAfterDays: read.integer('infrequentAccessAfterDays'),
    noncurrentVersionExpireAfterDays: read.integer('noncurrentVersionExpireAfterDays'),
  };
  const hasLifecycle = Object.values(lifecycle).some((value) => value !== undefined);
  const directS3Prefix = read.text('directS3Prefix');
  const directS3Path = read.text('directS3Path');
  const directS3Route = read.boolean('directS3Route');
  if (!directS3Route && (directS3Prefix || directS3Path)) {
    problems.push('directS3Prefix and directS3Path need -c directS3Route=true');
  }
  const bucketName = read.text('bucketName');
  const bucketKeyArn = read.text('bucketKeyArn');
  if (bucketKeyArn && !bucketName) problems.push('bucketKeyArn needs bucketName');
  const timeoutSeconds = read.integer('timeoutSeconds');
  const removal = read.oneOf('removalPolicy', ['retain', 'destroy'] as const);
  const stackName = read.text('stackName') ?? 'Quickstow';

  const props: QuickstowStackProps = {
    existingBucketName: bucketName,
    existingBucketKeyArn: bucketKeyArn,
    alarmEmail: read.text('alarmEmail'),
    quickstow: {
      mode: read.oneOf('mode', modes),
      api: api as (typeof apiKinds)[number][] | undefined,
      extension: read.oneOf('extension', extensionKinds),
      runtime: read.oneOf('runtime', runtimes),
      memorySize: read.integer('memorySize'),
      timeout: timeoutSeconds === undefined ? undefined : Duration.seconds(timeoutSeconds),
      provisionedConcurrency: read.integer('provisionedConcurrency'),
      reservedConcurrency: read.integer('reservedConcurrency'),
      logRetention: read.retention('logRetentionDays'),
      functionZipPath: read.text('functionZip'),
      extensionLayerZipPath: read.text('layerZip'),
      prefix: read.text('prefix'),
      maxBytes: read.integer('maxBytes'),
      serviceName: read.text('serviceName'),
      encryption: read.oneOf('encryption', encryptionKinds),
      versioned: read.boolean('versioned'),
      lifecycle: hasLifecycle ? lifecycle : undefined,
      removalPolicy:
        removal === undefined
          ? undefined
          : removal === 'destroy'
            ? RemovalPolicy.DESTROY
            : RemovalPolicy.RETAIN,
      auth,
      throttle:
        throttleRate !== undefined && throttleBurst !== undefined
          ? { rateLimit: throttleRate, burstLimit: throttleBurst }
          : undefined,
      tracing: read.boolean('tracing'),
      efsFallback: read.boolean('efsFallback'),
      directS3Route: directS3Route ? { prefix: directS3Prefix, path: directS3Path } : undefined,
      alarms: { ackToStoredLagP99Ms: read.integer('lagAlarmMs') },
    },
  };
  if (api) {
    for (const kind of api) {
      if (!(apiKinds as readonly string[]).includes(kind)) {
        problems.push(`api: ${kind} is not one of ${apiKinds.join(', ')}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new ContextError(`Invalid context:\n- ${problems.join('\n- ')}`);
  }
  return { stackName, props };
}

/** Reads one typed value per key, collecting problems instead of stopping at the first. */
class Reader {
  constructor(
    private readonly context: Record<string, unknown>,
    private readonly problems: string[],
  ) {}

  text(key: ContextKey): string | undefined {
    const value = this.context[key];
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string') return value;
    this.problems.push(`${key} must be a string, got ${JSON.stringify(value)}`);
    return undefined;
  }

  integer(key: ContextKey): number | undefined {
    const value = this.context[key];
    if (value === undefined || value === '') return undefined;
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
    this.problems.push(`${key} must be a whole number, got ${JSON.stringify(value)}`);
    return undefined;
  }

  boolean(key: ContextKey): boolean | undefined {
    const value = this.context[key];
    if (value === undefined || value === '') return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    this.problems.push(`${key} must be true or false, got ${JSON.stringify(value)}`);
    return undefined;
  }

  list(key: ContextKey): string[] | undefined {
    const value = this.context[key];
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string') {
      return value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    }
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
    this.problems.push(`${key} must be a comma-separated list, got ${JSON.stringify(value)}`);
    return undefined;
  }

  oneOf<T extends string>(key: ContextKey, choices: readonly T[]): T | undefined {
    const value = this.text(key);
    if (value === undefined) return undefined;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${key} must be one of ${choices.join(', ')}, got ${value}`);
    return undefined;
  }

  /**
   * The `auth` shorthand for one API kind. It must be valid for every API deployed (an API key
   * on an HTTP API is an error, not a silent fallback to IAM); for kinds not deployed it is
   * ignored.
   */
  authFor<T extends string>(kind: (typeof apiKinds)[number], choices: readonly T[]): T | undefined {
    const value = this.text('auth');
    if (value === undefined) return undefined;
    if ((choices as readonly string[]).includes(value)) return value as T;
    const deployed = this.list('api') ?? ['rest'];
    if (deployed.includes(kind)) {
      this.problems.push(`auth=${value} does not exist for ${kind} (it has ${choices.join(', ')})`);
    }
    return undefined;
  }

  retention(key: ContextKey): RetentionDays | undefined {
    const days = this.integer(key);
    if (days === undefined) return undefined;
    const valid = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
    if (valid.includes(days)) return days as RetentionDays;
    this.problems.push(`${key} must be one of ${valid.join(', ')}, got ${days}`);
    return undefined;
  }
}
