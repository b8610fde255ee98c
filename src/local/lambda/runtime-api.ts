/**
 * The Runtime API (2018-06-01) of one sandbox: what the runtime process (aws-lambda-ric or a
 * custom bootstrap) talks to. It holds at most one invocation at a time and tells the sandbox,
 * through RuntimeApiEvents, what the runtime did; it decides nothing about the lifecycle.
 *
 *   GET  /2018-06-01/runtime/invocation/next           long poll → the event and its headers
 *   POST /2018-06-01/runtime/invocation/{id}/response  202 | 400 InvalidRequestID
 *                                                      | 403 InvalidStateTransition | 413
 *   POST /2018-06-01/runtime/invocation/{id}/error     202 | 400 | 403
 *   POST /2018-06-01/runtime/init/error                202 | 403 once init is over
 */
import {
  type ApiReply,
  apiError,
  headerValue,
  parseJsonBody,
  type Responder,
  type Route,
} from './api-server.js';

/** Lambda's synchronous response limit: 6 MB. */
export const maxResponseBytes = 6 * 1024 * 1024;

export interface Invocation {
  requestId: string;
  event: Buffer;
  /** Epoch ms. */
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
}

export interface ReportedError {
  errorType: string;
  errorMessage: string;
}

export interface RuntimeApiEvents {
  /** The runtime called next and is now waiting for an event. */
  onNext(): void;
  onResponse(requestId: string, payload: Buffer): void;
  onResponseTooLarge(requestId: string, bytes: number): void;
  onInvocationError(requestId: string, error: ReportedError, payload: Buffer): void;
  onInitError(error: ReportedError): void;
}

interface CurrentInvocation {
  invocation: Invocation;
  delivered: boolean;
  answered: boolean;
}

const errorTypeHeader = 'Lambda-Runtime-Function-Error-Type';

export class RuntimeApi {
  private current: CurrentInvocation | undefined;
  private parkedNext: Responder | undefined;
  private nextCalled = false;

  constructor(private readonly events: RuntimeApiEvents) {}

  /** Has the runtime called next at least once (init is over on its side)? */
  get hasCalledNext(): boolean {
    return this.nextCalled;
  }

  /** Is the runtime parked on next with nothing outstanding? */
  get isWaitingForEvent(): boolean {
    return this.parkedNext !== undefined && this.current === undefined;
  }

  /** Hands the invocation to the runtime: at once if it is parked on next, else at its next. */
  deliver(invocation: Invocation): void {
    this.current = { invocation, delivered: false, answered: false };
    const parked = this.parkedNext;
    this.parkedNext = undefined;
    if (parked?.open) {
      parked.send(eventReply(invocation));
      this.current.delivered = true;
    }
  }

  /** Answers whatever long poll is held, so the connection can go (the sandbox is ending). */
  abort(): void {
    this.parkedNext?.send(apiError(500, 'ServiceUnavailable', 'The sandbox is shutting down'));
    this.parkedNext = undefined;
  }

  routes(): Route[] {
    return [
      {
        method: 'GET',
        pattern: /^\/2018-06-01\/runtime\/invocation\/next$/,
        handle: (_request, responder) => {
          const current = this.current;
          if (current !== undefined && !current.answered) {
            if (current.delivered) {
              responder.send(
                apiError(
                  403,
                  'InvalidStateTransition',
                  `next called before answering invocation ${current.invocation.requestId}`,
                ),
              );
              return;
            }
            current.delivered = true;
            responder.send(eventReply(current.invocation));
            return;
          }
          if (this.parkedNext?.open) {
            responder.send(apiError(403, 'InvalidStateTransition', 'next is already pending'));
            return;
          }
          // The answered invocation is over for the runtime once it asks for the next one.
          this.current = undefined;
          this.parkedNext = responder;
          this.nextCalled = true;
          this.events.onNext();
        },
      },
      {
        method: 'POST',
        pattern: /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/response$/,
        handle: (request, responder) => {
          const [requestId = ''] = request.params;
          const refused = this.refuseAnswer(requestId);
          if (refused !== undefined) return void responder.send(refused);
          this.markAnswered();
          if (request.bodyTooLarge) {
            this.events.onResponseTooLarge(requestId, request.bodyBytes);
            responder.send(
              apiError(
                413,
                'RequestEntityTooLarge',
                `Response payload size (${request.bodyBytes} bytes) exceeded maximum allowed payload size (${maxResponseBytes} bytes).`,
              ),
            );
            return;
          }
          this.events.onResponse(requestId, request.body);
          responder.send({ status: 202, body: { status: 'OK' } });
        },
      },
      {
        method: 'POST',
        pattern: /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/error$/,
        handle: (request, responder) => {
          const [requestId = ''] = request.params;
          const refused = this.refuseAnswer(requestId);
          if (refused !== undefined) return void responder.send(refused);
          this.markAnswered();
          const error = reportedError(request.body, headerValue(request.headers, errorTypeHeader));
          this.events.onInvocationError(requestId, error, request.body);
          responder.send({ status: 202, body: { status: 'OK' } });
        },
      },
      {
        method: 'POST',
        pattern: /^\/2018-06-01\/runtime\/init\/error$/,
        handle: (request, responder) => {
          if (this.nextCalled) {
            responder.send(apiError(403, 'InvalidStateTransition', 'init is already over'));
            return;
          }
          // The real client sends the type header on init errors only; never require it.
          const error = reportedError(request.body, headerValue(request.headers, errorTypeHeader));
          this.events.onInitError(error);
          responder.send({ status: 202, body: { status: 'OK' } });
        },
      },
    ];
  }

  private refuseAnswer(requestId: string): ApiReply | undefined {
    const current = this.current;
    if (current === undefined || !current.delivered || current.invocation.requestId !== requestId) {
      return apiError(400, 'InvalidRequestID', `Invalid request ID: ${requestId}`);
    }
    if (current.answered) {
      return apiError(
        403,
        'InvalidStateTransition',
        `Invocation ${requestId} has already been answered`,
      );
    }
    return undefined;
  }

  private markAnswered(): void {
    if (this.current !== undefined) this.current.answered = true;
  }
}

function eventReply(invocation: Invocation): ApiReply {
  return {
    status: 200,
    body: invocation.event,
    headers: {
      'Lambda-Runtime-Aws-Request-Id': invocation.requestId,
      'Lambda-Runtime-Deadline-Ms': String(invocation.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': invocation.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id': invocation.traceId,
    },
  };
}

/** `{errorType, errorMessage}` from an error body, tolerant of what a custom runtime sends. */
export function reportedError(body: Buffer, typeHeader: string | undefined): ReportedError {
  const parsed = parseJsonBody(body);
  const fields =
    typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const errorType =
    typeof fields.errorType === 'string' && fields.errorType !== ''
      ? fields.errorType
      : (typeHeader ?? 'Unknown');
  const errorMessage =
    typeof fields.errorMessage === 'string'
      ? fields.errorMessage
      : body.length > 0 && parsed === undefined
        ? body.toString('utf8').slice(0, 1024)
        : '';
  return { errorType, errorMessage };
}
