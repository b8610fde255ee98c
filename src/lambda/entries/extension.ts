/**
 * The external extension, shipped as a layer (`/opt/extensions/quickstow` starts this file). It
 * registers for INVOKE and SHUTDOWN, takes payloads from the handler over loopback HTTP, and
 * uploads them after the response: after each INVOKE it waits until the handler says it is done
 * with that invocation and everything held is uploaded (or the deadline is near), and only then
 * calls `next`, which is what lets the sandbox freeze. On SHUTDOWN it drains within the time
 * Lambda allows (2 s with an external extension) and exits; so it does when the handler tells
 * it the runtime got SIGTERM, which reaches it even in the middle of an upload.
 */

import { lambdaConfigFromEnv } from '../config.js';
import { ExtensionsClient } from '../extensions-client.js';
import { startHandoffServer } from '../handoff-server.js';
import { InvocationLatch } from '../invocation-latch.js';
import { pendingUploadsFor } from '../pending-uploads.js';
import { LambdaTelemetry } from '../telemetry.js';
import { openWarmStore } from '../warm-store.js';

const name = process.argv[2] ?? 'quickstow';
const telemetry = new LambdaTelemetry('extension');
const { logger } = telemetry;
const client = new ExtensionsClient(process.env.AWS_LAMBDA_RUNTIME_API ?? '');
/** What Lambda allows from SHUTDOWN (and the runtime's SIGTERM) when an external extension runs. */
const shutdownAllowedMs = 2000;

try {
  const config = lambdaConfigFromEnv();
  await client.register(name, ['INVOKE', 'SHUTDOWN']);
  const store = await openWarmStore(config, logger);
  const uploads = pendingUploadsFor(config, store, telemetry);
  const latch = new InvocationLatch();
  let shuttingDown: Promise<never> | undefined;
  // Once, on whichever comes first: SHUTDOWN, or the runtime passing on its SIGTERM (SHUTDOWN
  // waits for a `next` we do not call while uploading). The drain keeps the same margin as after
  // an invoke, for the fallback's fsync'ed writes; a drain after an invoke may still run beside
  // it, harmlessly: the exit ends it.
  const shutdown = (reason: string, deadlineMs: number): Promise<never> => {
    shuttingDown ??= (async () => {
      logger.info({ reason, held: uploads.size }, 'shutdown: draining');
      await uploads.drain(deadlineMs - config.deadlineMarginMs);
      server.close();
      process.exit(0);
    })();
    return shuttingDown;
  };
  const server = await startHandoffServer(config.extensionSocket, uploads, latch, () => {
    void shutdown('runtime got SIGTERM', Date.now() + shutdownAllowedMs);
  });
  logger.info({ socket: server.socketPath }, 'quickstow extension ready');
  for (;;) {
    const event = await client.next();
    if (event.eventType === 'INVOKE') {
      const deadlineMs = event.deadlineMs - config.deadlineMarginMs;
      await latch.wait(event.requestId, deadlineMs);
      await uploads.drain(deadlineMs);
    } else {
      await shutdown(event.shutdownReason, event.deadlineMs);
    }
  }
} catch (error) {
  logger.error({ err: error }, 'quickstow extension failed');
  await client.reportError(
    client.identifier === '' ? 'init' : 'exit',
    'Extension.QuickstowFailed',
    String(error),
  );
  process.exit(1);
}
