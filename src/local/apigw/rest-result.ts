/**
 * Turns a Lambda proxy result into the REST API's answer. REST APIs are strict: the result must
 * be a JSON object with a valid `statusCode` and nothing but the five documented keys (a
 * `cookies` or `statusDescription` key is "Malformed Lambda proxy response", a 502).
 */
import { decodeBase64Strictly } from './base64.js';
import { firstAcceptType, matchesBinaryMediaTypes } from './media-type.js';
import {
  assertWritableHeaders,
  hasHeader,
  hopByHopResponseHeaders,
  isPlainObject,
  MalformedResult,
  type ResultReading,
  readBody,
  readIsBase64Encoded,
  readMultiValueHeaders,
  readSingleValueHeaders,
  readStatusCode,
} from './result-fields.js';

const allowedKeys = new Set([
  'statusCode',
  'headers',
  'multiValueHeaders',
  'body',
  'isBase64Encoded',
]);

/**
 * Response headers a REST API renames to `x-amzn-Remapped-<name>` and replaces with its own
 * (Content-Length, Date, Server) or withholds (the others). A HEAD handler's Content-Length
 * therefore never reaches the client through a REST API.
 */
const remappedHeaders = new Set([
  'connection',
  'content-length',
  'date',
  'server',
  'www-authenticate',
  'authorization',
]);

export interface RestResultContext {
  /** The request's Accept header: its first type decides whether base64 bodies are decoded. */
  accept: string | undefined;
  binaryMediaTypes: readonly string[];
}

export function readRestProxyResult(payload: Buffer, context: RestResultContext): ResultReading {
  try {
    return readOrThrow(payload, context);
  } catch (error) {
    if (error instanceof MalformedResult) return { kind: 'malformed', reason: error.message };
    throw error;
  }
}

function readOrThrow(payload: Buffer, context: RestResultContext): ResultReading {
  const result = parseJson(payload);
  if (!isPlainObject(result)) throw new MalformedResult('the result is not a JSON object');
  const unexpected = Object.keys(result).filter((key) => !allowedKeys.has(key));
  if (unexpected.length > 0) throw new MalformedResult(`unexpected keys: ${unexpected.join(', ')}`);
  const statusCode = readStatusCode(result.statusCode);
  const single = readSingleValueHeaders(result.headers);
  const multi = readMultiValueHeaders(result.multiValueHeaders);
  const body = readBody(result.body);
  const isBase64Encoded = readIsBase64Encoded(result.isBase64Encoded);

  // A name present in multiValueHeaders takes its values from there alone.
  const multiNames = new Set(multi.map(([name]) => name.toLowerCase()));
  const merged = [...single.filter(([name]) => !multiNames.has(name.toLowerCase())), ...multi];
  const headers: Array<[string, string]> = [];
  for (const [name, value] of merged) {
    const lower = name.toLowerCase();
    if (remappedHeaders.has(lower)) headers.push([`x-amzn-Remapped-${name}`, value]);
    else if (!hopByHopResponseHeaders.has(lower)) headers.push([name, value]);
  }
  // "API Gateway includes a Content-Type header for all integration responses" (known issues).
  if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'application/json']);
  assertWritableHeaders(headers);

  // A base64 body is decoded only when the client's first Accept type is a binary media type;
  // otherwise the client receives the base64 text itself.
  let bytes: Buffer = Buffer.from(body, 'utf8');
  if (
    isBase64Encoded &&
    matchesBinaryMediaTypes(firstAcceptType(context.accept), context.binaryMediaTypes)
  ) {
    const decoded = decodeBase64Strictly(body);
    if (decoded === undefined) return { kind: 'undecodable-body' };
    bytes = decoded;
  }
  return { kind: 'answer', response: { statusCode, headers, body: bytes } };
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    throw new MalformedResult('the result is not JSON');
  }
}
