/**
 * The HTTP API event (payload format 2.0) for the `$default` route. Function URLs send the same
 * format; only the settings differ (domain `<url-id>.lambda-url.<region>.on.aws`, account id
 * `anonymous` without IAM auth). Field set and spelling follow events captured from AWS
 * (test/fixtures/apigw/http-v2-*.json, function-url-*.json): keys with nothing to say are left
 * out rather than set to null.
 */
import { commonLogTime, type GatewayRequestIds } from './ids.js';
import { isTextMediaType } from './media-type.js';
import {
  type GatewayRequest,
  groupValues,
  headersForIntegration,
  lastHeaderValue,
  parseQueryString,
} from './request.js';

export interface HttpApiSettings {
  accountId: string;
  apiId: string;
  /** `<api-id>.execute-api.<region>.amazonaws.com`, or a Function URL's domain. */
  domainName: string;
}

export interface HttpApiEvent {
  version: '2.0';
  routeKey: '$default';
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: HttpApiRequestContext;
  body?: string;
  isBase64Encoded: boolean;
}

export interface HttpApiRequestContext {
  accountId: string;
  apiId: string;
  domainName: string;
  domainPrefix: string;
  http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
  requestId: string;
  routeKey: '$default';
  stage: '$default';
  time: string;
  timeEpoch: number;
}

export function buildHttpApiEvent(
  request: GatewayRequest,
  ids: GatewayRequestIds,
  settings: HttpApiSettings,
): HttpApiEvent {
  const forwarded = headersForIntegration(request, ids.traceHeader, {
    forwardedFor: 'x-forwarded-for',
    forwardedPort: 'x-forwarded-port',
    forwardedProto: 'x-forwarded-proto',
    trace: 'x-amzn-trace-id',
  });
  // Cookies leave the headers for their own field, one entry per cookie.
  const cookies = forwarded
    .filter(([name]) => name.toLowerCase() === 'cookie')
    .flatMap(([, value]) => value.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');
  const headers = groupValues(
    forwarded
      .filter(([name]) => name.toLowerCase() !== 'cookie')
      .map(([name, value]) => [name.toLowerCase(), value] as const),
    false,
  );
  const query = groupValues(parseQueryString(request.rawQueryString), false);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: Object.fromEntries([...headers].map(([name, values]) => [name, values.join(',')])),
    ...(query.size > 0
      ? {
          queryStringParameters: Object.fromEntries(
            [...query].map(([name, values]) => [name, values.join(',')]),
          ),
        }
      : {}),
    requestContext: {
      accountId: settings.accountId,
      apiId: settings.apiId,
      domainName: settings.domainName,
      domainPrefix: settings.domainName.split('.')[0] ?? settings.domainName,
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: lastHeaderValue(request.headers, 'user-agent') ?? '',
      },
      requestId: ids.requestId,
      routeKey: '$default',
      stage: '$default',
      time: commonLogTime(request.receivedAtMs),
      timeEpoch: request.receivedAtMs,
    },
    ...httpApiBody(request),
  };
}

/** No body key for an empty body; text types as UTF-8; anything else base64. */
function httpApiBody(request: GatewayRequest): Pick<HttpApiEvent, 'body' | 'isBase64Encoded'> {
  if (request.body.length === 0) return { isBase64Encoded: false };
  if (isTextMediaType(lastHeaderValue(request.headers, 'content-type'))) {
    return { body: request.body.toString('utf8'), isBase64Encoded: false };
  }
  return { body: request.body.toString('base64'), isBase64Encoded: true };
}
