/**
 * The load generator: POST /payloads over node:http with a keep-alive agent, `concurrency`
 * requests in flight. A request's latency runs from the moment its first byte is handed to a
 * connected socket (connection set-up is not the server's cost) to the last byte of the answer.
 */
import http, { type Agent, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Body } from './bodies.js';
import { parseServerTiming } from './server-timing.js';

export interface Receipt {
  id: string;
  key?: string;
  sha256?: string;
  size?: number;
  durability?: string;
}

export interface Outcome {
  ok: boolean;
  status: number;
  latencyMs: number;
  sha256: string;
  size: number;
  receipt?: Receipt;
  serverTiming: Record<string, number>;
  error?: string;
}

export interface PostResult {
  status: number;
  latencyMs: number;
  body: string;
  serverTiming: string | undefined;
}

const requestTimeoutMs = 120_000;

/**
 * One POST. A keep-alive socket that sat idle may have been closed by the server (Node's
 * default keep-alive timeout is 5 s, and a target waits longer than that while the others take
 * their turns) just as a request is written to it: the write fails with EPIPE or ECONNRESET and
 * no answer comes. As Node's documentation advises, such a request is sent once more on a new
 * socket; its latency is that of the second attempt. A failure on a fresh socket, or after any
 * answer began, is the server's and counts as an error.
 */
export async function postPayload(
  baseUrl: string,
  agent: Agent,
  body: Buffer,
): Promise<PostResult> {
  try {
    return await postOnce(baseUrl, agent, body);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    return postOnce(baseUrl, agent, body);
  }
}

class StaleSocketError extends Error {}

function postOnce(baseUrl: string, agent: Agent, body: Buffer): Promise<PostResult> {
  const url = payloadsUrl(baseUrl);
  const { request } = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
      timeout: requestTimeoutMs,
    });
    let startedAt = 0;
    let answered = false;
    req.once('error', (error: NodeJS.ErrnoException) => {
      const stale =
        req.reusedSocket && !answered && (error.code === 'EPIPE' || error.code === 'ECONNRESET');
      reject(stale ? new StaleSocketError(error.message, { cause: error }) : error);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${requestTimeoutMs} ms`)));
    req.once('socket', (socket) => {
      const send = () => {
        startedAt = performance.now();
        req.end(body);
      };
      if (socket.connecting) socket.once('connect', send);
      else send();
    });
    req.once('response', (response: IncomingMessage) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        const latencyMs = performance.now() - startedAt;
        resolve({
          status: response.statusCode ?? 0,
          latencyMs,
          body: Buffer.concat(chunks).toString('utf8'),
          serverTiming: headerValue(response.headers['server-timing']),
        });
      });
    });
  });
}

/** `{base}/payloads`, keeping a path prefix such as an API Gateway stage. */
export function payloadsUrl(baseUrl: string, id?: string): URL {
  const base = baseUrl.replace(/\/+$/, '');
  return new URL(id === undefined ? `${base}/payloads` : `${base}/payloads/${id}`);
}

/** A keep-alive agent for the URL's protocol, with one socket per request in flight. */
export function keepAliveAgent(baseUrl: string, concurrency: number): Agent {
  const options = { keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency };
  return baseUrl.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export function receiptOf(text: string): Receipt | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Receipt>;
    return typeof parsed.id === 'string' && parsed.id !== '' ? (parsed as Receipt) : undefined;
  } catch {
    return undefined;
  }
}

async function send(baseUrl: string, agent: Agent, body: Body): Promise<Outcome> {
  const base = { sha256: body.sha256, size: body.bytes.length, serverTiming: {} };
  try {
    const result = await postPayload(baseUrl, agent, body.bytes);
    const receipt = receiptOf(result.body);
    const ok = result.status >= 200 && result.status < 300 && receipt !== undefined;
    return {
      ...base,
      ok,
      status: result.status,
      latencyMs: result.latencyMs,
      serverTiming: parseServerTiming(result.serverTiming),
      ...(receipt === undefined ? {} : { receipt }),
      ...(ok ? {} : { error: `HTTP ${result.status}: ${result.body.slice(0, 200)}` }),
    };
  } catch (error) {
    return { ...base, ok: false, status: 0, latencyMs: 0, error: (error as Error).message };
  }
}

/** Sends every body with `concurrency` in flight; resolves with the outcomes and the wall time. */
export async function runBatch(
  baseUrl: string,
  agent: Agent,
  bodies: readonly Body[],
  concurrency: number,
  onOutcome: (outcome: Outcome) => void = () => {},
): Promise<{ outcomes: Outcome[]; elapsedMs: number }> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < bodies.length; index = next++) {
      const outcome = await send(baseUrl, agent, bodies[index] as Body);
      outcomes.push(outcome);
      onOutcome(outcome);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  return { outcomes, elapsedMs: performance.now() - started };
}
