/**
 * The one error type of quickstow. Every failure a client can see carries a stable `code`
 * (part of the HTTP contract: clients switch on it) and an HTTP `status`. Anything that is not a
 * QuickstowError is an internal error: it becomes a 500 whose body says nothing of internals.
 */
export type ErrorCode =
  | 'bad-request'
  | 'invalid-id'
  | 'malformed-digest'
  | 'unsupported-digest'
  | 'digest-mismatch'
  | 'truncated-body'
  | 'unauthorized'
  | 'not-found'
  | 'method-not-allowed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'idempotency-key-reused'
  | 'store-unavailable'
  | 'store-failed'
  | 'spool-full'
  | 'memory-full'
  | 'spool-failed'
  | 'shutting-down'
  | 'invalid-config'
  | 'internal';

const titles: Record<ErrorCode, string> = {
  'bad-request': 'Bad request',
  'invalid-id': 'Malformed payload id',
  'malformed-digest': 'Malformed Content-Digest',
  'unsupported-digest': 'Unsupported digest algorithm',
  'digest-mismatch': 'Content-Digest does not match the body',
  'truncated-body': 'Request body ended early',
  unauthorized: 'Missing or bad credentials',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Content-Type not allowed',
  'idempotency-key-reused': 'Idempotency-Key reused with a different body',
  'store-unavailable': 'Object store unavailable',
  'store-failed': 'Object store failed',
  'spool-full': 'Spool full',
  'memory-full': 'In-memory budget full',
  'spool-failed': 'Spool write failed',
  'shutting-down': 'Server shutting down',
  'invalid-config': 'Invalid configuration',
  internal: 'Internal error',
};

export interface QuickstowErrorOptions {
  cause?: unknown;
  /** Extra response headers, e.g. Retry-After on a 503. */
  headers?: Record<string, string>;
}

export class QuickstowError extends Error {
  override readonly name = 'QuickstowError';
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    options: QuickstowErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options.headers ?? {};
  }

  get title(): string {
    return titles[this.code];
  }
}

export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * RFC 9457 problem+json for any thrown value: the single place where errors become answers, for
 * the Node server and the Lambda handler alike. Unknown errors never leak their message.
 */
export function toProblem(error: unknown, instance?: string): ProblemResponse {
  const known = error instanceof QuickstowError ? error : undefined;
  const status = known?.status ?? 500;
  const problem: Record<string, unknown> = {
    type: `https://quickstow.dev/problems/${known?.code ?? 'internal'}`,
    title: known?.title ?? titles.internal,
    status,
    code: known?.code ?? 'internal',
    detail: known?.message ?? 'The server could not complete the request.',
  };
  if (instance !== undefined) problem.instance = instance;
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...(known?.headers ?? {}) },
    body: JSON.stringify(problem),
  };
}
