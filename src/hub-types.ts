// The embedding API's contract: open a task hub in any Node program, register functions, run the worker, use a client.
import type { DurableClient } from './client/types.js';
import type { FunctionRegistry } from './core/registry.js';
import type { RetentionPolicy } from './retention/policy.js';
import type { Store } from './store/store.js';

export interface WorkerOptions {
  /** Episodes run at once (default 64). */
  readonly maxConcurrentOrchestrations?: number;
  /** Activities run at once (default 64). */
  readonly maxConcurrentActivities?: number;
  /** Lock lease in ms (default 30000): how long until another worker may take over from a dead one. */
  readonly leaseMs?: number;
  /** Live generators kept in memory (default 1000; each costs roughly 10 KB plus its history). */
  readonly cacheSize?: number;
  /** Bound on the estimated memory of cached histories in bytes (default 256 MiB). */
  readonly cacheMemoryBytes?: number;
  /** Longest delay a commit waits to share its transaction with others (default 2 ms). */
  readonly groupCommitDelayMs?: number;
  /** Fallback polling interval when idle, for work from other processes (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /**
   * Deliveries of one activity work item (or claims of one orchestration) that may end without completing before it
   * is quarantined (default 5): the activity then fails its task with a message saying so, the orchestration ends
   * Failed. A delivery ends without completing when its worker process dies (a crash, process.exit, SIGKILL).
   */
  readonly maxDeliveryCount?: number;
  /**
   * host.json `functionTimeout` for activities, in ms (default none): a longer run fails its task with a timeout
   * error and frees its slot; the code itself cannot be stopped, so the worker reports it (see OpenTaskHubOptions).
   */
  readonly functionTimeoutMs?: number;
  /** callHttp: wait between polls of a 202 answer without Retry-After (default 30000 ms, as Durable Functions). */
  readonly httpPollingIntervalMs?: number;
  /**
   * Purge finished instances in the background once older than an age per status, and clean entity storage (host.json
   * `extensions.durableTask.retention`, `--retention`); one worker of the hub runs each pass. Default: none.
   */
  readonly retention?: RetentionPolicy;
}

export interface OpenTaskHubOptions {
  /** A Store, or a SQLite file path (default ':memory:'). */
  readonly store?: Store | string;
  /** Task hub name (default 'TestHubName', as local Durable Functions). Ignored when `store` is a Store. */
  readonly hubName?: string;
  /** SQLite durability when `store` is a path: 'full' (default) or 'normal'. */
  readonly durability?: 'full' | 'normal';
  /** Functions to run; default: the registry that `df.app.*` fills. */
  readonly registry?: FunctionRegistry;
  /** Worker settings, or false for a client-only hub (no dispatchers). */
  readonly worker?: WorkerOptions | false;
}

export interface TaskHub {
  readonly name: string;
  readonly store: Store;
  readonly registry: FunctionRegistry;
  readonly client: DurableClient;
  /** Start the dispatchers (no-op for a client-only hub or when already started). */
  start(): Promise<void>;
  /** Drain in-flight work (or release it), stop the dispatchers and close the store. */
  close(): Promise<void>;
}
