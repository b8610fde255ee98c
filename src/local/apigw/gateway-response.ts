/**
 * What the front sends back, and the answers API Gateway gives on its own when the integration
 * fails. Statuses and bodies follow what AWS documents or was seen to answer (sources above the
 * tables below); the two API kinds differ: REST APIs answer `{"message": "..."}` with a
 * space and the lower-case "Internal server error", HTTP APIs answer `{"message":"..."}` with the
 * HTTP reason phrase.
 */
import type { GatewayRequestIds } from './ids.js';

export type ApiKind = 'rest' | 'http';

export interface GatewayResponse {
  statusCode: number;
  /** In order; a name may repeat (Set-Cookie). Content-Length is added when writing. */
  headers: Array<[string, string]>;
  body: Buffer;
}

/** The ways API Gateway answers without a usable integration response. */
export type GatewayFailure =
  /**
   * The function failed (error, function timeout, crash, init failure, response over 6 MB) or
   * returned a malformed proxy response.
   */
  | 'integration-failure'
  /**
   * Lambda refused the invoke (throttled). "If the Lambda API rejects the invocation request,
   * API Gateway returns a 500 error code" (Lambda developer guide).
   */
  | 'invoke-rejected'
  /** The integration timeout passed before Lambda answered (REST 504, HTTP API 503). */
  | 'integration-timeout'
  /** The event is over Lambda's 6 MB synchronous request limit. */
  | 'invoke-request-too-large'
  /** The request body is over the 10 MB API Gateway payload limit. */
  | 'body-too-large'
  /** The gateway itself could not complete the request (e.g. a base64 body it cannot decode). */
  | 'gateway-error';

interface FailureAnswer {
  status: number;
  message: string;
  /** REST APIs name the error class in `x-amzn-ErrorType`. */
  errorType?: string;
}

/*
 * REST: Lambda developer guide, "Handling Lambda errors with an API Gateway API" (502 for a
 * function error or a malformed response, 500 when Lambda rejects the invoke, both
 * {"message": "Internal server error"}); 504 "Endpoint request timed out" is INTEGRATION_TIMEOUT;
 * the 413s were observed on a deployed API (over 6 MB: {"message": "Request Too Long"} with
 * x-amzn-ErrorType BadRequestException; over 10 MB: the plain text below, from the front end).
 * HTTP API: "My API with a Lambda integration returns {"message":"Internal Server Error"}" (HTTP
 * API troubleshooting guide); an integration timeout was observed as 503 {"message":"Service
 * Unavailable"}. The HTTP API's 413 bodies are the reason phrase, like its other answers.
 */
const restAnswers: Record<Exclude<GatewayFailure, 'body-too-large'>, FailureAnswer> = {
  'integration-failure': {
    status: 502,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
  'invoke-rejected': {
    status: 500,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
  'integration-timeout': { status: 504, message: 'Endpoint request timed out' },
  'invoke-request-too-large': {
    status: 413,
    message: 'Request Too Long',
    errorType: 'BadRequestException',
  },
  'gateway-error': {
    status: 500,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
};

const httpApiAnswers: Record<GatewayFailure, FailureAnswer> = {
  'integration-failure': { status: 500, message: 'Internal Server Error' },
  'invoke-rejected': { status: 500, message: 'Internal Server Error' },
  'integration-timeout': { status: 503, message: 'Service Unavailable' },
  'invoke-request-too-large': { status: 413, message: 'Request Entity Too Large' },
  'body-too-large': { status: 413, message: 'Request Entity Too Large' },
  'gateway-error': { status: 500, message: 'Internal Server Error' },
};

export function gatewayFailure(
  api: ApiKind,
  failure: GatewayFailure,
  ids: GatewayRequestIds,
  limits: { maxBodyBytes: number },
): GatewayResponse {
  if (api === 'rest' && failure === 'body-too-large') {
    // REST refuses an oversized body in its front end, before any request id is handed out.
    return {
      statusCode: 413,
      headers: [['Content-Type', 'text; charset=utf-8']],
      body: Buffer.from(`HTTP content length exceeded ${limits.maxBodyBytes} bytes.`),
    };
  }
  if (api === 'rest') {
    const answer = restAnswers[failure as Exclude<GatewayFailure, 'body-too-large'>];
    const headers: Array<[string, string]> = [['Content-Type', 'application/json']];
    if (answer.errorType !== undefined) headers.push(['x-amzn-ErrorType', answer.errorType]);
    return withGatewayHeaders(
      'rest',
      {
        statusCode: answer.status,
        headers,
        body: Buffer.from(`{"message": ${JSON.stringify(answer.message)}}`),
      },
      ids,
    );
  }
  const answer = httpApiAnswers[failure];
  return withGatewayHeaders(
    'http',
    {
      statusCode: answer.status,
      headers: [['Content-Type', 'application/json']],
      body: Buffer.from(JSON.stringify({ message: answer.message })),
    },
    ids,
  );
}

/** The request-id headers API Gateway puts on every answer that went through the integration. */
export function withGatewayHeaders(
  api: ApiKind,
  response: GatewayResponse,
  ids: GatewayRequestIds,
): GatewayResponse {
  const added: Array<[string, string]> =
    api === 'rest'
      ? [
          ['x-amzn-RequestId', ids.requestId],
          ['x-amz-apigw-id', ids.extendedRequestId],
          ['X-Amzn-Trace-Id', `${ids.traceHeader};Sampled=0`],
        ]
      : [['apigw-requestid', ids.requestId]];
  return { ...response, headers: [...response.headers, ...added] };
}
