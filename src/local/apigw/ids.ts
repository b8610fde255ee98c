/**
 * The identifiers and timestamps API Gateway stamps on each request. REST APIs use a UUID as the
 * request id and a short base64 "extended" id (also sent back as `x-amz-apigw-id`); HTTP APIs use
 * only the short form (sent back as `apigw-requestid`). Neither is the Lambda request id.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface GatewayRequestIds {
  /** requestContext.requestId: a UUID on REST APIs, a short id on HTTP APIs. */
  requestId: string;
  /** REST only: requestContext.extendedRequestId and the `x-amz-apigw-id` response header. */
  extendedRequestId: string;
  /** The X-Amzn-Trace-Id the gateway adds to the request: `Root=1-<epoch hex>-<24 hex>`. */
  traceHeader: string;
}

/** 11 random bytes in base64: 16 characters ending with `=`, like `JJbxmplHYosFVYQ=`. */
function shortId(): string {
  return randomBytes(11).toString('base64');
}

export function newRestRequestIds(receivedAtMs: number): GatewayRequestIds {
  return {
    requestId: randomUUID(),
    extendedRequestId: shortId(),
    traceHeader: traceRoot(receivedAtMs),
  };
}

export function newHttpApiRequestIds(receivedAtMs: number): GatewayRequestIds {
  const id = shortId();
  return { requestId: id, extendedRequestId: id, traceHeader: traceRoot(receivedAtMs) };
}

function traceRoot(receivedAtMs: number): string {
  const epochHex = Math.floor(receivedAtMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epochHex}-${randomBytes(12).toString('hex')}`;
}

/**
 * The trace header Lambda hands the runtime (Lambda-Runtime-Trace-Id): the gateway's root with a
 * parent segment and an unsampled flag, since nothing here records X-Ray segments.
 */
export function lambdaTraceHeader(ids: GatewayRequestIds): string {
  return `${ids.traceHeader};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `10/Mar/2020:00:03:59 +0000`: the Common Log Format time of requestTime and time. */
export function commonLogTime(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}
