/**
 * A server in a child process: started with node, its URL read from the line it prints, stopped
 * with SIGTERM and, if it lingers, SIGKILL. Its output is always drained (a full pipe would
 * block the child) and the tail kept for error messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Cleanup } from './cleanup.js';

export interface ListeningChild {
  name: string;
  pid: number;
  url: string;
  /** The last few KiB of its stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Finds the URL in the output so far; the default reads the listening line. */
  parseUrl: (output: string) => string | undefined;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Sees every chunk of the child's stdout as it arrives (the tail is kept regardless). */
  onStdout?: (chunk: string) => void;
  /** Sent if the bench exits without stopping the child (see Cleanup.watchChild). */
  exitSignal?: NodeJS.Signals;
}

const tailBytes = 16 * 1024;

export async function spawnListening(
  name: string,
  nodeArgs: string[],
  options: SpawnOptions,
  cleanup: Cleanup,
): Promise<ListeningChild> {
  const child = spawn(process.execPath, nodeArgs, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.watchChild(child, options.exitSignal);
  const stop = () => stopChild(child, options.stopTimeoutMs ?? 10_000);
  cleanup.add(`stop ${name}`, stop);

  let output = '';
  let url: string | undefined;
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const onOutput = (chunk: string) => {
    output += chunk;
    if (url === undefined) {
      url = options.parseUrl(output);
      if (url !== undefined) announce(url);
    }
    if (url !== undefined && output.length > 2 * tailBytes) output = output.slice(-tailBytes);
  };
  child.stdout?.setEncoding('utf8').on('data', onOutput);
  if (options.onStdout !== undefined) child.stdout?.on('data', options.onStdout);
  child.stderr?.setEncoding('utf8').on('data', onOutput);

  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${startTimeoutMs} ms:\n${output}`)),
      startTimeoutMs,
    );
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${output}`)),
    );
  });
  failed.catch(() => {}); // It may reject after the race is won (the child exiting later).
  let found: string;
  try {
    found = await Promise.race([announced, failed]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    name,
    pid: child.pid ?? -1,
    url: found,
    output: () => output,
    stop,
  };
}

async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
