/** A raw TCP client, for the requests a well-behaved HTTP client refuses to send. */
import net from 'node:net';

export interface RawConnection {
  socket: net.Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the server has closed the connection (or reset it). */
  closed: Promise<void>;
  /** Resolves once the received text matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export async function connect(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    received: () => text,
    closed,
    waitFor: (pattern, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          if (pattern.test(text)) {
            clearInterval(poll);
            resolve(text);
          } else if (Date.now() - started > timeoutMs || socket.destroyed) {
            clearInterval(poll);
            if (pattern.test(text)) resolve(text);
            else reject(new Error(`no ${pattern} in ${JSON.stringify(text.slice(0, 500))}`));
          }
        }, 5);
      }),
  };
}

/** Writes without failing the test when the server has already closed the connection. */
export function writeQuietly(socket: net.Socket, data: string | Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed || !socket.writable) return resolve(false);
    socket.write(data, (error) => resolve(!error));
  });
}
