/**
 * How an S3 failure becomes a QuickstowError. The one question that matters to a caller is
 * "is this worth retrying later?": a store that cannot be reached, is too slow, or says it is
 * overloaded is `store-unavailable` (503, Retry-After); anything else (denied, no such bucket, a
 * malformed request) will fail the same way next time and is `store-failed` (500). Messages stay
 * generic because they reach clients; the SDK error is kept as `cause` for the logs.
 */
import { QuickstowError } from '../core/errors.js';

/** Node socket and DNS errors that mean "could not talk to the store right now". */
const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** Error names from the SDK and from S3 that mean "too slow" or "slow down". */
const unavailableErrorNames = new Set([
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
]);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** True for failures that may well succeed if tried again shortly. */
export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { name, code, message, cause, $metadata } = error as SdkLikeError;
  const status = $metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  if (typeof name === 'string' && unavailableErrorNames.has(name)) return true;
  if (typeof code === 'string' && networkErrorCodes.has(code)) return true;
  if (typeof message === 'string' && /socket hang up/i.test(message)) return true;
  // Undici and the SDK wrap the socket error; the reason is often one level down.
  return isStoreUnavailable(cause, depth + 1);
}

/** True for "this key does not exist" (GetObject says NoSuchKey, HeadObject a bare 404). */
export function isMissingObject(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as SdkLikeError;
  if (name === 'NoSuchKey') return true;
  return name === 'NotFound' && $metadata?.httpStatusCode === 404;
}

export function isForbidden(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as SdkLikeError;
  return name === 'AccessDenied' || name === 'Forbidden' || $metadata?.httpStatusCode === 403;
}

export function toStoreError(error: unknown): QuickstowError {
  if (error instanceof QuickstowError) return error;
  if (isStoreUnavailable(error)) {
    return new QuickstowError(
      'store-unavailable',
      503,
      'The object store is unavailable; try again shortly',
      { cause: error, headers: { 'retry-after': '1' } },
    );
  }
  return new QuickstowError('store-failed', 500, 'The object store failed the request', {
    cause: error,
  });
}
