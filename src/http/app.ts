/**
 * The HTTP contract of DESIGN.md as one Hono app. The Node server (src/server) and the Lambda
 * handler serve this same app, so routes, receipts and errors cannot drift between them. The app
 * owns no I/O of its own: the mode's Committer, the clock, logs and metrics are handed in.
 */
import { type Context, Hono } from 'hono';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { setMetric, timing } from 'hono/timing';
import type { Config } from '../core/config.js';
import { formatContentDigest } from '../core/digest.js';
import { QuickstowError, toProblem } from '../core/errors.js';
import { isId } from '../core/ids.js';
import { type IngestLimits, ingestBody, prepareIngest } from '../core/ingest.js';
import { keyOf } from '../core/keys.js';
import type { Logger } from '../core/ports.js';
import type { Receipt } from '../core/receipt.js';
import type { Committer, PayloadView } from '../modes/types.js';
import type { Metrics } from '../observability/metrics.js';
import type { ObjectMeta } from '../store/types.js';
import { bearerTokenCheck } from './auth.js';
import type { IdempotencyGate } from './idempotency-gate.js';

export interface AppDeps {
  config: Config;
  committer: Committer;
  metrics: Metrics;
  logger: Logger;
  /** Bearer tokens; none means no authentication. */
  authTokens?: readonly string[];
  idempotency?: IdempotencyGate;
  now?: () => number;
}

type AppEnv = { Variables: { bodyComplete: boolean } };

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { config, committer, metrics, logger } = deps;
  const now = deps.now ?? Date.now;
  const limits: IngestLimits = {
    maxBodyBytes: config.maxBodyBytes,
    keyPrefix: config.keyPrefix,
    allowedContentTypes: config.allowedContentTypes,
  };
  const app = new Hono<AppEnv>();

  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(timing({ totalDescription: 'total' }));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const labels = { method: c.req.method, route: c.req.routePath, status: String(c.res.status) };
    metrics.requestDuration.observe(labels, seconds);
    logger.info(
      {
        reqId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
      },
      'request',
    );
  });
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => {
        const error = new QuickstowError('method-not-allowed', 405, `Use ${methods.join(', ')}`, {
          headers: { allow: methods.join(', ') },
        });
        return problemResponse(c, error);
      },
    }),
  );
  if (deps.authTokens !== undefined && deps.authTokens.length > 0) {
    const check = bearerTokenCheck(deps.authTokens);
    app.use('/payloads/*', async (c, next) => {
      check(c.req.header('authorization'));
      await next();
    });
    app.use('/payloads', async (c, next) => {
      check(c.req.header('authorization'));
      await next();
    });
  }

  app.post('/payloads', async (c) => {
    const prepared = prepareIngest(
      {
        contentLength: c.req.header('content-length'),
        contentType: c.req.header('content-type'),
        contentDigest: c.req.header('content-digest'),
      },
      limits,
    );
    const payload = await ingestBody(bodyOf(c), prepared, limits, now);
    c.set('bodyComplete', true);
    setMetric(c, 'recv', payload.timings.receiveMs, 'receive body');
    setMetric(c, 'hash', payload.timings.hashMs, 'sha-256');
    const meta: ObjectMeta = {
      key: payload.key,
      size: payload.size,
      contentType: payload.contentType,
      sha256: payload.sha256.toString('hex'),
      receivedAt: payload.receivedAt,
    };
    const commit = async (): Promise<Receipt> => {
      const started = performance.now();
      await committer.commit(payload.id, meta, payload.body);
      setMetric(c, 'commit', performance.now() - started, committer.durability);
      return receiptOf(payload.id, meta, committer.durability);
    };
    const idempotencyKey = c.req.header('idempotency-key');
    const { receipt, replayed } =
      idempotencyKey !== undefined && deps.idempotency !== undefined
        ? await deps.idempotency.run(idempotencyKey, meta.sha256, commit)
        : { receipt: await commit(), replayed: false };
    if (!replayed) metrics.receivedBytes.inc(payload.size);
    logger.info(
      { reqId: c.get('requestId'), id: receipt.id, size: receipt.size, replayed },
      'acknowledged',
    );
    const headers: Record<string, string> = { location: `/payloads/${receipt.id}` };
    if (replayed) headers['idempotent-replayed'] = 'true';
    return c.json(receipt, committer.durability === 'sync' ? 201 : 202, headers);
  });

  app.on('HEAD', '/payloads/:id', async (c) => {
    const id = c.req.param('id');
    const view = await find(id, () => committer.head(id, keyOf(config.keyPrefix, requireId(id))));
    return c.body(null, 200, objectHeaders(view.meta));
  });

  app.get('/payloads/:id', async (c) => {
    const id = c.req.param('id');
    const started = performance.now();
    const view = await find(id, () => committer.get(id, keyOf(config.keyPrefix, requireId(id))));
    setMetric(c, 'read', performance.now() - started, view.state);
    return c.body(new Uint8Array(view.body), 200, objectHeaders(view.meta));
  });

  app.get('/payloads/:id/receipt', async (c) => {
    const id = c.req.param('id');
    const view = await find(id, () => committer.head(id, keyOf(config.keyPrefix, requireId(id))));
    return c.json({ ...receiptOf(id, view.meta, committer.durability), state: view.state });
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    await committer.ready();
    return c.json({ status: 'ready', mode: committer.durability });
  });

  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );

  app.notFound((c) =>
    problemResponse(
      c,
      new QuickstowError('not-found', 404, `No route for ${c.req.method} ${c.req.path}`),
    ),
  );

  app.onError((error, c) => {
    const problem = toProblem(error, c.req.path);
    if (problem.status >= 500) {
      logger.error({ reqId: c.get('requestId'), err: error }, 'request failed');
    }
    // A body we stopped reading must not be drained to find the next request: close instead.
    if (c.req.method === 'POST' && !c.get('bodyComplete')) problem.headers.connection = 'close';
    return c.body(problem.body, problem.status as 400, problem.headers);
  });

  return app;
}

function problemResponse(c: Context, error: QuickstowError): Response {
  const problem = toProblem(error, c.req.path);
  return c.body(problem.body, problem.status as 400, problem.headers);
}

function requireId(id: string): string {
  if (!isId(id)) {
    throw new QuickstowError(
      'invalid-id',
      400,
      `${JSON.stringify(id.slice(0, 64))} is not a payload id (a UUIDv7)`,
    );
  }
  return id;
}

async function find<T extends PayloadView>(
  id: string,
  lookup: () => Promise<T | undefined>,
): Promise<T> {
  const view = await lookup();
  if (view === undefined) throw new QuickstowError('not-found', 404, `No payload with id ${id}`);
  return view;
}

function objectHeaders(meta: ObjectMeta): Record<string, string> {
  return {
    'content-type': meta.contentType,
    'content-length': String(meta.size),
    'content-digest': formatContentDigest(Buffer.from(meta.sha256, 'hex')),
    etag: `"${meta.sha256}"`,
  };
}

function receiptOf(id: string, meta: ObjectMeta, durability: Receipt['durability']): Receipt {
  return {
    id,
    key: meta.key,
    size: meta.size,
    sha256: meta.sha256,
    contentType: meta.contentType,
    durability,
    receivedAt: meta.receivedAt,
  };
}

/**
 * The body as the host hands it over in `env.incoming`: on Node the request's own stream, on
 * Lambda the event's body already decoded (src/lambda/http-adapter.ts). Going through the web
 * ReadableStream instead costs a copy and a promise per chunk, a measurable part of the time to
 * answer 1 MiB (see docs/benchmarks.md). Any other host gets the web body.
 */
function bodyOf(c: Context): AsyncIterable<Uint8Array> | null {
  const incoming = (c.env as { incoming?: AsyncIterable<Uint8Array> } | undefined)?.incoming;
  return incoming ?? (c.req.raw.body as unknown as AsyncIterable<Uint8Array> | null);
}
