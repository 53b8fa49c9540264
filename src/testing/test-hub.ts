// The in-process test hub: an in-memory SQLite task hub whose store and worker read a virtual clock. Timers fire when
// the test advances time (or, with autoAdvance, when nothing else can happen while the test waits), so a 24-hour
// timeout is tested in milliseconds. Idle means the store holds nothing due now: no visible message and no work item
// (a running or finished-but-uncommitted activity keeps its work item until the commit that consumes its result).
// Messages to instances of a version the app does not run are not due: no worker of this hub will ever claim them.
import path from 'node:path';
import { AppDefinition } from '../app/app-definition.js';
import { loadApp } from '../app/loader.js';
import type { DurableClient, DurableOrchestrationStatus } from '../client/types.js';
import { describeVersionWait, versionWait } from '../client/waiting-for.js';
import type { ActivityContext } from '../core/context.js';
import { TaskhubError } from '../core/errors.js';
import { isTerminal } from '../core/history.js';
import { defaultRegistry, type FunctionRegistry } from '../core/registry.js';
import { openTaskHub } from '../hub.js';
import { createLogger, type Logger } from '../log.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { durationMs, type Duration } from './duration.js';
import { TestRegistry, type ActivityMock } from './test-registry.js';
import { VirtualClock } from './virtual-clock.js';

export type { ActivityMock } from './test-registry.js';
export type { Duration } from './duration.js';

export interface TestHubOptions {
  /**
   * The app to test, loaded as `taskhub start` loads it: a folder (package.json `main`, index file, or function.json
   * folders) or an entry file, relative to the current directory. `durable-functions` and `@azure/functions` resolve
   * to Taskhub while it loads, whether or not the real packages are installed; `.ts` files run through tsx with the
   * app's tsconfig.json. Loaded once per process and path; every hub gets its functions. Not with `registry`.
   */
  readonly app?: string;
  /**
   * The app's functions; default: the registry df.app.* fills (an app the test imported itself). The test hub never
   * changes it.
   */
  readonly registry?: FunctionRegistry;
  /** Start the worker at once (default true). */
  readonly start?: boolean;
  /**
   * Skip ahead to the next timer whenever the test waits for completion and nothing else can happen (every instance
   * waits on timers or events, nothing is due now). Default false: time moves only with advance().
   */
  readonly autoAdvance?: boolean;
  /** Virtual time at the start (default: the real time now). */
  readonly startTime?: Date | string | number;
  /** Longest real time (ms) a wait lets the hub work before failing with TIMEOUT (default 5000). */
  readonly settleTimeoutMs?: number;
  /** Logger (default: silent unless TASKHUB_LOG_LEVEL is set). */
  readonly logger?: Logger;
}

export interface TestHub {
  /** The hub's client: start instances, raise events, terminate, query. */
  readonly client: DurableClient;
  /** The app's functions plus this hub's own registrations and test doubles. */
  readonly registry: FunctionRegistry;
  readonly store: SqliteStore;
  /** The virtual time now. */
  now(): Date;
  /** Replace an activity by a test double for this hub only; returns its call log. */
  mockActivity(name: string, fn: (input: unknown, context: ActivityContext) => unknown): ActivityMock;
  /**
   * Let the hub finish what is due, then move virtual time forward by `by` ('30s', '5m', '1h', '1d' or ms), firing
   * each timer due on the way at its own time (a 1-hour monitor advanced by a day runs 24 times), and settle again.
   */
  advance(by: Duration): Promise<void>;
  /** Resolves once nothing is due now: every instance is finished or waits for a timer or an event. */
  waitForIdle(): Promise<void>;
  /**
   * The instance's final status. Fails at once (instead of hanging) when the hub is idle and the instance still
   * runs: it waits for an event or a timer the test has to provide, unless autoAdvance skips to the timer.
   */
  waitForCompletion(instanceId: string): Promise<DurableOrchestrationStatus>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Upper bound on timer skips in one waitForCompletion: an eternal orchestration must fail the test, not hang it. */
const MAX_AUTO_ADVANCES = 10_000;

/** Hubs created and not yet closed: the runner presets close them after each test, so a failed test never hangs. */
const openHubs = new Set<TestHub>();

/** Apps loaded by path: an ES module runs once per process, so a second load would register nothing. */
const loadedApps = new Map<string, Promise<FunctionRegistry>>();

function appRegistry(app: string): Promise<FunctionRegistry> {
  const resolved = path.resolve(app);
  let loading = loadedApps.get(resolved);
  if (!loading) {
    loading = loadApp(resolved, { app: new AppDefinition() }).then((loaded) => loaded.definition.registry);
    loadedApps.set(resolved, loading);
    // A failed load is not remembered: the next test retries (and fails with the same clear error).
    loading.catch(() => loadedApps.delete(resolved));
  }
  return loading;
}

/**
 * Closes every test hub still open, e.g. one a failed test never reached `hub.close()` for; the Vitest, Jest and
 * node:test presets call it after each test. Errors closing one hub do not stop the others; the first is rethrown.
 */
export async function closeTestHubs(): Promise<void> {
  const results = await Promise.allSettled([...openHubs].map((hub) => hub.close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export async function createTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  if (options.app !== undefined && options.registry !== undefined) {
    throw new TaskhubError('INVALID_ARGUMENT', 'Give createTestHub either app or registry, not both.');
  }
  const base = options.app === undefined ? (options.registry ?? defaultRegistry) : await appRegistry(options.app);
  const clock = new VirtualClock(startMs(options.startTime));
  const registry = new TestRegistry(base);
  const store = openSqliteStore({ path: ':memory:', clock });
  const logger = options.logger ?? createLogger({ level: process.env.TASKHUB_LOG_LEVEL ?? 'silent' });
  const hub = await openTaskHub({ store, registry, logger, clock });
  let closing: Promise<void> | undefined;
  const settleTimeoutMs = options.settleTimeoutMs ?? 5000;
  // Activities in flight: work items, and local activities kept in their instance rows (migration 11).
  const working = store.db.prepare<[string, string]>(
    `SELECT EXISTS (SELECT 1 FROM work_items WHERE hub = ?)
       OR EXISTS (SELECT 1 FROM instances WHERE hub = ? AND local_work IS NOT NULL) AS busy`,
  );
  // One row per instance with a message due: its name and version say whether this hub's worker will claim it.
  const due = store.db.prepare<[string, string, number]>(
    `SELECT DISTINCT m.instance_id AS id, i.name AS name, i.version AS version FROM messages m
       LEFT JOIN instances i ON i.hub = ? AND i.instance_id = m.instance_id
       WHERE m.hub = ? AND m.visible_at <= ?`,
  );
  let started = false;

  const isIdle = (): boolean => {
    if ((working.get(store.hubName, store.hubName) as { busy: number }).busy !== 0) return false;
    const rows = due.all(store.hubName, store.hubName, clock.now()) as DueRow[];
    return rows.every((r) => r.name !== null && versionWait(registry, r.name, r.version ?? undefined) !== undefined);
  };

  const waitForIdle = async (): Promise<void> => {
    if (!started) {
      if (isIdle()) return;
      throw new TaskhubError('INVALID_ARGUMENT', 'The test hub was created with start: false; call hub.start() first.');
    }
    const deadline = Date.now() + settleTimeoutMs;
    for (let turn = 0; !isIdle(); turn++) {
      if (Date.now() > deadline) {
        throw new TaskhubError(
          'TIMEOUT',
          `The test hub still had work due after ${settleTimeoutMs} ms of real time: an activity that never ` +
            'settles, or an episode that keeps failing? (raise settleTimeoutMs for slow test doubles)',
        );
      }
      // The first turns yield to the event loop only (the store commits on setImmediate); slow test doubles get
      // millisecond naps instead of a busy loop.
      await new Promise((resolve) => (turn < 200 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  };

  const moveTo = async (ms: number): Promise<void> => {
    clock.set(ms);
    hub.worker?.notify();
    await waitForIdle();
  };

  const nextTimerMs = async (): Promise<number | undefined> => {
    const next = await store.nextVisibleAt();
    return next === undefined ? undefined : Date.parse(next);
  };

  const testHub: TestHub = {
    client: hub.client,
    registry,
    store,
    now: () => new Date(clock.now()),
    mockActivity: (name, fn) => registry.mockActivity(name, fn),
    waitForIdle,
    async advance(by) {
      const target = clock.now() + durationMs(by);
      await waitForIdle();
      for (let next = await nextTimerMs(); next !== undefined && next <= target; next = await nextTimerMs()) {
        await moveTo(next);
      }
      await moveTo(target);
    },
    async waitForCompletion(instanceId) {
      for (let skips = 0; ; skips++) {
        await waitForIdle();
        const status = await hub.client.getStatus(instanceId);
        if (isTerminal(status.runtimeStatus)) return status;
        const unrun = versionWait(registry, status.name, status.version);
        if (unrun) {
          const choice = registry.orchestrationFor(status.name, status.version);
          const why = choice && 'refused' in choice ? ` ${choice.refused}` : '';
          throw new TaskhubError(
            'TIMEOUT',
            `Instance '${instanceId}' is ${status.runtimeStatus} and waits for ${describeVersionWait(unrun)}, which ` +
              `this test hub does not have.${why}`,
          );
        }
        const next = await nextTimerMs();
        if (options.autoAdvance && next !== undefined && skips < MAX_AUTO_ADVANCES) {
          await moveTo(next);
          continue;
        }
        throw new TaskhubError('TIMEOUT', stuckMessage(instanceId, status, next, clock.now(), options.autoAdvance));
      }
    },
    async start() {
      started = true;
      await hub.start();
    },
    close() {
      // Idempotent: the test's own close and the preset's after-each close may both run.
      closing ??= hub.close().finally(() => openHubs.delete(testHub));
      return closing;
    },
  };
  openHubs.add(testHub);
  if (options.start !== false) {
    try {
      await testHub.start();
    } catch (err) {
      await testHub.close();
      throw err;
    }
  }
  return testHub;
}

/** An instance with a message due (name null: no instance row yet, which the worker handles). */
interface DueRow {
  readonly id: string;
  readonly name: string | null;
  readonly version: string | null;
}

function startMs(start: Date | string | number | undefined): number {
  if (start === undefined) return Date.now();
  const ms = start instanceof Date ? start.getTime() : typeof start === 'number' ? start : Date.parse(start);
  if (Number.isNaN(ms)) throw new TaskhubError('INVALID_ARGUMENT', `startTime '${String(start)}' is not a time.`);
  return ms;
}

function stuckMessage(
  instanceId: string,
  status: DurableOrchestrationStatus,
  next: number | undefined,
  now: number,
  autoAdvance: boolean | undefined,
): string {
  const waiting =
    next === undefined
      ? 'no timer is pending, so it waits for an external event: raise it with hub.client.raiseEvent'
      : autoAdvance
        ? `it kept scheduling timers after ${MAX_AUTO_ADVANCES} skips (an eternal orchestration?)`
        : `its next timer is due at ${new Date(next).toISOString()} (in ${next - now} ms of virtual time): ` +
          `call hub.advance(${next - now}) or create the hub with autoAdvance: true, or raise the event it waits for`;
  return `Instance '${instanceId}' is ${status.runtimeStatus} and the test hub is idle: ${waiting}.`;
}
