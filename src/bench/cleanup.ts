/**
 * Everything the bench starts (child processes, temp folders, clients) is registered here as it
 * starts, and released in reverse order by one idempotent run(): at the end, on error and on
 * SIGINT alike. On process exit, children are also killed and folders removed synchronously:
 * the last resort when the bench dies without reaching run() (an uncaught error, exit()).
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

export class Cleanup {
  private readonly steps: { name: string; release: () => Promise<void> }[] = [];
  private readonly children = new Map<ChildProcess, NodeJS.Signals>();
  private readonly dirs = new Set<string>();
  private running: Promise<string[]> | undefined;
  private readonly onExit = () => {
    for (const [child, signal] of this.children) child.kill(signal);
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  };

  constructor() {
    process.on('exit', this.onExit);
  }

  add(name: string, release: () => Promise<void>): void {
    if (this.running !== undefined) {
      // Started after an interrupt began the cleanup: release it straight away.
      void release().catch(() => {});
      return;
    }
    this.steps.push({ name, release });
  }

  /**
   * A child to kill at exit even if run() never happens; forgotten once it has exited. SIGKILL
   * by default; a child that must release processes of its own (`quickstow local` and its
   * sandboxes, which a SIGKILL would orphan) gets SIGTERM and finishes that on its own.
   */
  watchChild(child: ChildProcess, exitSignal: NodeJS.Signals = 'SIGKILL'): void {
    this.children.set(child, exitSignal);
    child.once('exit', () => this.children.delete(child));
  }

  removeDir(dir: string): void {
    this.dirs.add(dir);
    this.add(`remove ${dir}`, async () => {
      await rm(dir, { recursive: true, force: true });
      this.dirs.delete(dir);
    });
  }

  /** Releases everything, newest first; resolves with the problems it met (never rejects). */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const problems: string[] = [];
      for (const step of this.steps.reverse()) {
        try {
          await step.release();
        } catch (error) {
          problems.push(`${step.name}: ${(error as Error).message}`);
        }
      }
      this.onExit();
      process.removeListener('exit', this.onExit);
      return problems;
    })();
    return this.running;
  }
}
