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
import { VersionWaitingNotice } from './worker/version-waiting.js';
import { Worker } from './worker/worker.js';
import { Retention } from './retention/retention.js';

export type { OpenTaskHubOptions, TaskHub, WorkerOptions } from './hub-types.js';

export interface OpenTaskHubInternals {
  /** A logger to use instead of the default one. */
  readonly logger?: Logger;
  /** Time source of the worker (the test hub's virtual clock; its store gets the same one). */
  readonly clock?: Clock;
  /**
   * Called after every client write that a worker must act on (a start, an event, a termination ...), on top of
   * waking this hub's own worker: the host process wakes its language worker process through it.
   */
  readonly onClientWrite?: () => void;
  /** Called when this hub's worker commits the end of an execution (the language worker tells its host). */
  readonly onFinished?: (instanceId: string) => void;
  /** The worker gave up on code that is still running (see WorkerHooks.onRunawayCode). */
  readonly onRunawayCode?: (reason: string) => void;
  /**
   * Wait for an unavailable store (retrying its migrations with backoff) instead of failing at once: the CLI's hosts
   * and workers, which may start before their database does.
   */
  readonly waitForStore?: boolean;
}

/** What openTaskHub returns: the public TaskHub plus what the runtime itself needs from it. */
export interface OpenedTaskHub extends TaskHub {
  readonly worker: Worker | undefined;
  /** Wakes waitForCompletion calls in this process (the host relays its language worker's completions here). */
  readonly completions: CompletionWaiter;
}

export async function openTaskHub(options: OpenTaskHubOptions & OpenTaskHubInternals = {}): Promise<OpenedTaskHub> {
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
  // Instances of a version this app does not run, said once per version: from this process's starts and the worker's
  // looks into the store alike.
  const versionNotice = new VersionWaitingNotice(registry, logger);
  const worker =
    options.worker === false
      ? undefined
      : new Worker(store, registry, logger, options.worker ?? {}, {
          onFinished: (id, record) => {
            waiter.notifyCompleted(id, record);
            options.onFinished?.(id);
          },
          versionNotice,
          ...(options.clock === undefined ? {} : { clock: options.clock }),
          ...(options.onRunawayCode === undefined ? {} : { onRunawayCode: options.onRunawayCode }),
        });
  const client = new TaskHubClient({
    store,
    waitHub: waiter,
    notify: () => {
      worker?.notify();
      options.onClientWrite?.();
    },
    ...(worker ? { localStarter: worker.localStarter } : {}),
    knownOrchestrations: (name) => registry.getOrchestration(name) !== undefined,
    newInstanceVersion: (name) => registry.newInstanceVersion(name),
    onStarted: (name, version, instanceId) => versionNotice.tell(name, version, instanceId, 'Pending'),
  });
  const retention =
    options.worker && options.worker.retention ? new Retention(store, options.worker.retention, logger) : undefined;
  let closed = false;
  return {
    name: store.hubName,
    store,
    registry,
    client,
    worker,
    completions: waiter,
    async start() {
      await worker?.start();
      retention?.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await retention?.stop();
      await worker?.stop();
      await store.close();
    },
  };
}
