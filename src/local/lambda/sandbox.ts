/**
 * One Lambda execution environment: a group of real processes (the external extensions, then
 * the runtime) and the HTTP server of their Runtime and Extensions APIs, driven through Lambda's
 * lifecycle with a REAL freeze.
 *
 *   created → initializing → idle (frozen) ⇄ invoking → … → shutting-down → gone
 *
 * - Init: the external extensions start in parallel and register; once all have, the runtime
 *   starts and imports the handler (internal extensions register from inside it meanwhile). Init
 *   is over when the runtime and every extension have called `next`; it is capped at
 *   initTimeoutMs. An init error (posted by the runtime or an extension, a process exiting, the
 *   cap) ends the sandbox (shutdown reason failure).
 * - Idle means frozen: every process group gets SIGSTOP the moment the runtime and every
 *   extension are parked on `next` with nothing queued. Nothing runs in a frozen sandbox: a
 *   promise a handler left pending waits, on its socket, for the next thaw.
 * - Invoke: SIGCONT, then the event to the runtime and INVOKE to the extensions subscribed to it.
 *   The answer is given the moment the runtime posts its response (or error); the phase goes on
 *   until the runtime and every extension are back on `next` (the latch: an INVOKE may reach an
 *   extension after the runtime answered), then the REPORT is written and the sandbox freezes.
 *   The function timeout bounds the whole phase: past it the sandbox is reset (reason timeout),
 *   with a `timeout` outcome if the runtime had not answered. A process that exits during the
 *   phase is a `crash` and resets the sandbox (reason failure).
 * - Shutdown: thaw; SHUTDOWN to the external extensions subscribed to it; SIGTERM to the runtime;
 *   wait until every process exited or the grace time passed (2000 ms with any external
 *   extension, 500 ms with internal ones only; without extensions no wait and no SIGTERM); then
 *   SIGCONT and SIGKILL to every process group, and the API server closes. No process is left
 *   behind, stopped or running — except one that left its process group (setsid) on purpose.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { InvokeOutcome, InvokeReport, InvokeRequest } from '../types.js';
import { type ApiServer, startApiServer } from './api-server.js';
import {
  ExtensionsApi,
  maxExtensions,
  type RegisteredExtension,
  type ShutdownReason,
} from './extensions-api.js';
import {
  extensionSpec,
  findExternalExtensions,
  functionArn,
  logStreamName,
  runtimeSpec,
  sandboxEnvironment,
} from './launch.js';
import type { LogSink } from './log-sink.js';
import { MemoryGauge } from './memory-gauge.js';
import type { LambdaOptions } from './options.js';
import { describeExit, type ProcessExit, ProcessGroup, type ProcessSpec } from './process-group.js';
import {
  billedMs,
  endLine,
  initReportLine,
  makeReport,
  type ReportFigures,
  reportLine,
  startLine,
} from './report.js';
import { maxResponseBytes, type ReportedError, RuntimeApi } from './runtime-api.js';

export type SandboxState =
  | 'created'
  | 'initializing'
  | 'idle'
  | 'invoking'
  | 'shutting-down'
  | 'gone';

export type InitResult =
  | { ok: true; initDurationMs: number }
  | { ok: false; initDurationMs: number; errorType: string; errorMessage: string };

export interface SandboxAnswer {
  outcome: InvokeOutcome;
  /** The REPORT as known at the answer (the final one when the answer ends the phase). */
  report: string;
}

export interface SandboxPhaseEnd {
  report: InvokeReport;
  /** False when the phase ended the sandbox (timeout, crash): it is being shut down. */
  reusable: boolean;
}

export interface SandboxRun {
  answer: Promise<SandboxAnswer>;
  phaseEnd: Promise<SandboxPhaseEnd>;
}

export interface SandboxHooks {
  onLog: LogSink;
  /** The sandbox is shut down and every one of its processes is gone. */
  onGone(sandbox: Sandbox): void;
}

type ReportStatus = InvokeReport['status'];

interface ActiveInvoke {
  requestId: string;
  coldStart: boolean;
  startedAt: number;
  deadlineTimer: NodeJS.Timeout;
  answeredAt?: number;
  outcome?: InvokeOutcome;
  status: ReportStatus;
  errorType?: string;
  resolveAnswer(answer: SandboxAnswer): void;
  resolvePhase(end: SandboxPhaseEnd): void;
}

/** Upper bound on waiting for killed processes to be reaped; SIGKILL makes it milliseconds. */
const reapTimeoutMs = 5_000;

export class Sandbox {
  readonly id = randomBytes(16).toString('hex');
  readonly logStreamName = logStreamName(this.id);
  private stateValue: SandboxState = 'created';
  private server: ApiServer | undefined;
  private readonly runtimeApi: RuntimeApi;
  private extensionsApi: ExtensionsApi | undefined;
  private runtimeSpecValue: ProcessSpec | undefined;
  private runtime: ProcessGroup | undefined;
  private readonly extensions: ProcessGroup[] = [];
  private readonly memory = new MemoryGauge(() => this.processGroupIds());
  private initStartedAt = 0;
  private initDurationValue: number | undefined;
  private initTimer: NodeJS.Timeout | undefined;
  private settleInit: ((result: InitResult) => void) | undefined;
  private active: ActiveInvoke | undefined;
  private readyOnce = false;
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    private readonly options: LambdaOptions,
    readonly provisioned: boolean,
    private readonly hooks: SandboxHooks,
  ) {
    this.runtimeApi = new RuntimeApi({
      onNext: () => {
        this.extensionsApi?.closeRegistration();
        this.advanceInit();
        this.endPhaseIfDone();
      },
      onResponse: (requestId, payload) => {
        this.answer(requestId, { kind: 'response', payload }, 'success');
      },
      onResponseTooLarge: (requestId, bytes) => {
        this.platformLog(
          `RequestId: ${requestId} Error: Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${maxResponseBytes} bytes).`,
        );
        this.answer(
          requestId,
          { kind: 'response-too-large' },
          'error',
          'Function.ResponseSizeTooLarge',
        );
      },
      onInvocationError: (requestId, error, payload) => {
        this.answer(
          requestId,
          {
            kind: 'function-error',
            errorType: error.errorType,
            errorMessage: error.errorMessage,
            payload,
          },
          'error',
          error.errorType,
        );
      },
      onInitError: (error) => this.failInit(error.errorType, error.errorMessage),
    });
  }

  get state(): SandboxState {
    return this.stateValue;
  }

  /**
   * Answered, with every extension back on `next`: only the runtime's own step from its answer
   * to its `next` (a millisecond or so) is left before the sandbox is free again.
   */
  get isFinishing(): boolean {
    return (
      this.stateValue === 'invoking' &&
      this.active?.outcome !== undefined &&
      (this.extensionsApi?.allIdle ?? true)
    );
  }

  /** Did init complete (the sandbox served, or could serve, invokes)? */
  get wasReady(): boolean {
    return this.readyOnce;
  }

  /** The pids of the process group leaders (each is its group's id). */
  processGroupIds(): ReadonlySet<number> {
    const ids = new Set<number>();
    for (const group of [this.runtime, ...this.extensions]) {
      if (group?.pid !== undefined) ids.add(group.pid);
    }
    return ids;
  }

  /** Starts the processes and resolves when init is over, either way. Call once. */
  init(): Promise<InitResult> {
    if (this.stateValue === 'shutting-down' || this.stateValue === 'gone') {
      return Promise.resolve({
        ok: false,
        initDurationMs: 0,
        errorType: 'Sandbox.Shutdown',
        errorMessage: 'The sandbox was shut down before its init',
      });
    }
    if (this.stateValue !== 'created') throw new Error('Sandbox.init() called twice');
    this.stateValue = 'initializing';
    this.initStartedAt = performance.now();
    const result = new Promise<InitResult>((resolve) => {
      this.settleInit = resolve;
    });
    this.startInit().catch((error: unknown) =>
      this.failInit('Sandbox.Failure', `Could not start the sandbox: ${String(error)}`),
    );
    return result;
  }

  private async startInit(): Promise<void> {
    const options = this.options;
    const externalNames = await findExternalExtensions(options.extensionsDir);
    this.extensionsApi = new ExtensionsApi(
      {
        functionName: options.functionName,
        functionVersion: '$LATEST',
        handler: options.handler,
      },
      externalNames,
      {
        onRegister: (extension) => {
          this.platformLog(extensionLine(extension));
          this.advanceInit();
        },
        onIdle: () => {
          this.advanceInit();
          this.endPhaseIfDone();
        },
        onInitError: (extension, error) =>
          this.failInit(error.errorType, `extension ${extension.name}: ${error.errorMessage}`),
        onExitError: (extension, error) => this.onExtensionExitError(extension, error),
      },
    );
    if (externalNames.length > maxExtensions) {
      this.failInit(
        'Extension.TooManyExtensions',
        `${externalNames.length} extensions in ${options.extensionsDir}; the limit is ${maxExtensions}`,
      );
      return;
    }
    const server = await startApiServer(
      [...this.runtimeApi.routes(), ...this.extensionsApi.routes()],
      maxResponseBytes,
    );
    if (this.stateValue !== 'initializing') {
      await server.close(); // shut down meanwhile, before it had a server to close
      return;
    }
    this.server = server;
    const identity = {
      sandboxId: this.id,
      logStreamName: this.logStreamName,
      provisioned: this.provisioned,
    };
    const env = sandboxEnvironment(options, identity, server.address);
    this.runtimeSpecValue = await runtimeSpec(options, env);
    if (this.stateValue !== 'initializing') return;
    this.initTimer = setTimeout(
      () =>
        this.failInit(
          'Sandbox.Timedout',
          `Init did not complete within ${options.initTimeoutMs} ms`,
          'timeout',
        ),
      options.initTimeoutMs,
    );
    this.platformLog(`INIT_START Runtime Version: ${this.runtimeSpecValue.name}`);
    for (const name of externalNames) {
      this.extensions.push(this.spawn(extensionSpec(options, name, env)));
    }
    this.advanceInit();
  }

  /** Moves init on when it can: externals registered → runtime; everyone on next → done. */
  private advanceInit(): void {
    const extensionsApi = this.extensionsApi;
    if (this.stateValue !== 'initializing' || extensionsApi === undefined) return;
    if (this.runtime === undefined) {
      if (extensionsApi.allExternalsRegistered && this.runtimeSpecValue !== undefined) {
        this.runtime = this.spawn(this.runtimeSpecValue);
      }
      return;
    }
    if (!this.runtimeApi.hasCalledNext || !extensionsApi.allIdle) return;
    clearTimeout(this.initTimer);
    this.initDurationValue = performance.now() - this.initStartedAt;
    this.freeze();
    this.stateValue = 'idle';
    this.readyOnce = true;
    void this.memory.refreshMembers().catch(() => {});
    this.finishInit({ ok: true, initDurationMs: this.initDurationValue });
  }

  /** Gives init's result, once. */
  private finishInit(result: InitResult): void {
    const settle = this.settleInit;
    this.settleInit = undefined;
    settle?.(result);
  }

  private failInit(errorType: string, errorMessage: string, status: ReportStatus = 'error'): void {
    if (this.stateValue !== 'initializing') return;
    clearTimeout(this.initTimer);
    const initDurationMs = performance.now() - this.initStartedAt;
    this.initDurationValue = initDurationMs;
    this.platformLog(initReportLine(initDurationMs, status, errorType));
    this.platformLog(`Init error: ${errorType}: ${errorMessage}`);
    this.finishInit({ ok: false, initDurationMs, errorType, errorMessage });
    void this.shutdown('failure');
  }

  /**
   * Runs one invoke on an idle sandbox: thaw, deliver, answer at the runtime's response, end the
   * phase when everyone is back on `next` (or reset the sandbox on a timeout or a crash).
   */
  invoke(request: InvokeRequest, requestId: string, coldStart: boolean): SandboxRun {
    if (this.stateValue !== 'idle') throw new Error(`invoke on a ${this.stateValue} sandbox`);
    const extensionsApi = this.extensionsApi as ExtensionsApi;
    this.stateValue = 'invoking';
    this.thaw();
    let resolveAnswer!: (answer: SandboxAnswer) => void;
    let resolvePhase!: (end: SandboxPhaseEnd) => void;
    const answer = new Promise<SandboxAnswer>((resolve) => {
      resolveAnswer = resolve;
    });
    const phaseEnd = new Promise<SandboxPhaseEnd>((resolve) => {
      resolvePhase = resolve;
    });
    const deadlineMs = Date.now() + this.options.timeoutMs;
    const traceId = request.traceId ?? newTraceId();
    const invokedFunctionArn = functionArn(this.options);
    this.active = {
      requestId,
      coldStart,
      startedAt: performance.now(),
      deadlineTimer: setTimeout(() => this.onDeadline(), this.options.timeoutMs),
      status: 'success',
      resolveAnswer,
      resolvePhase,
    };
    this.platformLog(startLine(requestId));
    this.runtimeApi.deliver({
      requestId,
      event: request.event,
      deadlineMs,
      invokedFunctionArn,
      traceId,
    });
    extensionsApi.broadcastInvoke({
      eventType: 'INVOKE',
      deadlineMs,
      requestId,
      invokedFunctionArn,
      tracing: { type: 'X-Amzn-Trace-Id', value: traceId },
    });
    return { answer, phaseEnd };
  }

  /** The runtime answered: the caller gets it now; the phase may go on (extensions). */
  private answer(
    requestId: string,
    outcome: InvokeOutcome,
    status: ReportStatus,
    errorType?: string,
  ): void {
    const active = this.active;
    if (active === undefined || active.requestId !== requestId || active.outcome !== undefined) {
      return;
    }
    active.outcome = outcome;
    active.answeredAt = performance.now();
    active.status = status;
    if (errorType !== undefined) active.errorType = errorType;
    const figures = this.figures(active, active.answeredAt);
    active.resolveAnswer({ outcome, report: reportLine(figures, { atAnswer: true }) });
  }

  private endPhaseIfDone(): void {
    const active = this.active;
    if (this.stateValue !== 'invoking' || active?.outcome === undefined) return;
    if (!this.runtimeApi.isWaitingForEvent || !this.extensionsApi?.allIdle) return;
    this.endPhase({ reusable: true });
  }

  /**
   * Ends the invoke phase: REPORT, and either freeze (reusable) or leave the reset to the
   * caller. `unanswered` is the outcome to give when the runtime never answered.
   */
  private endPhase(end: {
    reusable: boolean;
    unanswered?: InvokeOutcome;
    status?: ReportStatus;
    errorType?: string;
  }): void {
    const active = this.active;
    if (active === undefined) return;
    this.active = undefined;
    clearTimeout(active.deadlineTimer);
    const endedAt = performance.now();
    if (end.reusable) {
      this.freeze();
      this.stateValue = 'idle';
    }
    if (end.status !== undefined) active.status = end.status;
    if (end.errorType !== undefined) active.errorType = end.errorType;
    const report = makeReport(this.figures(active, endedAt));
    this.platformLog(endLine(active.requestId));
    this.platformLog(report.line);
    if (active.outcome === undefined) {
      active.outcome = end.unanswered ?? { kind: 'crash', detail: 'no answer' };
      active.resolveAnswer({ outcome: active.outcome, report: report.line });
    }
    active.resolvePhase({ report, reusable: end.reusable });
    if (end.reusable) void this.memory.refreshMembersIfStale().catch(() => {});
  }

  private figures(active: ActiveInvoke, until: number): ReportFigures {
    const durationMs = until - active.startedAt;
    const answeredAt = Math.min(active.answeredAt ?? until, until);
    const figures: ReportFigures = {
      requestId: active.requestId,
      durationMs,
      billedDurationMs: billedMs(durationMs),
      runtimeDurationMs: answeredAt - active.startedAt,
      postRuntimeExtensionsDurationMs: until - answeredAt,
      memorySizeMb: this.options.memoryMb,
      maxMemoryUsedMb: this.memory.sampleMb(),
      status: active.status,
    };
    if (active.coldStart && this.initDurationValue !== undefined) {
      figures.initDurationMs = this.initDurationValue;
    }
    if (active.errorType !== undefined) figures.errorType = active.errorType;
    return figures;
  }

  private onDeadline(): void {
    const active = this.active;
    if (active === undefined) return;
    if (active.outcome === undefined) {
      const seconds = (this.options.timeoutMs / 1000).toFixed(2);
      this.platformLog(
        `${new Date().toISOString()} ${active.requestId} Task timed out after ${seconds} seconds`,
      );
    } else {
      const busy = this.extensionsApi?.busy.map((extension) => extension.name) ?? [];
      const waiting = this.runtimeApi.isWaitingForEvent ? busy : ['the runtime', ...busy];
      this.platformLog(
        `RequestId: ${active.requestId} Error: the invoke phase did not end within the function timeout (${this.options.timeoutMs} ms); still working: ${waiting.join(', ')}`,
      );
    }
    this.endPhase({
      reusable: false,
      unanswered: { kind: 'timeout' },
      status: 'timeout',
      errorType: 'Sandbox.Timedout',
    });
    void this.shutdown('timeout');
  }

  private onProcessExit(group: ProcessGroup, exit: ProcessExit): void {
    const errorType = group.role === 'runtime' ? 'Runtime.ExitError' : 'Extension.Crash';
    const detail = `${group.role} ${group.name} ${describeExit(exit)}`;
    // Lambda's own words for it, in the log.
    const said = group.role === 'runtime' ? lambdaRuntimeExitMessage(exit) : detail;
    this.failure(errorType, detail, said);
  }

  private onExtensionExitError(extension: RegisteredExtension, error: ReportedError): void {
    this.failure(
      error.errorType,
      `extension ${extension.name} reported an exit error: ${error.errorType}: ${error.errorMessage}`,
    );
  }

  /** A process died (or an extension said it is about to): the sandbox cannot go on. */
  private failure(errorType: string, detail: string, logged = detail): void {
    switch (this.stateValue) {
      case 'initializing':
        this.failInit(errorType, detail);
        return;
      case 'invoking': {
        const requestId = this.active?.requestId ?? '';
        this.platformLog(`RequestId: ${requestId} Error: ${logged}\n${errorType}`);
        this.endPhase({
          reusable: false,
          unanswered: { kind: 'crash', detail },
          status: 'error',
          errorType,
        });
        void this.shutdown('failure');
        return;
      }
      case 'idle':
        this.platformLog(`Error: ${logged} (while idle)\n${errorType}`);
        void this.shutdown('failure');
        return;
      default:
        return; // created: nothing runs yet; shutting down: exits are expected
    }
  }

  /** Ends the sandbox with Lambda's shutdown rules; resolves once every process is gone. */
  shutdown(reason: ShutdownReason): Promise<void> {
    this.shutdownPromise ??= this.runShutdown(reason);
    return this.shutdownPromise;
  }

  private async runShutdown(reason: ShutdownReason): Promise<void> {
    const previous = this.stateValue;
    this.stateValue = 'shutting-down';
    clearTimeout(this.initTimer);
    if (previous === 'initializing') {
      this.finishInit({
        ok: false,
        initDurationMs: performance.now() - this.initStartedAt,
        errorType: 'Sandbox.Shutdown',
        errorMessage: `The sandbox was shut down (${reason}) during init`,
      });
    }
    this.endPhase({
      reusable: false,
      unanswered: { kind: 'crash', detail: `the sandbox was shut down (${reason})` },
      status: 'error',
      errorType: 'Sandbox.Shutdown',
    });
    // Stopped processes cannot handle SHUTDOWN or SIGTERM (and SIGTERM would stay pending).
    this.thaw();
    const registered = this.extensionsApi?.registered ?? [];
    const graceMs = registered.some((e) => e.external) ? 2000 : registered.length > 0 ? 500 : 0;
    this.extensionsApi?.broadcastShutdown({
      eventType: 'SHUTDOWN',
      shutdownReason: reason,
      deadlineMs: Date.now() + graceMs,
    });
    const groups = this.groups();
    const allExited = Promise.all(groups.map((group) => group.exited));
    if (graceMs > 0) {
      this.runtime?.signal('SIGTERM');
      await settledOrTimedOut(allExited, graceMs);
    }
    for (const group of groups) {
      group.signal('SIGCONT');
      group.signal('SIGKILL');
    }
    await settledOrTimedOut(allExited, reapTimeoutMs);
    this.runtimeApi.abort();
    this.extensionsApi?.abort();
    await this.server?.close();
    this.stateValue = 'gone';
    this.platformLog(`SHUTDOWN Reason: ${reason}`);
    this.hooks.onGone(this);
  }

  /** Last resort when the emulator's own process is exiting: synchronous, no grace. */
  killNow(): void {
    for (const group of this.groups()) {
      group.signal('SIGCONT');
      group.signal('SIGKILL');
    }
  }

  private groups(): ProcessGroup[] {
    return [...this.extensions, ...(this.runtime === undefined ? [] : [this.runtime])];
  }

  private freeze(): void {
    for (const group of this.groups()) group.signal('SIGSTOP');
  }

  private thaw(): void {
    for (const group of this.groups()) group.signal('SIGCONT');
  }

  private spawn(spec: ProcessSpec): ProcessGroup {
    const source = spec.role === 'runtime' ? 'runtime' : `extension:${spec.name}`;
    const group: ProcessGroup = new ProcessGroup(
      spec,
      (stream, message) => this.log({ source, stream, message }),
      (exit) => this.onProcessExit(group, exit),
    );
    return group;
  }

  private platformLog(message: string): void {
    this.log({ source: 'platform', stream: 'platform', message });
  }

  private log(record: {
    source: string;
    stream: 'stdout' | 'stderr' | 'platform';
    message: string;
  }) {
    try {
      this.hooks.onLog({
        sandboxId: this.id,
        logStreamName: this.logStreamName,
        timestamp: Date.now(),
        ...record,
      });
    } catch {
      // A failing log sink must not take the sandbox down.
    }
  }
}

/** How the Lambda service words a runtime's exit in the function's log. */
function lambdaRuntimeExitMessage(exit: ProcessExit): string {
  if (exit.error !== undefined) return `Runtime failed to start: ${exit.error.message}`;
  if (exit.signal !== null) return `Runtime exited with error: signal: ${exit.signal}`;
  if (exit.code === 0) return 'Runtime exited without providing a reason';
  return `Runtime exited with error: exit status ${exit.code}`;
}

/** Waits for the promise, at most timeoutMs; the timer does not outlive the wait. */
async function settledOrTimedOut(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function extensionLine(extension: RegisteredExtension): string {
  const kind = extension.external ? 'External' : 'Internal';
  return `EXTENSION Name: ${extension.name} State: Registered Kind: ${kind} Events: [${[...extension.events].join(', ')}]`;
}

/** An X-Ray trace header as Lambda passes it: Root=1-<epoch hex>-<24 hex>;Parent=…;Sampled=0 */
export function newTraceId(now = Date.now()): string {
  const epoch = Math.floor(now / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}
