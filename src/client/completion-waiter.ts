// In-process wake-up for waitForCompletion: the local worker calls notifyCompleted when it commits a terminal status,
// so a waiter in the same process resumes at once instead of polling the store.

export class CompletionWaiter {
  readonly #waiters = new Map<string, Set<(completed: boolean) => void>>();

  /**
   * Resolves true when notifyCompleted(instanceId) is called, false when `signal` aborts. Never rejects, so a
   * waiter abandoned in a race leaves no unhandled rejection behind.
   */
  wait(instanceId: string, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let waiters = this.#waiters.get(instanceId);
      if (!waiters) {
        waiters = new Set();
        this.#waiters.set(instanceId, waiters);
      }
      const settle = (completed: boolean): void => {
        signal?.removeEventListener('abort', onAbort);
        this.#remove(instanceId, settle);
        resolve(completed);
      };
      const onAbort = (): void => settle(false);
      waiters.add(settle);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Wakes every waiter of the instance. Cheap when nobody waits: the worker may call it for every terminal commit. */
  notifyCompleted(instanceId: string): void {
    const waiters = this.#waiters.get(instanceId);
    if (!waiters) return;
    for (const settle of [...waiters]) settle(true);
  }

  /** How many calls are waiting (on one instance, or on all). */
  waiting(instanceId?: string): number {
    if (instanceId !== undefined) return this.#waiters.get(instanceId)?.size ?? 0;
    let count = 0;
    for (const waiters of this.#waiters.values()) count += waiters.size;
    return count;
  }

  #remove(instanceId: string, settle: (completed: boolean) => void): void {
    const waiters = this.#waiters.get(instanceId);
    if (!waiters) return;
    waiters.delete(settle);
    if (waiters.size === 0) this.#waiters.delete(instanceId);
  }
}
