// The owner of the store calls nobody waits for: handing back a work item or an instance lock after a failed or
// dropped episode. They run in the background; during a store outage they are retried with backoff until the store is
// back (or the worker stops), and any other failure is logged once and left to the lease, which expires by itself.
// None of them can reject into the void.
import { LogEvents, type Logger } from '../log.js';
import { storeFailureKind } from '../store/store-failure.js';
import { Backoff, pause } from '../store/store-health.js';
import type { Store, WorkItemKey } from '../store/store.js';

export class StoreCleanup {
  readonly #store: Pick<Store, 'abandonWorkItem' | 'releaseInstances'>;
  readonly #workerId: string;
  readonly #logger: Logger;
  readonly #running = new Set<Promise<void>>();
  #stopped = false;

  constructor(store: Pick<Store, 'abandonWorkItem' | 'releaseInstances'>, workerId: string, logger: Logger) {
    this.#store = store;
    this.#workerId = workerId;
    this.#logger = logger;
  }

  /**
   * Lets the work item be claimed again: its result was not committed, or (`undelivered`) it never ran, so the claim
   * does not count as a delivery.
   */
  abandonWorkItem(key: WorkItemKey, options?: { readonly undelivered?: boolean }): void {
    this.#run('abandon work item', () => this.#store.abandonWorkItem(this.#workerId, key, options));
  }

  /** Frees instance locks this worker holds but no longer works on. */
  releaseInstances(instanceIds: readonly string[]): void {
    this.#run('release instances', () => this.#store.releaseInstances(this.#workerId, instanceIds));
  }

  /** Stops retrying and waits for calls in flight; whatever is left is freed by lease expiry. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#running);
  }

  #run(what: string, call: () => Promise<void>): void {
    const running = this.#retry(what, call).finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Never rejects: every failure ends here. */
  async #retry(what: string, call: () => Promise<void>): Promise<void> {
    const backoff = new Backoff();
    for (;;) {
      try {
        await call();
        return;
      } catch (err) {
        // Outages are logged once by the store's health watch; anything else is news.
        if (storeFailureKind(err) === undefined) {
          this.#logger.warn(
            { event: LogEvents.storeCleanupFailed, what, err },
            `${what} failed; the lease will expire`,
          );
          return;
        }
        if (this.#stopped) return;
        await pause(backoff.next());
        if (this.#stopped) return;
      }
    }
  }
}
