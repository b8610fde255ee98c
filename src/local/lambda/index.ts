/**
 * The Lambda half of `quickstow local`: sandboxes of real processes running the real AWS runtime
 * client, with the Runtime and Extensions APIs and a real freeze (SIGSTOP), pooled behind the
 * `Invoker` seam that the API Gateway front calls.
 *
 *   const pool = await startLambdaPool({ codeDir, handler: 'index.handler' }, { onLog });
 *   const result = await pool.invoke({ event: Buffer.from(json) });  // answer at the response
 *   const report = await result.invokePhase;                         // after extensions' work
 *   await pool.close();
 *
 * Faithful: the lifecycle (init, invoke, freeze between invokes, shutdown), the APIs' paths,
 * headers, bodies and status codes, the environment variables, the 6 MB response limit, the
 * function timeout over the whole invoke phase, the shutdown grace times, concurrency and
 * throttling. Not emulated: CPU share by memory size, the memory limit (Max Memory Used is
 * measured, not enforced), the network and IAM (the function gets no credentials unless `env`
 * gives some), response streaming, the Telemetry and Logs APIs, SnapStart, and Lambda's retry of
 * a failed init inside the invoke phase. Linux only (/proc, process groups, SIGSTOP).
 */
export { formatLogRecord, type LambdaLogRecord, type LogSink } from './log-sink.js';
export {
  type LambdaOptions,
  type LambdaOptionsInput,
  lambdaDefaults,
  resolveLambdaOptions,
} from './options.js';
export {
  LambdaPool,
  type LambdaPoolDependencies,
  type LambdaPoolStats,
  startLambdaPool,
} from './pool.js';
export { type ParsedReport, parseReportLine } from './report.js';
