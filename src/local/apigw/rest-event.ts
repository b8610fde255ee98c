/**
 * The REST API (payload format 1.0) event for a Lambda proxy integration on `ANY /{proxy+}`
 * (and `ANY /` for the root path), as a deployment made the way DESIGN.md asks would send it:
 * with `binaryMediaTypes` set to the catch-all media type, every non-empty body arrives
 * base64-encoded.
 * Field set and spelling follow events captured from AWS (test/fixtures/apigw/rest-v1-*.json).
 */
import { commonLogTime, type GatewayRequestIds } from './ids.js';
import { matchesBinaryMediaTypes } from './media-type.js';
import {
  type GatewayRequest,
  groupValues,
  headersForIntegration,
  lastHeaderValue,
  parseQueryString,
} from './request.js';

export interface RestApiSettings {
  accountId: string;
  apiId: string;
  region: string;
  stage: string;
  /** Bodies whose Content-Type matches are base64-encoded; others are passed as UTF-8 text. */
  binaryMediaTypes: readonly string[];
  /** requestContext.resourceId of the two resources the API is made of. */
  resourceIds: { root: string; proxy: string };
}

export interface RestApiEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  requestContext: RestRequestContext;
  body: string | null;
  isBase64Encoded: boolean;
}

export interface RestRequestContext {
  resourceId: string;
  resourcePath: string;
  httpMethod: string;
  extendedRequestId: string;
  requestTime: string;
  path: string;
  accountId: string;
  protocol: string;
  stage: string;
  domainPrefix: string;
  requestTimeEpoch: number;
  requestId: string;
  identity: RestIdentity;
  domainName: string;
  apiId: string;
}

/** Without an authorizer every caller field is null; only the address and agent are known. */
export interface RestIdentity {
  cognitoIdentityPoolId: null;
  accountId: null;
  cognitoIdentityId: null;
  caller: null;
  sourceIp: string;
  principalOrgId: null;
  accessKey: null;
  cognitoAuthenticationType: null;
  cognitoAuthenticationProvider: null;
  userArn: null;
  userAgent: string | null;
  user: null;
}

export function buildRestEvent(
  request: GatewayRequest,
  ids: GatewayRequestIds,
  settings: RestApiSettings,
): RestApiEvent {
  const headers = headersForIntegration(request, ids.traceHeader, {
    forwardedFor: 'X-Forwarded-For',
    forwardedPort: 'X-Forwarded-Port',
    forwardedProto: 'X-Forwarded-Proto',
    trace: 'X-Amzn-Trace-Id',
  });
  const multiValueHeaders = Object.fromEntries(groupValues(headers, true));
  const query = groupValues(parseQueryString(request.rawQueryString), false);
  // `{proxy+}` needs at least one segment: the root path is served by the `/` resource.
  const isRoot = request.path === '/' || request.path === '';
  const resourcePath = isRoot ? '/' : '/{proxy+}';
  const domainName = `${settings.apiId}.execute-api.${settings.region}.amazonaws.com`;
  const userAgent = lastHeaderValue(request.headers, 'user-agent') ?? null;
  return {
    resource: resourcePath,
    path: request.path,
    httpMethod: request.method,
    headers: Object.fromEntries(
      Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1) ?? '']),
    ),
    multiValueHeaders,
    queryStringParameters:
      query.size === 0
        ? null
        : Object.fromEntries([...query].map(([name, values]) => [name, values.at(-1) ?? ''])),
    multiValueQueryStringParameters: query.size === 0 ? null : Object.fromEntries(query),
    pathParameters: isRoot ? null : { proxy: request.path.slice(1) },
    stageVariables: null,
    requestContext: {
      resourceId: isRoot ? settings.resourceIds.root : settings.resourceIds.proxy,
      resourcePath,
      httpMethod: request.method,
      extendedRequestId: ids.extendedRequestId,
      requestTime: commonLogTime(request.receivedAtMs),
      path: `/${settings.stage}${request.path}`,
      accountId: settings.accountId,
      protocol: 'HTTP/1.1',
      stage: settings.stage,
      domainPrefix: settings.apiId,
      requestTimeEpoch: request.receivedAtMs,
      requestId: ids.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: request.sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent,
        user: null,
      },
      domainName,
      apiId: settings.apiId,
    },
    ...restBody(request, settings.binaryMediaTypes),
  };
}

/**
 * An empty body is `null`. A body whose Content-Type matches `binaryMediaTypes` is base64; any
 * other is decoded as UTF-8, which is exactly how a misconfigured API corrupts binary uploads.
 */
function restBody(
  request: GatewayRequest,
  binaryMediaTypes: readonly string[],
): Pick<RestApiEvent, 'body' | 'isBase64Encoded'> {
  if (request.body.length === 0) return { body: null, isBase64Encoded: false };
  const contentType = lastHeaderValue(request.headers, 'content-type');
  if (matchesBinaryMediaTypes(contentType, binaryMediaTypes)) {
    return { body: request.body.toString('base64'), isBase64Encoded: true };
  }
  return { body: request.body.toString('utf8'), isBase64Encoded: false };
}
