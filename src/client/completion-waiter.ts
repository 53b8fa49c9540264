// In-process wake-up for waitForCompletion: the local worker calls notifyCompleted when it commits a terminal status,
// so a waiter in the same process resumes at once instead of polling the store, and with the row as committed, so
// it needs no read either. A wait is one small object in a registry keyed by instance id, with a timer only while it
// sleeps: no AbortController or event listener per round (they cost ~20 µs a round, a visible share of W1's CPU).
import type { InstanceRecord } from '../store/store.js';

/** How a wait ended: aborted or timed out (false), or woken (with the committed row when the worker gave it). */
export type WakeReason = false | { readonly record?: InstanceRecord };

/** One registered wait: woken by notifyCompleted, or ended by its timer or by cancel. */
export class PendingWake {
  /** Resolves once, never rejects (a wait abandoned in a race leaves no unhandled rejection behind). */
  readonly woken: Promise<WakeReason>;
  #resolve!: (reason: WakeReason) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #done = false;
  readonly #onSettle: (wake: PendingWake) => void;

  constructor(onSettle: (wake: PendingWake) => void) {
    this.#onSettle = onSettle;
    this.woken = new Promise<WakeReason>((resolve) => (this.#resolve = resolve));
  }

  /** Waits at most `ms` more: `woken` resolves false then, unless the instance's end was reported first. */
  sleep(ms: number): Promise<WakeReason> {
    if (!this.#done && this.#timer === undefined) this.#timer = setTimeout(() => this.settle(false), ms);
    return this.woken;
  }

  /** Ends the wait (false) if it is still registered; a no-op after it was woken. */
  cancel(): void {
    this.settle(false);
  }

  /** @internal Resolves `woken` and leaves the registry. */
  settle(reason: WakeReason): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#onSettle(this);
    this.#resolve(reason);
  }
}

export class CompletionWaiter {
  readonly #waiters = new Map<string, Set<PendingWake>>();

  /**
   * Registers a wait for the instance's end. Register before reading the store, so that an end committed while the
   * read is under way still wakes it; then `sleep` (or `cancel` when the read already answers).
   */
  register(instanceId: string): PendingWake {
    let waiters = this.#waiters.get(instanceId);
    if (!waiters) {
      waiters = new Set();
      this.#waiters.set(instanceId, waiters);
    }
    const wake = new PendingWake((w) => this.#remove(instanceId, w));
    waiters.add(wake);
    return wake;
  }

  /**
   * Resolves when notifyCompleted(instanceId) is called (with its record), false when `signal` aborts. Never rejects, so a
   * waiter abandoned in a race leaves no unhandled rejection behind.
   */
  wait(instanceId: string, signal?: AbortSignal): Promise<WakeReason> {
    if (signal?.aborted) return Promise.resolve(false);
    const wake = this.register(instanceId);
    if (signal) {
      const onAbort = (): void => wake.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      // `woken` never rejects: this continuation cannot fail.
      void wake.woken.then(() => signal.removeEventListener('abort', onAbort));
    }
    return wake.woken;
  }

  /**
   * Wakes every waiter of the instance, handing them `record` (the row as just committed) if given. Cheap when nobody
   * waits: the worker may call it for every terminal commit.
   */
  notifyCompleted(instanceId: string, record?: InstanceRecord): void {
    const waiters = this.#waiters.get(instanceId);
    if (!waiters) return;
    const reason = record === undefined ? {} : { record };
    for (const wake of [...waiters]) wake.settle(reason);
  }

  /** How many calls are waiting (on one instance, or on all). */
  waiting(instanceId?: string): number {
    if (instanceId !== undefined) return this.#waiters.get(instanceId)?.size ?? 0;
    let count = 0;
    for (const waiters of this.#waiters.values()) count += waiters.size;
    return count;
  }

  #remove(instanceId: string, wake: PendingWake): void {
    const waiters = this.#waiters.get(instanceId);
    if (!waiters) return;
    waiters.delete(wake);
    if (waiters.size === 0) this.#waiters.delete(instanceId);
  }
}
