/**
 * The API Gateway front of `quickstow local`: a Node HTTP server that turns each request into an
 * API Gateway event, invokes the function through the Invoker, and answers as API Gateway would.
 *
 * Per request, in API Gateway's order: refuse a body over 10 MB while it streams in (413,
 * connection closed: the rest of the body is never read); build the event; refuse an event over
 * Lambda's 6 MB invoke limit (413); invoke, bounded by the integration timeout (504 REST / 503
 * HTTP API; the invoke itself runs on, as on AWS, and its end is logged); map the outcome.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InvokeRequest, InvokeResult, Invoker } from '../types.js';
import { declaresBodyOver, readBodyWithin } from './body.js';
import type { GatewayResponse } from './gateway-response.js';
import { buildHttpApiEvent, type HttpApiSettings } from './http-event.js';
import {
  type GatewayRequestIds,
  lambdaTraceHeader,
  newHttpApiRequestIds,
  newRestRequestIds,
} from './ids.js';
import type { FrontLogEntry, InvokeSummary } from './log.js';
import {
  type ApiGatewayOptions,
  type ResolvedApiGatewayOptions,
  resolveApiGatewayOptions,
} from './options.js';
import { type Answer, type AnswerContext, answerForOutcome, fail } from './outcome.js';
import type { GatewayRequest } from './request.js';
import { buildRestEvent, type RestApiSettings } from './rest-event.js';

export interface RunningApiGateway {
  /** `http://host:port`, the port resolved when 0 was asked for. */
  url: string;
  server: Server;
  /**
   * Stops accepting connections, closes idle ones, lets requests in flight finish for up to
   * `closeTimeoutMs`, then cuts what is left. Invokes already started are not cancelled.
   */
  close(): Promise<void>;
}

export async function startApiGateway(input: ApiGatewayOptions): Promise<RunningApiGateway> {
  const options = resolveApiGatewayOptions(input);
  const state: FrontState = { closing: false, shutdown: new AbortController() };
  const log = guardedLog(options.log);
  const inFlight = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const handled = handleRequest(request, response, options, state, log).catch(
      (error: unknown) => {
        // Nothing in handleRequest is expected to throw; never leave the client hanging if it does.
        response.destroy();
        log({
          type: 'request',
          requestId: '',
          method: request.method ?? '',
          path: request.url ?? '',
          status: 0,
          latencyMs: 0,
          error,
        });
      },
    );
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });
  // Node answers `Expect: 100-continue` at once; withhold it when the declared body is over the
  // limit, so the client gets its 413 without sending the bytes.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!declaresBodyOver(request, options.maxBodyBytes)) response.writeContinue();
    server.emit('request', request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      state.closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => (timer = setTimeout(resolve, options.closeTimeoutMs))),
      ]);
      clearTimeout(timer);
      state.shutdown.abort();
      server.closeAllConnections();
      await stopped;
    })();
    return closed;
  };
  return { url: `http://${host}:${port}`, server, close };
}

interface FrontState {
  /** Set by close(): answers from then on close their connection instead of keeping it alive. */
  closing: boolean;
  /** Aborted when close() gives up waiting: requests still waiting for Lambda are cut. */
  shutdown: AbortController;
}

type Log = (entry: FrontLogEntry) => void;

/** A throwing log callback must not turn an answered request into an unhandled rejection. */
function guardedLog(log: Log | undefined): Log {
  return (entry) => {
    try {
      log?.(entry);
    } catch (error) {
      process.emitWarning(`quickstow local: the API Gateway log callback threw: ${String(error)}`);
    }
  };
}

async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  options: ResolvedApiGatewayOptions,
  state: FrontState,
  log: Log,
): Promise<void> {
  const receivedAtMs = Date.now();
  const ids =
    options.api === 'rest' ? newRestRequestIds(receivedAtMs) : newHttpApiRequestIds(receivedAtMs);
  const { path, rawQueryString } = splitRequestTarget(request.url ?? '/');
  const method = request.method ?? 'GET';
  const context: AnswerContext = {
    api: options.api,
    ids,
    accept: request.headers.accept,
    binaryMediaTypes: options.binaryMediaTypes,
    maxBodyBytes: options.maxBodyBytes,
  };
  const answer = (
    outcome: Answer,
    extra: { invoke?: InvokeSummary; error?: unknown; closeConnection?: boolean } = {},
  ) => {
    send(response, outcome.response, extra.closeConnection === true || state.closing);
    log({
      type: 'request',
      requestId: ids.requestId,
      method,
      path,
      status: outcome.response.statusCode,
      latencyMs: Date.now() - receivedAtMs,
      ...(extra.invoke === undefined ? {} : { invoke: extra.invoke }),
      ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
      ...(extra.error === undefined ? {} : { error: extra.error }),
    });
  };

  const read = await readBodyWithin(request, options.maxBodyBytes);
  if (read.kind === 'aborted') return;
  if (read.kind === 'too-large') {
    // The unread rest of the body makes the connection unusable for another request.
    lingerAfterAnswer(request);
    const detail = `the body is over ${options.maxBodyBytes} bytes`;
    return answer(fail(context, 'body-too-large', detail), { closeConnection: true });
  }

  const gatewayRequest: GatewayRequest = {
    method,
    path,
    rawQueryString,
    headers: headerPairs(request.rawHeaders),
    body: read.body,
    sourceIp: peerAddress(request),
    receivedAtMs,
    localPort: request.socket.localPort ?? 0,
    scheme: 'http',
  };
  const event =
    options.api === 'rest'
      ? buildRestEvent(gatewayRequest, ids, restSettings(options))
      : buildHttpApiEvent(gatewayRequest, ids, httpApiSettings(options));
  const eventBytes = Buffer.from(JSON.stringify(event), 'utf8');
  if (eventBytes.length > options.invokeRequestMaxBytes) {
    const detail = `the ${eventBytes.length}-byte event is over Lambda's ${options.invokeRequestMaxBytes}`;
    return answer(fail(context, 'invoke-request-too-large', detail));
  }

  const invokeStartedMs = Date.now();
  const invocation: Promise<InvokeEnd> = invokeSafely(options.invoker, {
    event: eventBytes,
    traceId: lambdaTraceHeader(ids),
  }).then(
    (result) => ({ kind: 'result', result, summary: summarize(result, invokeStartedMs) }),
    (error: unknown) => ({ kind: 'error', error }),
  );
  const settled = await withinIntegrationTimeout(
    invocation,
    options.integrationTimeoutMs,
    state.shutdown.signal,
  );
  if (settled === 'timed-out') {
    const detail = `no answer from Lambda within ${options.integrationTimeoutMs} ms`;
    answer(fail(context, 'integration-timeout', detail));
    void invocation.then((end) => logInvokeAfterTimeout(log, ids, end));
    return;
  }
  if (settled === 'shut-down') {
    response.destroy();
    return;
  }
  if (settled.kind === 'error') {
    const detail = 'the invoker failed instead of reporting an outcome';
    return answer(fail(context, 'gateway-error', detail), { error: settled.error });
  }
  answer(answerForOutcome(settled.result.outcome, context), { invoke: settled.summary });
}

type InvokeEnd =
  | { kind: 'result'; result: InvokeResult; summary: InvokeSummary }
  | { kind: 'error'; error: unknown };

/** An invoker that throws synchronously is treated like one that rejects. */
function invokeSafely(invoker: Invoker, request: InvokeRequest): Promise<InvokeResult> {
  try {
    return invoker.invoke(request);
  } catch (error) {
    return Promise.reject(error);
  }
}

function summarize(result: InvokeResult, invokeStartedMs: number): InvokeSummary {
  return {
    lambdaRequestId: result.requestId,
    outcome: result.outcome.kind,
    coldStart: result.coldStart,
    report: result.report,
    integrationLatencyMs: Date.now() - invokeStartedMs,
  };
}

function withinIntegrationTimeout(
  invocation: Promise<InvokeEnd>,
  timeoutMs: number,
  shutdown: AbortSignal,
): Promise<InvokeEnd | 'timed-out' | 'shut-down'> {
  return new Promise((resolve) => {
    const onShutdown = () => finish('shut-down');
    const timer = setTimeout(() => finish('timed-out'), timeoutMs);
    const finish = (value: InvokeEnd | 'timed-out' | 'shut-down') => {
      clearTimeout(timer);
      shutdown.removeEventListener('abort', onShutdown);
      resolve(value);
    };
    if (shutdown.aborted) return finish('shut-down');
    shutdown.addEventListener('abort', onShutdown);
    void invocation.then(finish);
  });
}

function logInvokeAfterTimeout(log: Log, ids: GatewayRequestIds, end: InvokeEnd): void {
  log({
    type: 'invoke-after-timeout',
    requestId: ids.requestId,
    ...(end.kind === 'result' ? { invoke: end.summary } : { error: end.error }),
  });
}

function send(response: ServerResponse, answer: GatewayResponse, closeConnection: boolean): void {
  if (response.headersSent || response.destroyed) return;
  const flat: string[] = [];
  for (const [name, value] of answer.headers) flat.push(name, value);
  flat.push('Content-Length', String(answer.body.length));
  if (closeConnection) flat.push('Connection', 'close');
  response.writeHead(answer.statusCode, flat);
  response.end(answer.body);
}

/** How long a refused upload's connection stays half-open so the client can read the 413. */
const lingerAfterRefusalMs = 2000;

/**
 * Closing a socket that still has unread bytes makes the kernel send a reset, and a client that
 * is still uploading then loses the 413 it has not read yet. So close the way web servers do
 * (a "lingering close"): once the answer is written, send FIN, keep reading and discarding what
 * the client still sends, and destroy the socket when the client closes its side or after
 * `lingerAfterRefusalMs`. Node closes a `Connection: close` response with `destroySoon()`,
 * which destroys as soon as the FIN is written; this replaces it for this one socket.
 */
function lingerAfterAnswer(request: IncomingMessage): void {
  const socket = request.socket;
  request.resume();
  socket.destroySoon = () => {
    const timer = setTimeout(() => socket.destroy(), lingerAfterRefusalMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', () => socket.destroy());
    socket.end();
  };
}

/** Path and raw query of an origin-form (`/a?b`) or absolute-form (`http://h/a?b`) target. */
export function splitRequestTarget(target: string): { path: string; rawQueryString: string } {
  let pathAndQuery = target;
  if (!target.startsWith('/') && target !== '*') {
    try {
      const url = new URL(target);
      pathAndQuery = `${url.pathname}${url.search}`;
    } catch {
      pathAndQuery = target;
    }
  }
  const question = pathAndQuery.indexOf('?');
  return question === -1
    ? { path: pathAndQuery, rawQueryString: '' }
    : { path: pathAndQuery.slice(0, question), rawQueryString: pathAndQuery.slice(question + 1) };
}

function headerPairs(rawHeaders: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
  }
  return pairs;
}

/** The client's address, IPv4 without the `::ffff:` prefix of a dual-stack socket. */
function peerAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

function restSettings(options: ResolvedApiGatewayOptions): RestApiSettings {
  return {
    accountId: options.accountId,
    apiId: options.apiId,
    region: options.region,
    stage: options.stage,
    binaryMediaTypes: options.binaryMediaTypes,
    resourceIds: { root: 'qsroot', proxy: 'qsprxy' },
  };
}

function httpApiSettings(options: ResolvedApiGatewayOptions): HttpApiSettings {
  return {
    accountId: options.accountId,
    apiId: options.apiId,
    domainName: `${options.apiId}.execute-api.${options.region}.amazonaws.com`,
  };
}
