/**
 * A TCP proxy that delays each direction by a fixed time: a stand-in for the network between a
 * server and a remote S3 (this kernel has no netem). Every chunk is held for `delayMs` from the
 * moment it arrives, then written on in arrival order, so the byte stream is unchanged and the
 * bandwidth is not limited, only the latency. A half-close (FIN) travels in order with the data,
 * delayed like it; a reset or error on one side destroys the other at once.
 */
import { once } from 'node:events';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface DelayProxyOptions {
  targetHost: string;
  targetPort: number;
  /** One-way delay added to each direction. 0 forwards at once. */
  delayMs: number;
  host?: string;
  port?: number;
}

export interface DelayProxy {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Bytes held in one direction before the sender is paused (TCP's receive window, in effect). */
const highWaterBytes = 32 * 1024 * 1024;

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  // allowHalfOpen: a FIN from one side must not end our side early, while delayed data for that
  // side is still queued; the FIN is forwarded in turn instead.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({
      host: options.targetHost,
      port: options.targetPort,
      allowHalfOpen: true,
      noDelay: true,
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    const toUpstream = new DelayedPipe(client, upstream, options.delayMs);
    const toClient = new DelayedPipe(upstream, client, options.delayMs);
    const abort = () => {
      toUpstream.abort();
      toClient.abort();
      client.destroy();
      upstream.destroy();
    };
    // A side closed without an orderly end (reset, error, destroy) takes the other with it.
    client.on('error', abort).once('close', () => toUpstream.ended || abort());
    upstream.on('error', abort).once('close', () => toClient.ended || abort());
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const address = server.address() as net.AddressInfo;
  return {
    host,
    port: address.port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** One direction: source's bytes, each chunk written to the destination delayMs after arrival. */
class DelayedPipe {
  /** The source has ended and its FIN was queued. */
  ended = false;
  private readonly queue: { dueAt: number; chunk: Buffer | 'end' }[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private waitingForDrain = false;

  constructor(
    private readonly source: net.Socket,
    private readonly destination: net.Socket,
    private readonly delayMs: number,
  ) {
    source.on('data', (chunk: Buffer) => {
      this.enqueue(chunk);
      if (this.queuedBytes > highWaterBytes) source.pause();
    });
    source.once('end', () => {
      this.ended = true;
      this.enqueue('end');
    });
    destination.on('drain', () => {
      this.waitingForDrain = false;
      this.pump();
    });
  }

  abort(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }

  private enqueue(chunk: Buffer | 'end'): void {
    this.queue.push({ dueAt: performance.now() + this.delayMs, chunk });
    if (chunk !== 'end') this.queuedBytes += chunk.length;
    if (this.timer === undefined) this.pump();
  }

  private pump(): void {
    this.timer = undefined;
    while (!this.waitingForDrain && !this.destination.destroyed) {
      const next = this.queue[0];
      if (next === undefined) break;
      const wait = next.dueAt - performance.now();
      if (wait > 0) {
        // Timers may fire a little early; the loop checks again and waits the rest.
        this.timer = setTimeout(() => this.pump(), Math.ceil(wait));
        break;
      }
      this.queue.shift();
      if (next.chunk === 'end') {
        this.destination.end();
        continue;
      }
      this.queuedBytes -= next.chunk.length;
      if (!this.destination.write(next.chunk)) this.waitingForDrain = true;
    }
    if (this.source.isPaused() && this.queuedBytes <= highWaterBytes / 2) this.source.resume();
  }
}
