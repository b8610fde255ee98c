import type { Server } from 'node:http';

/** Stops the bench's own targets on SIGTERM/SIGINT: no new requests, idle keep-alives closed. */
export function serveUntilSignal(server: Server, onClose: () => void = () => {}): void {
  const stop = () => {
    server.close(() => {
      onClose();
      process.exit(0);
    });
    server.closeIdleConnections();
    // Requests still running get a moment, then the process goes anyway.
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
