/**
 * The HTTP server of one sandbox, on 127.0.0.1 and a port the kernel picks: its host:port is the
 * sandbox's AWS_LAMBDA_RUNTIME_API, serving both the Runtime API (2018-06-01) and the Extensions
 * API (2020-01-01). Routing is a short explicit table; bodies are read whole before a route runs
 * (capped: past the cap the bytes are counted and dropped, and the route learns it was too
 * large). A route answers through a Responder, now or later: `next` is a long poll that is held
 * open until there is an event, with no timeout, as on Lambda.
 *
 * Errors are protocol answers, not exceptions: `{errorMessage, errorType}` with the status the
 * Lambda service uses. A route that throws is a bug here and answers 500.
 */
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiRequest {
  method: string;
  /** The path's parameters, in the order of the route pattern's groups, percent-decoded. */
  params: string[];
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** How many bytes the body had (also when it was too large and dropped). */
  bodyBytes: number;
  bodyTooLarge: boolean;
}

export interface ApiReply {
  status: number;
  /** Sent as JSON unless a Buffer (sent as is, application/json unless headers say otherwise). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the whole path (no query string). */
  pattern: RegExp;
  handle(request: ApiRequest, responder: Responder): void;
}

/** The one answer to one request, given now or later; later answers to a closed one are dropped. */
export class Responder {
  private answered = false;

  constructor(private readonly response: ServerResponse) {}

  /** False once answered or once the client went away. */
  get open(): boolean {
    return (
      !this.answered &&
      !this.response.destroyed &&
      !this.response.writableEnded &&
      this.response.socket?.destroyed !== true
    );
  }

  send(reply: ApiReply): boolean {
    if (!this.open) return false;
    this.answered = true;
    const isBuffer = Buffer.isBuffer(reply.body);
    const payload =
      reply.body === undefined
        ? undefined
        : isBuffer
          ? (reply.body as Buffer)
          : Buffer.from(JSON.stringify(reply.body));
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    if (payload !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(payload.length);
    }
    this.response.writeHead(reply.status, headers);
    this.response.end(payload);
    return true;
  }
}

export function apiError(status: number, errorType: string, errorMessage: string): ApiReply {
  return { status, body: { errorMessage, errorType } };
}

export interface ApiServer {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  /** Stops listening and drops every connection, held long polls included. */
  close(): Promise<void>;
}

export async function startApiServer(routes: Route[], maxBodyBytes: number): Promise<ApiServer> {
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    const path = url.split('?', 1)[0] ?? '/';
    const onPath = routes.filter((route) => route.pattern.test(path));
    const route = onPath.find((candidate) => candidate.method === request.method);
    if (route === undefined) {
      request.resume();
      new Responder(response).send(
        onPath.length > 0
          ? apiError(405, 'MethodNotAllowed', `${request.method} is not allowed on ${path}`)
          : apiError(404, 'NotFound', `No such API: ${request.method} ${path}`),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    request.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes <= maxBodyBytes) chunks.push(chunk);
    });
    request.on('error', () => response.destroy());
    request.on('end', () => {
      const responder = new Responder(response);
      const match = route.pattern.exec(path) ?? [];
      try {
        route.handle(
          {
            method: request.method ?? 'GET',
            params: match.slice(1).map((param) => decodeURIComponent(param ?? '')),
            headers: request.headers,
            body: bodyBytes <= maxBodyBytes ? Buffer.concat(chunks) : Buffer.alloc(0),
            bodyBytes,
            bodyTooLarge: bodyBytes > maxBodyBytes,
          },
          responder,
        );
      } catch (error) {
        responder.send(apiError(500, 'InternalServerError', String(error)));
      }
    });
  });
  // A long poll may wait for minutes (a frozen sandbox waits for its next invoke); a client
  // frozen in the middle of a keep-alive connection must find it open when it is thawed.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A header's single value (the first when repeated), or undefined. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as JSON, or undefined when it is empty or not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
