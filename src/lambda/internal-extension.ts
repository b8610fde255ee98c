/**
 * The internal extension: registered by the handler module while it is imported (during init,
 * before the runtime's first `next`), it lives in the runtime's own process. After each INVOKE
 * it waits until the handler is done with that invocation, then until the post-response work
 * (`drain`) is done or the deadline is near, and only then calls `next` again: that call is what
 * lets Lambda freeze the sandbox, so nothing pending is frozen with it.
 */
import type { Logger } from '../core/ports.js';
import { ExtensionsClient } from './extensions-client.js';
import type { InvocationLatch } from './invocation-latch.js';

export interface InternalExtensionOptions {
  runtimeApi: string;
  name: string;
  latch: InvocationLatch;
  /** The post-response work; must resolve by deadlineMs (epoch ms). */
  drain(deadlineMs: number): Promise<void>;
  /** Kept free before the function deadline, so that the `next` call itself is in time. */
  marginMs: number;
  logger: Logger;
}

export async function startInternalExtension(options: InternalExtensionOptions): Promise<void> {
  const client = new ExtensionsClient(options.runtimeApi);
  await client.register(options.name, ['INVOKE']);
  void (async () => {
    for (;;) {
      const event = await client.next();
      if (event.eventType !== 'INVOKE') continue;
      const deadlineMs = event.deadlineMs - options.marginMs;
      await options.latch.wait(event.requestId, deadlineMs);
      // The latch is set as the handler returns; let the runtime post the answer before the
      // upload's signing and socket writes take the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      await options.drain(deadlineMs);
    }
  })().catch((error: unknown) => {
    // Without its extension, the sandbox would freeze pending uploads: better to fail loudly
    // and let Lambda replace the sandbox than to acknowledge payloads nobody will upload.
    options.logger.error({ err: error }, 'internal extension failed; exiting the runtime');
    process.exit(1);
  });
}
