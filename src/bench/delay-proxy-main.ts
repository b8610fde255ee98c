/**
 * The delay proxy as its own process, so that forwarding megabytes to the S3 stand-in never runs
 * on the load generator's event loop. Prints one listening line; stops on SIGTERM or SIGINT.
 *   node dist/bench/delay-proxy-main.js --target-port 4568 --delay-ms 20
 */
import { parseArgs } from 'node:util';
import { startDelayProxy } from './delay-proxy.js';
import { listeningLine } from './listen-line.js';

const { values } = parseArgs({
  options: {
    'target-host': { type: 'string', default: '127.0.0.1' },
    'target-port': { type: 'string' },
    'delay-ms': { type: 'string', default: '20' },
    port: { type: 'string', default: '0' },
  },
});
const [targetPort, delayMs, port] = [values['target-port'], values['delay-ms'], values.port].map(
  (value) => (/^\d+$/.test(value ?? '') ? Number(value) : Number.NaN),
);
if (!Number.isInteger(targetPort) || !Number.isInteger(delayMs) || !Number.isInteger(port)) {
  process.stderr.write(
    'usage: delay-proxy-main --target-port PORT [--delay-ms MS] [--port PORT]\n',
  );
  process.exit(2);
}
const proxy = await startDelayProxy({
  targetHost: values['target-host'] ?? '127.0.0.1',
  targetPort: targetPort as number,
  delayMs: delayMs as number,
  port: port as number,
});
process.stdout.write(listeningLine(`http://${proxy.host}:${proxy.port}`));
const stop = () => {
  proxy.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
