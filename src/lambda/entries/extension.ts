/**
 * The external extension, shipped as a layer (`/opt/extensions/quickstow` starts this file). It
 * registers for INVOKE and SHUTDOWN, takes payloads from the handler over loopback HTTP, and
 * uploads them after the response: after each INVOKE it waits until the handler says it is done
 * with that invocation and everything held is uploaded (or the deadline is near), and only then
 * calls `next`, which is what lets the sandbox freeze. On SHUTDOWN it drains within the time
 * Lambda allows (2 s with an external extension) and exits.
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

try {
  const config = lambdaConfigFromEnv();
  await client.register(name, ['INVOKE', 'SHUTDOWN']);
  const store = await openWarmStore(config, logger);
  const uploads = pendingUploadsFor(config, store, telemetry);
  const latch = new InvocationLatch();
  const server = await startHandoffServer(config.extensionSocket, uploads, latch);
  logger.info({ socket: server.socketPath }, 'quickstow extension ready');
  for (;;) {
    const event = await client.next();
    if (event.eventType === 'INVOKE') {
      const deadlineMs = event.deadlineMs - config.deadlineMarginMs;
      await latch.wait(event.requestId, deadlineMs);
      await uploads.drain(deadlineMs);
    } else {
      logger.info({ reason: event.shutdownReason, held: uploads.size }, 'shutdown: draining');
      await uploads.drain(event.deadlineMs - 100);
      server.close();
      process.exit(0);
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
