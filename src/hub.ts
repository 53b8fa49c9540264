// The embedding API: open a task hub in any Node program, register functions, start the worker, use the client.
// Explicit objects, no global runtime: two hubs in one process work side by side.
import type { Clock } from './clock.js';
import { TaskHubClient } from './client/durable-client.js';
import { CompletionWaiter } from './client/completion-waiter.js';
import { defaultRegistry } from './core/registry.js';
import type { OpenTaskHubOptions, TaskHub } from './hub-types.js';
import { createLogger, type Logger } from './log.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import { StoreHealth, watchStore } from './store/store-health.js';
import type { Store } from './store/store.js';
import { waitForStore } from './store/wait-for-store.js';
import { Worker } from './worker/worker.js';

export type { OpenTaskHubOptions, TaskHub, WorkerOptions } from './hub-types.js';

export interface OpenTaskHubInternals {
  /** A logger to use instead of the default one. */
  readonly logger?: Logger;
  /** Time source of the worker (the test hub's virtual clock; its store gets the same one). */
  readonly clock?: Clock;
  /**
   * Wait for an unavailable store (retrying its migrations with backoff) instead of failing at once: the CLI's hosts
   * and workers, which may start before their database does.
   */
  readonly waitForStore?: boolean;
}

export async function openTaskHub(
  options: OpenTaskHubOptions & OpenTaskHubInternals = {},
): Promise<TaskHub & { readonly worker: Worker | undefined }> {
  const opened: Store =
    typeof options.store === 'object'
      ? options.store
      : openSqliteStore({
          path: options.store ?? ':memory:',
          hubName: options.hubName ?? 'TestHubName',
          durability: options.durability ?? 'full',
        });
  const logger = options.logger ?? createLogger();
  if (options.waitForStore) await waitForStore(opened, logger);
  else await opened.migrate();
  // Every caller (worker, client, HTTP host) still handles its own store failures; the watch logs each outage once.
  const store = watchStore(opened, new StoreHealth(logger));
  const registry = options.registry ?? defaultRegistry;
  const waiter = new CompletionWaiter();
  const worker =
    options.worker === false
      ? undefined
      : new Worker(store, registry, logger, options.worker ?? {}, {
          onFinished: (id, record) => waiter.notifyCompleted(id, record),
          ...(options.clock === undefined ? {} : { clock: options.clock }),
        });
  const client = new TaskHubClient({
    store,
    waitHub: waiter,
    notify: () => worker?.notify(),
    ...(worker ? { localStarter: worker.localStarter } : {}),
    knownOrchestrations: (name) => registry.getOrchestration(name) !== undefined,
  });
  let closed = false;
  return {
    name: store.hubName,
    store,
    registry,
    client,
    worker,
    async start() {
      await worker?.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await worker?.stop();
      await store.close();
    },
  };
}
