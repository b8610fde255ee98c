import { QuickstowError } from '../core/errors.js';
import { errorCode } from './fs.js';

/**
 * A failed spool write is a 503 when the disk is full (the client may retry once the uploader has
 * made room) and a 500 otherwise. Either way nothing of that batch was acknowledged.
 */
export function spoolWriteError(error: unknown, retryAfterSeconds: number): QuickstowError {
  if (error instanceof QuickstowError) return error;
  const code = errorCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new QuickstowError('spool-full', 503, `The spool disk is full (${code})`, {
      cause: error,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
  return new QuickstowError('spool-failed', 500, 'Writing the payload to the spool failed', {
    cause: error,
  });
}
