/**
 * What the kernel says about a process, read from /proc (Linux only, like Lambda itself): its
 * scheduler state (to see a freeze: 'T' is stopped), its process group, its peak resident set.
 */

import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcStat {
  pid: number;
  /** R running, S sleeping, D disk wait, T stopped (SIGSTOP), t traced, Z zombie, … */
  state: string;
  processGroup: number;
  command: string;
}

/** Parses /proc/<pid>/stat; the command name sits in parentheses and may hold spaces or ')'. */
export function parseProcStat(pid: number, text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // After ") ": state ppid pgrp …
  const fields = text.slice(close + 2).split(' ');
  const state = fields[0];
  const processGroup = Number(fields[2]);
  if (state === undefined || !Number.isInteger(processGroup)) return undefined;
  return { pid, state, processGroup, command: text.slice(open + 1, close) };
}

export function readProcStatSync(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone, or not ours to read
  }
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(pid, await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function listPids(): Promise<number[]> {
  const names = await readdir('/proc');
  return names.filter((name) => /^\d+$/.test(name)).map(Number);
}

/** Every live process whose process group is one of `groups` (children included). */
export async function processesInGroups(groups: ReadonlySet<number>): Promise<ProcStat[]> {
  if (groups.size === 0) return [];
  const stats = await Promise.all((await listPids()).map(readProcStat));
  return stats.filter(
    (stat): stat is ProcStat =>
      stat !== undefined && groups.has(stat.processGroup) && stat.state !== 'Z',
  );
}

/**
 * VmHWM, the process's own peak resident set since it started, in KiB (0 when unreadable:
 * the process is gone). Synchronous on purpose: a few small files, read on the answer's path.
 */
export function peakResidentKib(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}
