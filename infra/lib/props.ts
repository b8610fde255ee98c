import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

export const modes = ['after-response', 'sync', 'spool'] as const;
export const apiKinds = ['rest', 'http', 'function-url'] as const;
export const extensionKinds = ['internal', 'external'] as const;
export const runtimes = ['nodejs22.x', 'nodejs24.x'] as const;
export const restAuthKinds = ['iam', 'api-key', 'none'] as const;
export const httpAuthKinds = ['iam', 'jwt', 'none'] as const;
export const functionUrlAuthKinds = ['iam', 'none'] as const;
export const encryptionKinds = ['s3', 'kms'] as const;

/** What holds when the client gets its answer (docs/durability.md). */
export type QuickstowMode = (typeof modes)[number];
/** A front door to the function; several may be deployed side by side. */
export type QuickstowApiKind = (typeof apiKinds)[number];
/** Where the after-response upload runs: in the runtime process, or in a separate process (a layer). */
export type QuickstowExtension = (typeof extensionKinds)[number];
/** The Lambda Node.js runtime. Both are arm64. */
export type QuickstowRuntime = (typeof runtimes)[number];
export type RestAuth = (typeof restAuthKinds)[number];
export type HttpAuth = (typeof httpAuthKinds)[number];
export type FunctionUrlAuth = (typeof functionUrlAuthKinds)[number];
export type PayloadEncryption = (typeof encryptionKinds)[number];

/**
 * Who may call each front door. Each API kind has its own setting because they support different
 * mechanisms: API keys exist only on REST APIs, JWT authorizers only on HTTP APIs, and a Function
 * URL knows only IAM or nothing. `none` is allowed but adds a warning to the synthesis output.
 */
export interface QuickstowAuthProps {
  /**
   * REST API: SigV4-signed requests (`iam`), an `x-api-key` header with a usage plan
   * (`api-key`), or anyone (`none`).
   * @default 'iam'
   */
  readonly rest?: RestAuth;
  /**
   * HTTP API: SigV4-signed requests (`iam`), a bearer JWT checked by API Gateway (`jwt`, needs
   * {@link QuickstowAuthProps.jwt}), or anyone (`none`).
   * @default 'iam'
   */
  readonly http?: HttpAuth;
  /**
   * Function URL: SigV4-signed requests (`iam`) or anyone (`none`).
   * @default 'iam'
   */
  readonly functionUrl?: FunctionUrlAuth;
  /**
   * The JWT authorizer's issuer and audience; required when `http` is `jwt`.
   * @default - none
   */
  readonly jwt?: JwtAuthProps;
}

/** A JWT authorizer on the HTTP API (for example a Cognito user pool or any OIDC issuer). */
export interface JwtAuthProps {
  /** The issuer URL, e.g. `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`. */
  readonly issuer: string;
  /** Accepted `aud` values (for Cognito: the app client ids). At least one. */
  readonly audience: string[];
}

/** Steady-state and burst request rates, per second, for the whole stage. */
export interface ThrottleProps {
  /** Requests per second, steady state. */
  readonly rateLimit: number;
  /** Requests allowed in a burst above the steady rate. */
  readonly burstLimit: number;
}

/** A lifecycle rule on the payload prefix of a new bucket. */
export interface PayloadLifecycleProps {
  /**
   * Delete payloads this many days after they were stored.
   * @default - payloads are kept
   */
  readonly expireAfterDays?: number;
  /**
   * Move payloads to S3 Standard-IA this many days after they were stored (at least 30).
   * @default - they stay in S3 Standard
   */
  readonly infrequentAccessAfterDays?: number;
  /**
   * With versioning on, delete replaced or deleted versions this many days later.
   * @default - older versions are kept
   */
  readonly noncurrentVersionExpireAfterDays?: number;
  /**
   * Abort multipart uploads left incomplete (a sandbox that died mid-upload) after this many days.
   * @default 1
   */
  readonly abortIncompleteUploadsAfterDays?: number;
}

/**
 * The direct route: API Gateway writes the request body to S3 itself (an AWS service
 * integration), with no Lambda at all. Clients choose the object name; there is no receipt, id,
 * digest check or idempotency: it is the baseline that the original answers propose.
 */
export interface DirectS3RouteProps {
  /**
   * The key prefix objects are written under: `PUT /{path}/{name}` stores `{prefix}{name}`.
   * It must not overlap the payload prefix, so direct uploads can never overwrite payloads.
   * @default 'direct/'
   */
  readonly prefix?: string;
  /**
   * The REST API path segment of the route.
   * @default 'direct'
   */
  readonly path?: string;
}

/** CloudWatch alarms on the function's EMF metrics and on the API and Lambda metrics. */
export interface QuickstowAlarmProps {
  /**
   * Alarm when the p99 of `AckToStoredLag` (time from the answer to the object being in S3)
   * over 5 minutes exceeds this many milliseconds.
   * @default 10000
   */
  readonly ackToStoredLagP99Ms?: number;
  /**
   * What every alarm does when it fires, e.g. an `SnsAction`.
   * @default - no action: the alarms are visible in the CloudWatch console only
   */
  readonly actions?: IAlarmAction[];
}

/** Options of {@link QuickstowApi}. Every option has a default; `{}` deploys a working stack. */
export interface QuickstowApiProps {
  /**
   * The durability mode: `after-response` answers 202 and uploads after the response, before the
   * sandbox freezes; `sync` answers 201 once S3 has the object; `spool` answers 202 once the
   * payload is fsync'ed to EFS (this creates a VPC, EFS and the sweeper).
   * @default 'after-response'
   */
  readonly mode?: QuickstowMode;
  /**
   * The front doors to deploy, any combination of `rest` (API Gateway REST API, with
   * `binaryMediaTypes: ['*\/*']`), `http` (API Gateway HTTP API) and `function-url`.
   * @default ['rest']
   */
  readonly api?: QuickstowApiKind[];
  /**
   * `internal`: the upload runs in the runtime process; `external`: in a separate process,
   * shipped as the extension layer (`/opt/extensions/quickstow`).
   * @default 'internal'
   */
  readonly extension?: QuickstowExtension;
  /**
   * The Lambda runtime; the architecture is always arm64.
   * @default 'nodejs22.x'
   */
  readonly runtime?: QuickstowRuntime;
  /**
   * The function's memory in MB; CPU and network bandwidth grow with it.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * The function timeout. It bounds the whole invoke, including the upload after the response:
   * a payload not uploaded by then is counted as lost (or saved to the EFS fallback).
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Keep this many sandboxes initialised (an alias `live` with provisioned concurrency, which
   * the front doors then invoke). Billed by the hour whether used or not.
   * @default - none: on-demand sandboxes only, the front doors invoke `$LATEST`
   */
  readonly provisionedConcurrency?: number;
  /**
   * Reserve (and cap) this many concurrent executions for the API function.
   * @default - none: the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /**
   * How long the functions' log groups keep their logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * The function bundle (`index.mjs` and `sweeper.mjs`), as written by `npm run build:lambda`.
   * @default '<repo>/dist-lambda/function.zip'
   */
  readonly functionZipPath?: string;
  /**
   * The external extension's layer, as written by `npm run build:lambda`; used only when
   * `extension` is `external`.
   * @default '<repo>/dist-lambda/extension-layer.zip'
   */
  readonly extensionLayerZipPath?: string;
  /**
   * The key prefix of payloads (`{prefix}yyyy/mm/dd/{id}`); the function may read and write
   * under it and nowhere else. Must end with `/`.
   * @default 'payloads/'
   */
  readonly prefix?: string;
  /**
   * The largest payload accepted, in bytes (a larger one is a 413). Lambda's 6 MB invoke limit
   * applies to the base64-encoded body plus the event, so values above 4 MiB are warned about.
   * @default 4194304 (4 MiB)
   */
  readonly maxBytes?: number;
  /**
   * `POWERTOOLS_SERVICE_NAME`, and the `service` dimension of the EMF metrics the alarms watch.
   * Give each deployment in one account and region its own, or their alarms see each other.
   * @default 'quickstow'
   */
  readonly serviceName?: string;
  /**
   * An existing bucket to store payloads in. It is used as it is: `encryption`,
   * `encryptionKey`, `versioned` and `lifecycle` must not be set. If it is KMS-encrypted, import
   * it with its `encryptionKey` so the function is granted that key.
   * @default - a new private bucket
   */
  readonly bucket?: IBucket;
  /**
   * A new bucket's encryption: SSE-S3 (`s3`) or SSE-KMS (`kms`, with an S3 Bucket Key to keep
   * KMS requests, and their cost, low).
   * @default 's3'
   */
  readonly encryption?: PayloadEncryption;
  /**
   * The KMS key of a new bucket when `encryption` is `kms`.
   * @default - a new key with rotation on
   */
  readonly encryptionKey?: IKey;
  /**
   * Versioning on a new bucket.
   * @default false
   */
  readonly versioned?: boolean;
  /**
   * A lifecycle rule on the payload prefix of a new bucket.
   * @default - none
   */
  readonly lifecycle?: PayloadLifecycleProps;
  /**
   * What happens to the stored data (the new bucket, the spool's file system and the KMS key)
   * when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Who may call each front door.
   * @default - IAM (SigV4) on every front door
   */
  readonly auth?: QuickstowAuthProps;
  /**
   * Stage-wide throttling of the REST and HTTP APIs (and the API key usage plan). A Function
   * URL has no throttling of its own: cap it with `reservedConcurrency`.
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ThrottleProps;
  /**
   * Active X-Ray tracing on the functions and on the REST API stage (HTTP APIs have none).
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * In `after-response` mode, create the spool infrastructure (VPC, EFS, sweeper) and let the
   * function save a payload it could not upload to EFS (`QUICKSTOW_FALLBACK_DIR`) instead of
   * losing it; each such payload counts in `PayloadsToFallback`, which has an alarm.
   * @default false
   */
  readonly efsFallback?: boolean;
  /**
   * Add the API Gateway → S3 route with no Lambda (REST API only); `true` for its defaults.
   * @default false
   */
  readonly directS3Route?: boolean | DirectS3RouteProps;
  /**
   * The alarms' threshold and actions. The alarms themselves are always created.
   * @default - see {@link QuickstowAlarmProps}
   */
  readonly alarms?: QuickstowAlarmProps;
}
