/**
 * From what Lambda did to what the client gets. Only a `response` can become the function's own
 * answer; every other outcome is an integration failure that API Gateway answers itself. A
 * function timeout is one of them: Lambda reports it as a function error ("Task timed out"), so
 * it is a 502 (REST) / 500 (HTTP API). The 504 / 503 belongs to the gateway's own integration
 * timeout, which the server applies around the invoke.
 */
import type { InvokeOutcome } from '../types.js';
import {
  type ApiKind,
  type GatewayFailure,
  type GatewayResponse,
  gatewayFailure,
  withGatewayHeaders,
} from './gateway-response.js';
import { readHttpApiResult } from './http-result.js';
import type { GatewayRequestIds } from './ids.js';
import { readRestProxyResult } from './rest-result.js';

export interface AnswerContext {
  api: ApiKind;
  ids: GatewayRequestIds;
  /** The request's Accept header (REST decides from it whether to decode base64 bodies). */
  accept: string | undefined;
  binaryMediaTypes: readonly string[];
  maxBodyBytes: number;
}

export interface Answer {
  response: GatewayResponse;
  /** Set when the gateway answered on its own, with what went wrong, for the log. */
  failure?: { kind: GatewayFailure; detail: string };
}

export function answerForOutcome(outcome: InvokeOutcome, context: AnswerContext): Answer {
  switch (outcome.kind) {
    case 'response':
      return answerForResult(outcome.payload, context);
    case 'function-error':
      return fail(context, 'integration-failure', `${outcome.errorType}: ${outcome.errorMessage}`);
    case 'timeout':
      return fail(context, 'integration-failure', 'the function timed out');
    case 'init-error':
      return fail(
        context,
        'integration-failure',
        `init failed: ${outcome.errorType}: ${outcome.errorMessage}`,
      );
    case 'crash':
      return fail(context, 'integration-failure', `the sandbox crashed: ${outcome.detail}`);
    case 'response-too-large':
      return fail(context, 'integration-failure', 'the response is over the 6 MB limit');
    case 'throttled':
      return fail(context, 'invoke-rejected', 'Lambda throttled the invoke');
  }
}

function answerForResult(payload: Buffer, context: AnswerContext): Answer {
  const reading =
    context.api === 'rest' ? readRestProxyResult(payload, context) : readHttpApiResult(payload);
  switch (reading.kind) {
    case 'answer':
      return { response: withGatewayHeaders(context.api, reading.response, context.ids) };
    case 'malformed':
      return fail(
        context,
        'integration-failure',
        `Malformed Lambda proxy response: ${reading.reason}`,
      );
    case 'undecodable-body':
      return fail(context, 'gateway-error', 'isBase64Encoded is set but the body is not base64');
  }
}

export function fail(context: AnswerContext, kind: GatewayFailure, detail: string): Answer {
  return {
    response: gatewayFailure(context.api, kind, context.ids, context),
    failure: { kind, detail },
  };
}
