/**
 * "The handler is done with invocation X", latched. The INVOKE event can reach an extension
 * before or after the handler returned (LAMBDA.md), so an extension must wait on a latch, never
 * on a one-shot callback that may already have fired.
 */
export class InvocationLatch {
  private readonly done = new Set<string>();
  private readonly waiters = new Map<string, Array<() => void>>();

  markDone(requestId: string): void {
    this.done.add(requestId);
    for (const wake of this.waiters.get(requestId) ?? []) wake();
    this.waiters.delete(requestId);
    // Only the latest few matter: an extension waits for the invocation it was just told of.
    if (this.done.size > 64) this.done.delete(this.done.values().next().value as string);
  }

  /** Resolves once the handler is done with the invocation, or at the deadline (epoch ms). */
  wait(requestId: string, deadlineMs: number): Promise<boolean> {
    if (this.done.has(requestId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs - Date.now()));
      const list = this.waiters.get(requestId) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.waiters.set(requestId, list);
    });
  }
}
