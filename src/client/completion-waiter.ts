// In-process wake-up for waitForCompletion: the local worker calls notifyCompleted when it commits a terminal status,
// so a waiter in the same process resumes at once instead of polling the store, and with the row as committed, so
// it needs no read either.
import type { InstanceRecord } from '../store/store.js';

/** How a wait ended: aborted, or woken (with the committed row when the worker gave it). */
export type WakeReason = false | { readonly record?: InstanceRecord };

export class CompletionWaiter {
  readonly #waiters = new Map<string, Set<(completed: WakeReason) => void>>();

  /**
   * Resolves when notifyCompleted(instanceId) is called (with its record), false when `signal` aborts. Never rejects, so a
   * waiter abandoned in a race leaves no unhandled rejection behind.
   */
  wait(instanceId: string, signal?: AbortSignal): Promise<WakeReason> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<WakeReason>((resolve) => {
      let waiters = this.#waiters.get(instanceId);
      if (!waiters) {
        waiters = new Set();
        this.#waiters.set(instanceId, waiters);
      }
      const settle = (completed: WakeReason): void => {
        signal?.removeEventListener('abort', onAbort);
        this.#remove(instanceId, settle);
        resolve(completed);
      };
      const onAbort = (): void => settle(false);
      waiters.add(settle);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Wakes every waiter of the instance, handing them `record` (the row as just committed) if given. Cheap when nobody
   * waits: the worker may call it for every terminal commit.
   */
  notifyCompleted(instanceId: string, record?: InstanceRecord): void {
    const waiters = this.#waiters.get(instanceId);
    if (!waiters) return;
    const reason = record === undefined ? {} : { record };
    for (const settle of [...waiters]) settle(reason);
  }

  /** How many calls are waiting (on one instance, or on all). */
  waiting(instanceId?: string): number {
    if (instanceId !== undefined) return this.#waiters.get(instanceId)?.size ?? 0;
    let count = 0;
    for (const waiters of this.#waiters.values()) count += waiters.size;
    return count;
  }

  #remove(instanceId: string, settle: (completed: WakeReason) => void): void {
    const waiters = this.#waiters.get(instanceId);
    if (!waiters) return;
    waiters.delete(settle);
    if (waiters.size === 0) this.#waiters.delete(instanceId);
  }
}
