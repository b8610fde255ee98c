/**
 * `quickstow/lambda`: the Lambda handler entry. Everything slow happens here, during init: the
 * configuration is checked, the S3 connection opened, and (in the modes that upload after the
 * response) the internal extension registered. The handler itself serves the HTTP contract of
 * DESIGN.md from API Gateway REST (v1), HTTP API (v2.0) and Function URL events through the same
 * Hono app as `quickstow serve`.
 */

import type { LambdaContext } from 'hono/aws-lambda';
import { QuickstowError, toProblem } from '../../core/errors.js';
import { createApp } from '../../http/app.js';
import { SyncCommitter } from '../../modes/sync.js';
import type { Committer } from '../../modes/types.js';
import { Metrics } from '../../observability/metrics.js';
import { ExternalAfterResponseCommitter, InternalAfterResponseCommitter } from '../committers.js';
import { lambdaConfigFromEnv } from '../config.js';
import { HandoffClient } from '../handoff-client.js';
import {
  methodOf,
  type ProxyEvent,
  type ProxyResult,
  toRequest,
  toResult,
} from '../http-adapter.js';
import { startInternalExtension } from '../internal-extension.js';
import { InvocationLatch } from '../invocation-latch.js';
import { pendingUploadsFor } from '../pending-uploads.js';
import { SandboxSpool } from '../sandbox-spool.js';
import { LambdaTelemetry } from '../telemetry.js';
import { openWarmStore } from '../warm-store.js';

const telemetry = new LambdaTelemetry('handler');
const { logger } = telemetry;
const config = lambdaConfigFromEnv();
const store = await openWarmStore(config, logger);
const latch = new InvocationLatch();
const runtimeApi = process.env.AWS_LAMBDA_RUNTIME_API ?? '';

let committer: Committer;
let beforeInvoke: () => Promise<void> = async () => {};
let afterInvoke: (requestId: string) => Promise<void> = async () => telemetry.flush();

if (config.mode === 'sync') {
  committer = new SyncCommitter(store);
} else if (config.mode === 'after-response' && config.extension === 'external') {
  const handoff = new HandoffClient(config.extensionSocket);
  committer = new ExternalAfterResponseCommitter(store, handoff);
  afterInvoke = async (requestId) => {
    telemetry.flush();
    await handoff.done(requestId);
  };
  // The extension hears SHUTDOWN only at its next `next`, which it does not call while an upload
  // is in progress; the runtime gets SIGTERM at the same moment, so it passes it on.
  process.once('SIGTERM', () => {
    void handoff
      .shutdown()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
} else if (config.mode === 'after-response') {
  const uploads = pendingUploadsFor(config, store, telemetry);
  committer = new InternalAfterResponseCommitter(store, uploads);
  afterInvoke = async () => {};
  await startInternalExtension({
    runtimeApi,
    name: 'quickstow-internal',
    latch,
    drain: (deadlineMs) => uploads.drain(deadlineMs),
    marginMs: config.deadlineMarginMs,
    logger,
  });
  // Shutdown gives a runtime with internal extensions 500 ms after SIGTERM: flush what we can,
  // and keep the rest of it for what could not be uploaded (the fallback's fsync'ed write and the
  // PAYLOAD LOST line; with 400 ms they were sometimes cut off under disk load).
  process.once('SIGTERM', () => {
    void uploads.drain(Date.now() + 250).finally(() => process.exit(0));
  });
} else {
  const sandboxSpool = await SandboxSpool.create(config, store, logger);
  committer = sandboxSpool.committer(store);
  beforeInvoke = () => sandboxSpool.ensureOwned();
  afterInvoke = () => sandboxSpool.heartbeat();
  await startInternalExtension({
    runtimeApi,
    name: 'quickstow-internal',
    latch,
    drain: async (deadlineMs) => {
      await Promise.race([
        sandboxSpool.spool.drained(),
        new Promise((resolve) => setTimeout(resolve, Math.max(0, deadlineMs - Date.now()))),
      ]);
      telemetry.flush();
    },
    marginMs: config.deadlineMarginMs,
    logger,
  });
}

const app = createApp({
  config: config.shared,
  committer,
  metrics: new Metrics({ processMetrics: false }),
  logger,
});
// Run one request through the app during init: Node loads Request/Response (undici) on first
// use and Hono builds its router on the first match, about 10 ms a cold start pays here rather
// than the first caller.
await app.fetch(new Request('http://init.invalid/healthz'));

export const handler = async (event: ProxyEvent, context: LambdaContext): Promise<ProxyResult> => {
  telemetry.powertools.addContext(context as never);
  const started = Date.now();
  try {
    await beforeInvoke();
    return await serve(event);
  } finally {
    if (methodOf(event) === 'POST') telemetry.milliseconds('AckLatency', Date.now() - started);
    latch.markDone(context.awsRequestId);
    await afterInvoke(context.awsRequestId);
  }
};

async function serve(event: ProxyEvent): Promise<ProxyResult> {
  let adapted: ReturnType<typeof toRequest>;
  try {
    adapted = toRequest(event);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const problem = toProblem(new QuickstowError('bad-request', 400, message));
    const response = new Response(problem.body, {
      status: problem.status,
      headers: problem.headers,
    });
    return toResult(event, response);
  }
  const response = await app.fetch(adapted.request, { incoming: adapted.incoming });
  return toResult(event, response);
}
