/**
 * The seam between the two halves of `quickstow local`: the API Gateway front (turns HTTP
 * requests into Lambda events and results back into HTTP answers) and the Lambda side (a pool of
 * sandboxes of real processes speaking the Runtime and Extensions APIs).
 */

/** What one invoke ended with, as the Lambda service sees it. */
export type InvokeOutcome =
  /** The runtime posted a response: the raw bytes it posted (JSON text for Node handlers). */
  | { kind: 'response'; payload: Buffer }
  /** The runtime posted an invocation error (the handler threw or rejected). */
  | { kind: 'function-error'; errorType: string; errorMessage: string; payload: Buffer }
  /** The function timeout passed before the runtime answered; the sandbox was reset. */
  | { kind: 'timeout' }
  /** Init failed (init error posted, crash or 10 s cap); the sandbox was not used. */
  | { kind: 'init-error'; errorType: string; errorMessage: string }
  /** The runtime or an extension exited during the invoke; the sandbox was reset. */
  | { kind: 'crash'; detail: string }
  /** The runtime posted a response over the 6 MB limit. */
  | { kind: 'response-too-large' }
  /** No sandbox became free in time (every one busy up to the concurrency limit). */
  | { kind: 'throttled' };

export interface InvokeRequest {
  /** The event, JSON-serialised (what the runtime's `next` returns as its body). */
  event: Buffer;
  /** Optional X-Ray trace header value to pass through (Lambda-Runtime-Trace-Id). */
  traceId?: string;
}

export interface InvokeResult {
  requestId: string;
  outcome: InvokeOutcome;
  /** Was this invoke a cold start (a new sandbox initialised for it)? */
  coldStart: boolean;
  /** The REPORT line, as CloudWatch would show it. */
  report: string;
  /**
   * The invoke phase's own REPORT, once the phase is over: the runtime AND every extension have
   * called `next` (or the sandbox was reset). For a `response` or `function-error` this comes
   * after the answer (extensions may work on after it), and only this one carries the post-runtime
   * extension time; `report` above is then the REPORT as known at the answer. For `timeout`,
   * `crash` and `init-error` it is the same line as `report`. Never rejects. Absent when no
   * invoke phase ran (`throttled`, or a sandbox lost between its init and the invoke).
   */
  invokePhase?: Promise<InvokeReport>;
}

/** The figures of one invoke's REPORT line, and the line itself. */
export interface InvokeReport {
  /** `REPORT RequestId: …\tDuration: 12.34 ms\t…` (src/local/lambda/report.ts documents it). */
  line: string;
  requestId: string;
  /** The invoke phase: from the event's delivery to the last `next` (runtime or extension). */
  durationMs: number;
  billedDurationMs: number;
  /** From the event's delivery to the runtime's answer. */
  runtimeDurationMs: number;
  /**
   * From the runtime's answer to the last `next`: the time extensions (or the runtime) kept the
   * sandbox running after the answer.
   */
  postRuntimeExtensionsDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Only on a cold start. */
  initDurationMs?: number;
  /** 'success' | 'error' | 'timeout', as Lambda's platform.report says it. */
  status: 'success' | 'error' | 'timeout';
  errorType?: string;
}

/** What the API Gateway front needs of the Lambda side. */
export interface Invoker {
  invoke(request: InvokeRequest): Promise<InvokeResult>;
}
