/**
 * Field checks shared by both proxy-result readers. A handler's result is untrusted input: every
 * field is checked before it reaches `writeHead`, so a bad result becomes API Gateway's error
 * answer instead of an exception in the server.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';

import type { GatewayResponse } from './gateway-response.js';

/** What a proxy-result reader made of a result. */
export type ResultReading =
  | { kind: 'answer'; response: GatewayResponse }
  | { kind: 'malformed'; reason: string }
  /** `isBase64Encoded` with a body that is not base64. */
  | { kind: 'undecodable-body' };

export class MalformedResult extends Error {
  override readonly name = 'MalformedResult';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An integer status in 100–599; a string of digits is accepted as its number. */
export function readStatusCode(value: unknown): number {
  const status = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new MalformedResult(`statusCode ${JSON.stringify(value)} is not an HTTP status`);
  }
  return status;
}

/** Numbers and booleans become their text, as the gateway's JSON binding does; null is skipped. */
function headerText(name: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  throw new MalformedResult(`header ${name} has a ${typeof value} value`);
}

/** `headers`: a map of single values. */
export function readSingleValueHeaders(value: unknown): Array<[string, string]> {
  if (value === undefined || value === null) return [];
  if (!isPlainObject(value)) throw new MalformedResult('headers is not an object');
  const pairs: Array<[string, string]> = [];
  for (const [name, raw] of Object.entries(value)) {
    const text = headerText(name, raw);
    if (text !== undefined) pairs.push([name, text]);
  }
  return pairs;
}

/** `multiValueHeaders`: a map of value lists. */
export function readMultiValueHeaders(value: unknown): Array<[string, string]> {
  if (value === undefined || value === null) return [];
  if (!isPlainObject(value)) throw new MalformedResult('multiValueHeaders is not an object');
  const pairs: Array<[string, string]> = [];
  for (const [name, list] of Object.entries(value)) {
    if (list === null) continue;
    if (!Array.isArray(list)) throw new MalformedResult(`multiValueHeaders.${name} is not a list`);
    for (const raw of list) {
      const text = headerText(name, raw);
      if (text !== undefined) pairs.push([name, text]);
    }
  }
  return pairs;
}

export function readBody(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string')
    throw new MalformedResult(`body is a ${typeof value}, not a string`);
  return value;
}

export function readIsBase64Encoded(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new MalformedResult('isBase64Encoded is not a boolean');
  return value;
}

/** A header Node would refuse to write (bad name, line break in the value) is malformed. */
export function assertWritableHeaders(headers: ReadonlyArray<readonly [string, string]>): void {
  for (const [name, value] of headers) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (error) {
      throw new MalformedResult(`header ${JSON.stringify(name)} cannot be sent`, { cause: error });
    }
  }
}

/** Hop-by-hop headers describe a connection the gateway does not share with the function. */
export const hopByHopResponseHeaders = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

export function hasHeader(
  headers: ReadonlyArray<readonly [string, string]>,
  name: string,
): boolean {
  const wanted = name.toLowerCase();
  return headers.some(([key]) => key.toLowerCase() === wanted);
}
