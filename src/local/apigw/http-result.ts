/**
 * Turns a Lambda result into the HTTP API's answer (payload format 2.0; Function URLs read
 * results the same way). A JSON object with a `statusCode` is a response description; any other
 * valid JSON is the body of a 200 `application/json` answer, sent as the function returned it.
 */
import { decodeBase64Strictly } from './base64.js';
import {
  assertWritableHeaders,
  hopByHopResponseHeaders,
  isPlainObject,
  MalformedResult,
  type ResultReading,
  readBody,
  readIsBase64Encoded,
  readSingleValueHeaders,
  readStatusCode,
} from './result-fields.js';

export function readHttpApiResult(payload: Buffer): ResultReading {
  try {
    return readOrThrow(payload);
  } catch (error) {
    if (error instanceof MalformedResult) return { kind: 'malformed', reason: error.message };
    throw error;
  }
}

function readOrThrow(payload: Buffer): ResultReading {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new MalformedResult('the result is not JSON');
  }
  if (!isPlainObject(result) || !('statusCode' in result)) {
    // The raw bytes, not a re-serialisation: the client sees the function's own JSON text.
    return {
      kind: 'answer',
      response: {
        statusCode: 200,
        headers: [['content-type', 'application/json']],
        body: payload,
      },
    };
  }
  const statusCode = readStatusCode(result.statusCode);
  const headers = readSingleValueHeaders(result.headers).filter(([name]) => {
    const lower = name.toLowerCase();
    return !hopByHopResponseHeaders.has(lower) && lower !== 'content-length';
  });
  for (const cookie of readCookies(result.cookies)) headers.push(['set-cookie', cookie]);
  assertWritableHeaders(headers);
  const body = readBody(result.body);
  if (!readIsBase64Encoded(result.isBase64Encoded)) {
    return { kind: 'answer', response: { statusCode, headers, body: Buffer.from(body, 'utf8') } };
  }
  const decoded = decodeBase64Strictly(body);
  if (decoded === undefined) return { kind: 'undecodable-body' };
  return { kind: 'answer', response: { statusCode, headers, body: decoded } };
}

function readCookies(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((cookie) => typeof cookie === 'string')) {
    throw new MalformedResult('cookies is not a list of strings');
  }
  return value;
}
