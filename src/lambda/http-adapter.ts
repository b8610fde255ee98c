/**
 * From a Lambda proxy event to a web Request and back, for API Gateway REST (payload 1.0),
 * HTTP API (2.0) and Function URL events (2.0). Our own instead of `hono/aws-lambda` because
 * that adapter decodes and encodes base64 with atob/btoa and a loop per character: 2.6 to 5 ms
 * per MiB on this machine against about 0.5 ms for Buffer, on every 1 MiB POST (the latency
 * quickstow exists to cut). It is also deprecated upstream.
 *
 * The body is not put into the Request: it is handed over already decoded, as `incoming`, the
 * one chunk the app's ingest reads (the Node server hands over its request stream the same way),
 * so the bytes are not copied into a web stream and out again.
 */

export interface ProxyEvent {
  /** 1.0 (REST API) only. */
  httpMethod?: string;
  path?: string;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
  /** 2.0 (HTTP API, Function URL) only. */
  rawPath?: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: Record<string, string | undefined> | null;
  requestContext?: { domainName?: string; http?: { method?: string } };
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface ProxyResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  body: string;
  isBase64Encoded: true;
}

export interface AdaptedRequest {
  request: Request;
  /** The decoded body: one chunk, or none when the event has no body. */
  incoming: Buffer[];
}

export function isPayloadFormat2(event: ProxyEvent): boolean {
  return typeof event.rawPath === 'string' && event.requestContext?.http !== undefined;
}

export function methodOf(event: ProxyEvent): string | undefined {
  return isPayloadFormat2(event) ? event.requestContext?.http?.method : event.httpMethod;
}

/** Throws a TypeError when the event is not a proxy event (no method or no path). */
export function toRequest(event: ProxyEvent): AdaptedRequest {
  const v2 = isPayloadFormat2(event);
  const method = methodOf(event);
  const path = v2 ? event.rawPath : event.path;
  if (typeof method !== 'string' || typeof path !== 'string') {
    throw new TypeError('not an API Gateway or Function URL proxy event (no method or path)');
  }
  const headers = v2 ? headersOf2(event) : headersOf1(event);
  const host = event.requestContext?.domainName ?? headers.get('host') ?? 'localhost';
  const query = v2 ? (event.rawQueryString ?? '') : queryOf1(event);
  const url = `https://${host}${path}${query === '' ? '' : `?${query}`}`;
  const incoming: Buffer[] = [];
  if (typeof event.body === 'string' && event.body !== '') {
    const body = Buffer.from(event.body, event.isBase64Encoded === true ? 'base64' : 'utf8');
    headers.set('content-length', String(body.length));
    incoming.push(body);
  }
  return { request: new Request(url, { method, headers }), incoming };
}

/**
 * The body always goes back base64-encoded: API Gateway (with binaryMediaTypes) and Function URLs
 * decode it, so a payload's bytes come back exactly, whatever its Content-Type claims.
 */
export async function toResult(event: ProxyEvent, response: Response): Promise<ProxyResult> {
  const body = Buffer.from(await response.arrayBuffer()).toString('base64');
  const cookies = response.headers.getSetCookie();
  const result: ProxyResult = { statusCode: response.status, body, isBase64Encoded: true };
  const v2 = isPayloadFormat2(event);
  if (!v2 && event.multiValueHeaders) {
    const multiValueHeaders: Record<string, string[]> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') multiValueHeaders[name] = [value];
    });
    if (cookies.length > 0) multiValueHeaders['set-cookie'] = cookies;
    result.multiValueHeaders = multiValueHeaders;
    return result;
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  result.headers = headers;
  if (cookies.length > 0) {
    if (v2) result.cookies = cookies;
    else headers['set-cookie'] = cookies[0] as string;
  }
  return result;
}

function headersOf1(event: ProxyEvent): Headers {
  const headers = new Headers();
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    for (const value of values ?? []) headers.append(name, value);
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && !headers.has(name)) headers.set(name, value);
  }
  return headers;
}

function headersOf2(event: ProxyEvent): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  // HTTP API and Function URLs move the Cookie header into `cookies`.
  if (event.cookies !== undefined && event.cookies.length > 0) {
    headers.set('cookie', event.cookies.join('; '));
  }
  return headers;
}

function queryOf1(event: ProxyEvent): string {
  const query = new URLSearchParams();
  if (event.multiValueQueryStringParameters) {
    for (const [name, values] of Object.entries(event.multiValueQueryStringParameters)) {
      for (const value of values ?? []) query.append(name, value);
    }
  } else {
    for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
      if (value !== undefined) query.append(name, value);
    }
  }
  return query.toString();
}
