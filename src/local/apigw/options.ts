/**
 * The front's configuration: one defaults object, units in the names, resolved and checked once
 * at start; unknown keys are an error. Limits are API Gateway's and Lambda's own (LAMBDA.md).
 */
import { QuickstowError } from '../../core/errors.js';
import type { Invoker } from '../types.js';
import type { ApiKind } from './gateway-response.js';
import type { FrontLogEntry } from './log.js';

export interface ApiGatewayOptions {
  /** `rest`: REST API, payload format 1.0; `http`: HTTP API, payload format 2.0. */
  api: ApiKind;
  invoker: Invoker;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** REST only: the stage in requestContext (`prod`). HTTP APIs serve their `$default` stage. */
  stage?: string;
  /** API Gateway's payload limit: a larger body is refused with 413 before it is read. */
  maxBodyBytes?: number;
  /** Lambda's synchronous invoke request limit: a larger event is refused with 413. */
  invokeRequestMaxBytes?: number;
  /** How long the gateway waits for Lambda: 29 s (REST) or 30 s (HTTP API) by default. */
  integrationTimeoutMs?: number;
  /** REST only: media types carried as base64 (DESIGN.md asks deployments for the catch-all). */
  binaryMediaTypes?: readonly string[];
  accountId?: string;
  apiId?: string;
  region?: string;
  /** How long `close()` lets requests in flight finish before cutting their connections. */
  closeTimeoutMs?: number;
  /** Called once per request with what happened (and again if an invoke outlives its timeout). */
  log?: (entry: FrontLogEntry) => void;
}

export type ResolvedApiGatewayOptions = Required<Omit<ApiGatewayOptions, 'log'>> &
  Pick<ApiGatewayOptions, 'log'>;

export const apiGatewayDefaults = {
  host: '127.0.0.1',
  port: 3000,
  restStage: 'prod',
  maxBodyBytes: 10 * 1024 * 1024,
  invokeRequestMaxBytes: 6 * 1024 * 1024,
  restIntegrationTimeoutMs: 29_000,
  httpIntegrationTimeoutMs: 30_000,
  binaryMediaTypes: ['*/*'] as readonly string[],
  // Sanitised placeholders in the shape of real ids (documentation account id, 10-char api id).
  accountId: '123456789012',
  apiId: 'qs0local01',
  region: 'us-east-1',
  closeTimeoutMs: 1000,
} as const;

const knownKeys = new Set<string>([
  'api',
  'invoker',
  'host',
  'port',
  'stage',
  'maxBodyBytes',
  'invokeRequestMaxBytes',
  'integrationTimeoutMs',
  'binaryMediaTypes',
  'accountId',
  'apiId',
  'region',
  'closeTimeoutMs',
  'log',
]);

export function resolveApiGatewayOptions(input: ApiGatewayOptions): ResolvedApiGatewayOptions {
  const unknown = Object.keys(input).filter((key) => !knownKeys.has(key));
  if (unknown.length > 0)
    invalid(`unknown option${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  if (input.api !== 'rest' && input.api !== 'http') invalid(`api must be 'rest' or 'http'`);
  if (typeof input.invoker?.invoke !== 'function') invalid('invoker must have an invoke method');
  const isRest = input.api === 'rest';
  if (!isRest && input.stage !== undefined && input.stage !== '$default') {
    invalid('an HTTP API is served on its $default stage; stage applies to REST APIs');
  }
  if (!isRest && input.binaryMediaTypes !== undefined) {
    invalid('binaryMediaTypes applies to REST APIs; HTTP APIs base64-encode every non-text body');
  }
  const resolved: ResolvedApiGatewayOptions = {
    api: input.api,
    invoker: input.invoker,
    host: input.host ?? apiGatewayDefaults.host,
    port: input.port ?? apiGatewayDefaults.port,
    stage: input.stage ?? (isRest ? apiGatewayDefaults.restStage : '$default'),
    maxBodyBytes: input.maxBodyBytes ?? apiGatewayDefaults.maxBodyBytes,
    invokeRequestMaxBytes: input.invokeRequestMaxBytes ?? apiGatewayDefaults.invokeRequestMaxBytes,
    integrationTimeoutMs:
      input.integrationTimeoutMs ??
      (isRest
        ? apiGatewayDefaults.restIntegrationTimeoutMs
        : apiGatewayDefaults.httpIntegrationTimeoutMs),
    binaryMediaTypes: input.binaryMediaTypes ?? apiGatewayDefaults.binaryMediaTypes,
    accountId: input.accountId ?? apiGatewayDefaults.accountId,
    apiId: input.apiId ?? apiGatewayDefaults.apiId,
    region: input.region ?? apiGatewayDefaults.region,
    closeTimeoutMs: input.closeTimeoutMs ?? apiGatewayDefaults.closeTimeoutMs,
    log: input.log,
  };
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    invalid('port must be an integer from 0 to 65535');
  }
  for (const key of [
    'maxBodyBytes',
    'invokeRequestMaxBytes',
    'integrationTimeoutMs',
    'closeTimeoutMs',
  ] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value <= 0) invalid(`${key} must be a positive integer`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(resolved.stage) && resolved.stage !== '$default') {
    invalid('stage may hold only letters, digits, - and _');
  }
  if (!/^[a-z0-9]+$/.test(resolved.apiId))
    invalid('apiId may hold only lower-case letters and digits');
  return resolved;
}

function invalid(message: string): never {
  throw new QuickstowError('invalid-config', 400, `quickstow local API Gateway: ${message}`);
}
