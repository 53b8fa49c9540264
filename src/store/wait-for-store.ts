// Startup against a store that is not there yet (a database still starting, a restart in progress): a host or worker
// waits for it, logging once, instead of exiting at once and leaving its supervisor to guess.
import { LogEvents, type Logger } from '../log.js';
import { storeFailureKind } from './store-failure.js';
import { Backoff } from './store-health.js';
import type { Store } from './store.js';

/**
 * Runs the store's migrations, retrying with capped exponential backoff (50 ms doubling to 5 s) for as long as the
 * store is unavailable. Any other failure (wrong credentials, unknown database, a bad schema) is thrown at once.
 */
export async function waitForStore(store: Pick<Store, 'migrate'>, logger: Logger): Promise<void> {
  const backoff = new Backoff();
  let waitingSince: number | undefined;
  for (;;) {
    try {
      await store.migrate();
      if (waitingSince !== undefined) {
        logger.info({ event: LogEvents.storeRecovered, waitedMs: Date.now() - waitingSince }, 'the store is available');
      }
      return;
    } catch (err) {
      if (storeFailureKind(err) === undefined) throw err;
      if (waitingSince === undefined) {
        waitingSince = Date.now();
        logger.warn({ event: LogEvents.storeWaiting, err }, 'waiting for the store (retrying with backoff)');
      }
      const delay = backoff.next();
      // Not unref'd: waiting for the store is all this process has to do now.
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
