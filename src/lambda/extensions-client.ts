/**
 * A client of the Lambda Extensions API (2020-01-01), for both of quickstow's extensions: the
 * internal one that lives in the runtime process and the external one shipped as a layer.
 *
 * It uses node:http with no timeout at all, on purpose: `event/next` is a long poll that stays
 * open while the sandbox is frozen, possibly for hours. fetch (undici) would arm a headers
 * timer that fires the moment the sandbox thaws and abort the poll.
 */
import http from 'node:http';

export type ExtensionEvent =
  | {
      eventType: 'INVOKE';
      deadlineMs: number;
      requestId: string;
      invokedFunctionArn?: string;
      tracing?: { type: string; value: string };
    }
  | { eventType: 'SHUTDOWN'; shutdownReason: string; deadlineMs: number };

export class ExtensionsClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  private readonly host: string;
  private readonly port: number;
  private id = '';

  /** `runtimeApi` is AWS_LAMBDA_RUNTIME_API: host:port. */
  constructor(runtimeApi: string) {
    const url = new URL(`http://${runtimeApi}`);
    this.host = url.hostname;
    this.port = Number(url.port || 80);
  }

  get identifier(): string {
    return this.id;
  }

  /** Registers; must happen during init (before the runtime's first `next`). */
  async register(name: string, events: Array<'INVOKE' | 'SHUTDOWN'>): Promise<void> {
    const response = await this.call(
      'POST',
      '/2020-01-01/extension/register',
      JSON.stringify({ events }),
      {
        'lambda-extension-name': name,
      },
    );
    const id = response.headers['lambda-extension-identifier'];
    if (response.status !== 200 || typeof id !== 'string') {
      throw new Error(`extension registration failed: ${response.status} ${response.body}`);
    }
    this.id = id;
  }

  /** Blocks until the next event. Calling it tells Lambda this extension is done for now. */
  async next(): Promise<ExtensionEvent> {
    const response = await this.call('GET', '/2020-01-01/extension/event/next', undefined, {
      'lambda-extension-identifier': this.id,
    });
    if (response.status !== 200)
      throw new Error(`event/next failed: ${response.status} ${response.body}`);
    return JSON.parse(response.body) as ExtensionEvent;
  }

  /** Reports an error before exiting (init/error during init, exit/error afterwards). */
  async reportError(phase: 'init' | 'exit', errorType: string, message: string): Promise<void> {
    await this.call(
      'POST',
      `/2020-01-01/extension/${phase}/error`,
      JSON.stringify({ errorMessage: message, errorType, stackTrace: [] }),
      { 'lambda-extension-identifier': this.id, 'lambda-extension-function-error-type': errorType },
    ).catch(() => undefined);
  }

  private call(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          headers: { ...headers, 'content-type': 'application/json' },
          agent: this.agent,
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}
