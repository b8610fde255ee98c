/**
 * Max Memory Used, measured as honestly as /proc allows: the sum, over the sandbox's processes
 * (every member of its process groups, children included), of each process's own peak resident
 * set (VmHWM). Lambda measures the sandbox's cgroup instead; this sum over-states when the
 * processes peaked at different moments, counts shared pages once per process, and forgets a
 * process that already exited. Like Lambda's figure it only grows over the sandbox's life.
 *
 * Finding the members means scanning /proc, which is too slow for the answer's path; so the scan
 * runs in the background (after init, then after an invoke at most every few seconds: a scan
 * reads every process on the machine, and after every invoke it took a third of the emulator's
 * CPU per request in `quickstow bench`) and the sample on the answer's path reads only the VmHWM
 * of the members already known.
 */
import { peakResidentKib, processesInGroups } from './proc.js';

const minRefreshIntervalMs = 5_000;

export class MemoryGauge {
  private members: number[] = [];
  private peakKib = 0;
  private lastRefreshMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly groups: () => ReadonlySet<number>) {}

  /** Looks for the processes in the sandbox's groups again (children come and go). */
  async refreshMembers(): Promise<void> {
    this.lastRefreshMs = Date.now();
    const groups = this.groups();
    const found = await processesInGroups(groups);
    this.members = [...new Set([...groups, ...found.map((stat) => stat.pid)])];
  }

  /** refreshMembers, unless it ran within the last few seconds. */
  async refreshMembersIfStale(): Promise<void> {
    if (Date.now() - this.lastRefreshMs >= minRefreshIntervalMs) await this.refreshMembers();
  }

  /** The peak so far, in MB as Lambda rounds it (up). */
  sampleMb(): number {
    const pids = this.members.length > 0 ? this.members : [...this.groups()];
    let sum = 0;
    for (const pid of pids) sum += peakResidentKib(pid);
    this.peakKib = Math.max(this.peakKib, sum);
    return Math.ceil(this.peakKib / 1024);
  }
}
