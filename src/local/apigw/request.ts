/**
 * What the front knows of one HTTP request once its body is in: the input of both event
 * builders. Headers stay raw pairs in arrival order, so that repeated headers survive until each
 * payload format folds them its own way (v1: last value wins plus a multi-value map; v2: joined
 * with commas).
 */

export type HeaderPairs = ReadonlyArray<readonly [name: string, value: string]>;

export interface GatewayRequest {
  method: string;
  /** The path as the client sent it, percent-encoding kept, without the query string. */
  path: string;
  /** What follows the first `?`, as sent; '' when there is none. */
  rawQueryString: string;
  /** Header lines in arrival order, names spelled as sent, repeats kept. */
  headers: HeaderPairs;
  body: Buffer;
  /** The peer address of the TCP connection. */
  sourceIp: string;
  /** Epoch milliseconds when the request arrived. */
  receivedAtMs: number;
  /** The port and scheme the client connected to: API Gateway's X-Forwarded-Port/-Proto. */
  localPort: number;
  scheme: 'http' | 'https';
}

/**
 * Connection-level headers that describe the client's hop, not the request; API Gateway does
 * not pass them to the integration (and a body it buffered is no longer chunked).
 */
const hopByHopHeaders = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

/** Headers API Gateway writes itself; a client's own copies are replaced (or appended to). */
const gatewayWrittenHeaders = new Set([
  'x-forwarded-for',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-amzn-trace-id',
]);

/**
 * The headers the integration sees: the client's, minus hop-by-hop ones, plus the forwarding
 * and trace headers API Gateway adds (X-Forwarded-For appends the peer to what the client sent).
 * `names` spells the added headers (REST keeps canonical case, HTTP APIs lower-case everything).
 */
export function headersForIntegration(
  request: GatewayRequest,
  traceHeader: string,
  names: { forwardedFor: string; forwardedPort: string; forwardedProto: string; trace: string },
): Array<[string, string]> {
  const forwardedFor: string[] = [];
  const kept: Array<[string, string]> = [];
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') forwardedFor.push(value);
    if (hopByHopHeaders.has(lower) || gatewayWrittenHeaders.has(lower)) continue;
    kept.push([name, value]);
  }
  forwardedFor.push(request.sourceIp);
  kept.push([names.forwardedFor, forwardedFor.join(', ')]);
  kept.push([names.forwardedPort, String(request.localPort)]);
  kept.push([names.forwardedProto, request.scheme]);
  kept.push([names.trace, traceHeader]);
  return kept;
}

/** The last value of a header (case-insensitive), as single-value views keep it. */
export function lastHeaderValue(headers: HeaderPairs, name: string): string | undefined {
  const wanted = name.toLowerCase();
  let found: string | undefined;
  for (const [key, value] of headers) if (key.toLowerCase() === wanted) found = value;
  return found;
}

/**
 * Query parameters in order, names and values percent-decoded (a malformed escape is kept as
 * sent rather than failing the request). `+` stays a `+`: API Gateway does not apply form
 * decoding to the query string.
 */
export function parseQueryString(rawQueryString: string): Array<[string, string]> {
  const parameters: Array<[string, string]> = [];
  for (const part of rawQueryString.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? '' : part.slice(equals + 1);
    parameters.push([decodeLeniently(name), decodeLeniently(value)]);
  }
  return parameters;
}

function decodeLeniently(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Groups pairs by name, values in order; `foldCase` merges names differing only in case. */
export function groupValues(
  pairs: ReadonlyArray<readonly [string, string]>,
  foldCase: boolean,
): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const spelling = new Map<string, string>();
  for (const [name, value] of pairs) {
    const key = foldCase ? name.toLowerCase() : name;
    const spelled = spelling.get(key) ?? name;
    spelling.set(key, spelled);
    const values = groups.get(spelled) ?? [];
    values.push(value);
    groups.set(spelled, values);
  }
  return groups;
}
