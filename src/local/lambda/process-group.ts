/**
 * One process of a sandbox, started as the leader of its own process group (`detached: true`),
 * so that a signal sent to the group (-pid) reaches whatever it forked too: freezing the leader
 * alone would leave its children running, and killing it alone would orphan them.
 *
 * The group id is the leader's pid, and it stays valid after the leader exits for as long as any
 * member lives (the kernel does not hand out a pid still in use as a group id). Once a signal
 * finds the group empty (ESRCH), it is marked gone and never signalled again, so a later process
 * that happens to get the same number is never touched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type ProcessRole = 'runtime' | 'extension';
export type OutputStream = 'stdout' | 'stderr';

export interface ProcessSpec {
  role: ProcessRole;
  /** The runtime's or the extension's name, for logs. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES, a bad interpreter). */
  error?: Error;
}

export class ProcessGroup {
  readonly role: ProcessRole;
  readonly name: string;
  /** The leader's pid, which is also the group id; undefined when spawning failed. */
  readonly pid: number | undefined;
  /** Resolves once the leader has exited (members of its group may outlive it). */
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;
  private groupGone = false;
  private readonly child: ChildProcess;

  constructor(
    spec: ProcessSpec,
    onLine: (stream: OutputStream, line: string) => void,
    onExit: (exit: ProcessExit) => void,
  ) {
    this.role = spec.role;
    this.name = spec.name;
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid;
    if (this.pid === undefined) this.groupGone = true;
    for (const [stream, readable] of [
      ['stdout', this.child.stdout],
      ['stderr', this.child.stderr],
    ] as const) {
      if (readable === null) continue;
      createInterface({ input: readable, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
        onLine(stream, line),
      );
    }
    this.exited = new Promise<ProcessExit>((resolve) => {
      const settle = (exit: ProcessExit) => {
        if (this.exit !== undefined) return;
        this.exit = exit;
        resolve(exit);
        onExit(exit);
      };
      this.child.once('exit', (code, signal) => settle({ code, signal }));
      // 'error' without 'exit' means it never ran; after a run it only reports a failed kill().
      this.child.once('error', (error) => {
        if (this.pid === undefined) settle({ code: null, signal: null, error });
      });
    });
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  get exitInfo(): ProcessExit | undefined {
    return this.exit;
  }

  /** Signals every process of the group; false once the group is empty. */
  signal(signal: NodeJS.Signals | 0): boolean {
    if (this.groupGone || this.pid === undefined || this.pid <= 1) return false;
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') this.groupGone = true;
      return false;
    }
  }

  /** Is any process of the group still alive (signal 0 probes without delivering anything)? */
  get groupAlive(): boolean {
    return this.signal(0);
  }
}

/** "exited with code 3", "killed by SIGKILL", "could not start: …" */
export function describeExit(exit: ProcessExit): string {
  if (exit.error !== undefined) return `could not start: ${exit.error.message}`;
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}
