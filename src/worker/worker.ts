// The worker: an orchestration dispatcher and an activity dispatcher sharing one store, one group committer and one
// executor cache, with leases renewed in the background. New work in this process wakes the loops directly; polling
// is only the fallback for work written by other processes and for due timers.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../clock.js';
import type { HistoryEvent } from '../core/history.js';
import type { FunctionRegistry } from '../core/registry.js';
import type { WorkerOptions } from '../hub-types.js';
import { LogEvents, type Logger } from '../log.js';
import type { LocalStarter } from '../client/durable-client.js';
import type { InstanceRecord, Store, WorkItem, WorkItemKey } from '../store/store.js';
import { idempotencyKey, quarantined, runActivity, timedOut } from './activity-runner.js';
import { SoloRuns } from './solo-runs.js';

/** How often the orchestration loop looks again while a suspect activity runs alone. */
const SOLO_CLAIM_POLL_MS = 50;
/**
 * How long a stop waits for work in flight before handing it back. Whoever ends this process after a stop (the host
 * of a language worker) must wait longer, or the hand-back never happens and a stop counts as a crash.
 */
export const DRAIN_GRACE_MS = 10_000;
import { TaskhubError } from '../core/errors.js';
import { DEFAULT_HTTP_POLLING_INTERVAL_MS } from '../core/http-task.js';
import { EntityDispatcher } from './entity-dispatcher.js';
import { withBuiltInActivities } from './http-activity.js';
import { ExecutorCache } from './executor-cache.js';
import { GroupCommitter } from './group-committer.js';
import { LoopBackoff } from './loop-backoff.js';
import { OrchestrationDispatcher, type LocalWork } from './orchestration-dispatcher.js';
import { VERSION_SCAN_INTERVAL_MS, VersionWaitingNotice } from './version-waiting.js';
import { StoreCleanup } from './store-cleanup.js';
import { Wakeup } from './wakeup.js';
import { activityRanFor, observeBacklog } from '../telemetry/metrics.js';
import { activityCommitted, activityRan } from '../telemetry/tracing.js';

export interface WorkerHooks {
  /** An execution ended (terminal status, continue-as-new, rewind), with its row as committed (wakes waiters). */
  readonly onFinished?: (instanceId: string, record: InstanceRecord) => void;
  /** Time source for episode timestamps and idle waits (default real time; the test hub's virtual clock). */
  readonly clock?: Clock;
  /**
   * The app's code is still running somewhere this worker gave up on it (an activity past functionTimeout). Only a
   * new process stops it: the language worker drains and exits, and its host starts a fresh one.
   */
  readonly onRunawayCode?: (reason: string) => void;
  /** Says which waiting versions this app does not run (shared with the hub's client, so each is said once). */
  readonly versionNotice?: VersionWaitingNotice;
}

const DEFAULTS = {
  maxConcurrentOrchestrations: 64,
  maxConcurrentActivities: 64,
  leaseMs: 30_000,
  cacheSize: 1000,
  cacheMemoryBytes: 256 * 1024 * 1024,
  groupCommitDelayMs: 0,
  pollIntervalMs: 1000,
  httpPollingIntervalMs: DEFAULT_HTTP_POLLING_INTERVAL_MS,
  maxDeliveryCount: 5,
  functionTimeoutMs: 0,
} satisfies Required<Omit<WorkerOptions, 'retention'>>;

export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #store: Store;
  readonly #activities: Pick<FunctionRegistry, 'getActivity'>;
  readonly #registry: FunctionRegistry;
  readonly #logger: Logger;
  readonly #options: Required<Omit<WorkerOptions, 'retention'>>;
  readonly #hooks: WorkerHooks;
  readonly #clock: Clock;
  readonly committer: GroupCommitter;
  readonly cache: ExecutorCache;
  readonly entities: EntityDispatcher;
  readonly #orchestrations: OrchestrationDispatcher;
  readonly #orchestrationWake = new Wakeup();
  readonly #activityWake = new Wakeup();
  #activitiesRunning = 0;
  /** Activities running now (claimed and local), by idempotency key: what a stop hands back if they outlast it. */
  readonly #inFlight = new Map<string, WorkItemKey>();
  /** Handed back by a stop while still running: their late results are dropped, the store delivers them again. */
  readonly #handedBack = new Set<string>();
  /** The orchestration loop waits for a free slot: the end of an episode must wake it. */
  #orchestrationsSaturated = false;
  /** The activity loop waits for a free slot: the end of an activity must wake it. */
  #activitiesSaturated = false;
  #stopping = false;
  #loops: Promise<void>[] = [];
  #leaseTimer: NodeJS.Timeout | undefined;
  /** The recoverLocalWork sweep in flight (awaited by stop), or undefined. */
  #sweep: Promise<void> | undefined;
  #stopObservingBacklog: () => void = () => {};
  #unsubscribeWork: (() => void) | undefined;
  /** Suspects of ending their worker run alone (see solo-runs.ts). */
  readonly #solo: SoloRuns;
  /** Owns the store calls nobody awaits (abandoning work, releasing locks): retried through outages, never thrown. */
  readonly #cleanup: StoreCleanup;
  readonly #orchestrationErrors: LoopBackoff;
  readonly #activityErrors: LoopBackoff;
  readonly #leaseErrors: LoopBackoff;
  readonly #versionNotice: VersionWaitingNotice;
  #versionScanTimer: NodeJS.Timeout | undefined;
  /** The look into the store in flight, awaited by stop(). */
  #versionScan: Promise<void> = Promise.resolve();

  constructor(
    store: Store,
    registry: FunctionRegistry,
    logger: Logger,
    options: WorkerOptions = {},
    hooks: WorkerHooks = {},
  ) {
    this.#store = store;
    this.#registry = registry;
    // callHttp's requests run as the built-in activity BuiltIn::HttpActivity.
    this.#activities = withBuiltInActivities(registry);
    this.#logger = logger;
    this.#options = { ...DEFAULTS, ...definedOnly(options) };
    if (!Number.isInteger(this.#options.maxDeliveryCount) || this.#options.maxDeliveryCount < 1) {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        `maxDeliveryCount must be a whole number ≥ 1, not ${options.maxDeliveryCount}`,
      );
    }
    this.#hooks = hooks;
    this.#clock = hooks.clock ?? systemClock;
    this.#solo = new SoloRuns(this.#options.maxDeliveryCount, () => this.#clock.now());
    this.#cleanup = new StoreCleanup(store, this.id, logger);
    this.#versionNotice = hooks.versionNotice ?? new VersionWaitingNotice(registry, logger);
    const poll = this.#options.pollIntervalMs;
    this.#orchestrationErrors = new LoopBackoff(
      logger,
      LogEvents.dispatcherError,
      'orchestration dispatcher error',
      poll,
    );
    this.#activityErrors = new LoopBackoff(logger, LogEvents.dispatcherError, 'activity dispatcher error', poll);
    this.#leaseErrors = new LoopBackoff(logger, LogEvents.leaseRenewFailed, 'lease renewal failed', poll);
    this.committer = new GroupCommitter(store, {
      workerId: this.id,
      leaseMs: this.#options.leaseMs,
      delayMs: this.#options.groupCommitDelayMs,
      maxBatch: 1000,
    });
    this.cache = new ExecutorCache(this.#options.cacheSize, this.#options.cacheMemoryBytes);
    this.entities = new EntityDispatcher({
      store,
      registry,
      committer: this.committer,
      logger,
      clock: this.#clock,
      maxDeliveryCount: this.#options.maxDeliveryCount,
      onMessagesSent: () => this.#orchestrationWake.notify(),
    });
    this.#orchestrations = new OrchestrationDispatcher({
      runEntity: (claimed) => this.entities.run(claimed),
      httpPollingIntervalMs: this.#options.httpPollingIntervalMs,
      store,
      cleanup: this.#cleanup,
      registry,
      committer: this.committer,
      cache: this.cache,
      logger,
      workerId: this.id,
      maxDeliveryCount: this.#options.maxDeliveryCount,
      clock: this.#clock,
      reserveLocalActivity: (name) => this.#reserve(name),
      releaseLocalActivity: () => {
        this.#activitiesRunning--;
      },
      runLocal: (work, onDone) => this.#runLocal(work, onDone),
      onFinished: (id, record) => this.#hooks.onFinished?.(id, record),
      onMessagesSent: () => this.#orchestrationWake.notify(),
      onWorkScheduled: () => this.#activityWake.notify(),
      onEpisodeDone: () => {
        if (this.#orchestrationsSaturated) this.#orchestrationWake.notify();
        // A suspect activity waits for every episode in flight to end before it runs alone.
        if (this.#solo.exclusive) this.#activityWake.notify();
      },
    });
  }

  async start(): Promise<void> {
    if (this.#loops.length > 0) return;
    // Only a shortcut (their leases expire anyway): a store that fails here must not keep the worker from starting.
    await this.#recoverDeadLocalWorkers().catch((err: unknown) => this.#leaseErrors.failed(err));
    this.#loops = [this.#orchestrationLoop(), this.#activityLoop()];
    // Another process stored work (PostgreSQL NOTIFY): claim at once instead of at the next poll.
    this.#unsubscribeWork = this.#store.onWork?.(() => {
      this.#orchestrationWake.notify();
      this.#activityWake.notify();
    });
    const renewEvery = Math.max(10, Math.floor(this.#options.leaseMs / 3));
    this.#leaseTimer = setInterval(() => {
      this.#store.renewLocks(this.id, this.#options.leaseMs).then(
        () => this.#leaseErrors.succeeded(),
        (err: unknown) => this.#leaseErrors.failed(err),
      );
      this.#recoverLocalWork();
    }, renewEvery);
    this.#leaseTimer.unref();
    this.#stopObservingBacklog = observeBacklog(this.#store);
    this.#scanVersions();
    this.#versionScanTimer = setInterval(() => this.#scanVersions(), VERSION_SCAN_INTERVAL_MS);
    this.#versionScanTimer.unref();
    this.#logger.debug({ event: LogEvents.workerStarted, workerId: this.id }, 'worker started');
  }

  /**
   * Looks for instances of versions this app does not run (at most one look at a time). A failing store is the health
   * watch's to report; the next look tries again.
   */
  #scanVersions(): void {
    this.#versionScan = this.#versionScan.then(() =>
      this.#versionNotice.scan(this.#store).catch((err: unknown) => {
        this.#logger.debug({ event: LogEvents.dispatcherError, err }, 'looking for waiting versions failed');
      }),
    );
  }

  /**
   * Locks of a worker process on this machine that no longer exists (killed, crashed) are freed at once instead of
   * waiting for their leases: a restarted host resumes its instances immediately. Other machines' locks expire.
   */
  async #recoverDeadLocalWorkers(): Promise<void> {
    const host = hostname();
    for (const holder of await this.#store.lockHolders()) {
      const [holderHost, pidText] = holder.split(':');
      const pid = Number(pidText);
      if (holderHost !== host || !Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
      await this.#store.releaseLocks(holder);
      this.#logger.info({ event: LogEvents.locksRecovered, holder }, 'freed the locks of a dead worker process');
    }
  }

  /**
   * Local work kept in the rows of instances whose owner stopped renewing (killed, hung, cut off) becomes work items
   * here, with the lease renewal: nothing else would run it when no message wakes its instance. One sweep at a time.
   */
  #recoverLocalWork(): void {
    const recover = this.#store.recoverLocalWork?.bind(this.#store);
    if (!recover || this.#sweep) return;
    this.#sweep = recover(this.id)
      .then((instances): void => {
        if (instances === 0) return;
        this.#logger.info(
          { event: LogEvents.locksRecovered, instances },
          `the local activities of ${instances} instance(s) whose lock expired are work items again`,
        );
        this.#activityWake.notify();
      })
      .catch((err: unknown): void => {
        this.#leaseErrors.failed(err);
      })
      .finally(() => {
        this.#sweep = undefined;
      });
  }

  /**
   * Starts by a client in this process: while a slot is free and the orchestration is registered here, the first
   * episode runs at once and commits together with the instance's creation (no claim, no separate create commit).
   */
  readonly localStarter: LocalStarter = {
    start: (instance, replaceableStatuses) => {
      if (this.#stopping || this.#loops.length === 0 || instance.visibleAt !== undefined) return undefined;
      if (this.#orchestrations.running >= this.#options.maxConcurrentOrchestrations) return undefined;
      // A suspect activity is about to run alone, or runs: an episode beside it would spoil the count.
      if (this.#solo.exclusive) return undefined;
      const start = instance.startEvent;
      const version = start.eventType === 'ExecutionStarted' ? start.version : undefined;
      const choice = this.#registry.orchestrationFor(instance.name, version);
      if (!choice || !('registered' in choice)) return undefined;
      return this.#orchestrations.start(instance, replaceableStatuses);
    },
    runs: (instanceId) => this.#orchestrations.isLive(instanceId),
  };

  /** New work for the orchestration dispatcher (a start, an event, a result from another process ...). */
  notify(): void {
    this.#orchestrationWake.notify();
  }

  /** Stop claiming, let in-flight episodes and activities finish (up to `graceMs`), commit, release every lock. */
  async stop(graceMs = DRAIN_GRACE_MS): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#unsubscribeWork?.();
    this.#unsubscribeWork = undefined;
    this.#orchestrationWake.notify();
    this.#activityWake.notify();
    await Promise.all(this.#loops);
    const deadline = Date.now() + graceMs;
    while ((this.#orchestrations.running > 0 || this.#activitiesRunning > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    // A deliberate stop (SIGTERM, Ctrl-C, a recycle Taskhub decided) is no failed delivery: what still runs is handed
    // back as undelivered, so a restart or a deploy never brings a healthy activity closer to quarantine.
    for (const [k, key] of this.#inFlight) {
      this.#handedBack.add(k);
      this.#cleanup.abandonWorkItem(key, { undelivered: true });
    }
    this.#inFlight.clear();
    await this.committer.drain();
    if (this.#leaseTimer) clearInterval(this.#leaseTimer);
    await this.#sweep;
    if (this.#versionScanTimer) clearInterval(this.#versionScanTimer);
    await this.#versionScan;
    this.#stopObservingBacklog();
    await this.#cleanup.stop();
    // Unreachable store: the locks are left to expire, which is what they are for.
    // Local activities kept in instance rows become work items with the release, undelivered as the ones above.
    await this.#store
      .releaseLocks(this.id, { undelivered: true })
      .catch((err: unknown) => this.#leaseErrors.failed(err));
    this.cache.clear();
    this.#logger.debug({ event: LogEvents.workerStopped, workerId: this.id }, 'worker stopped');
  }

  async #orchestrationLoop(): Promise<void> {
    const { maxConcurrentOrchestrations: max, leaseMs } = this.#options;
    while (!this.#stopping) {
      try {
        this.#orchestrationWake.consume();
        if (this.#solo.exclusive) {
          // A suspect activity is about to run alone, or runs: claimed instances would be charged for its crash.
          await this.#orchestrationWake.wait(Math.min(SOLO_CLAIM_POLL_MS, this.#options.pollIntervalMs));
          continue;
        }
        const free = max - this.#orchestrations.running;
        if (free <= 0) {
          this.#orchestrationsSaturated = true;
          await this.#orchestrationWake.wait(this.#options.pollIntervalMs);
          this.#orchestrationsSaturated = false;
          continue;
        }
        const claimed = await this.#store.claimOrchestrations(
          this.id,
          free,
          leaseMs,
          this.#orchestrations.busy(),
          // The versions of each orchestration this worker runs (the registry keeps it computed between changes).
          this.#registry.versionFilter(),
        );
        this.#orchestrationErrors.succeeded();
        for (const c of claimed) this.#orchestrations.dispatch(c);
        if (claimed.length === 0) await this.#orchestrationWake.wait(await this.#idleWait());
      } catch (err) {
        await this.#orchestrationWake.wait(this.#orchestrationErrors.failed(err));
      }
    }
  }

  /** How long to sleep when idle: until the next due timer, at most the poll interval. */
  async #idleWait(): Promise<number> {
    const next = await this.#store.nextVisibleAt();
    const poll = this.#options.pollIntervalMs;
    if (next === undefined) return poll;
    return Math.min(poll, Math.max(0, Date.parse(next) - this.#clock.now()) + 1);
  }

  async #activityLoop(): Promise<void> {
    const { maxConcurrentActivities: max, leaseMs } = this.#options;
    while (!this.#stopping) {
      try {
        this.#activityWake.consume();
        const sharing = this.#solo.dueToShare();
        if (sharing) {
          // Unmarked before anything starts beside it: a crash from now on is not the solo run's alone.
          await this.#store.markDeliveryAlone(this.id, sharing, false);
          this.#solo.shared();
          this.#orchestrationWake.notify();
        }
        const soloWait = this.#solo.waitBeforeClaim(this.#userCodeRunning());
        if (soloWait > 0) {
          this.#activitiesSaturated = true;
          await this.#activityWake.wait(Math.min(soloWait, this.#options.pollIntervalMs));
          this.#activitiesSaturated = false;
          continue;
        }
        const free = max - this.#activitiesRunning;
        if (free <= 0) {
          this.#activitiesSaturated = true;
          await this.#activityWake.wait(this.#options.pollIntervalMs);
          this.#activitiesSaturated = false;
          continue;
        }
        const items = await this.#store.claimWorkItems(this.id, free, leaseMs);
        this.#activityErrors.succeeded();
        const plan = this.#solo.plan(items, this.#userCodeRunning());
        // Quarantined and handed back before anything new starts: should that crash this process, the quarantine is
        // stored and the counts of what was handed back are already down.
        await Promise.all([
          ...plan.quarantine.map((item) => this.#quarantine(item)),
          ...plan.giveBack.map((item) => this.#store.abandonWorkItem(this.id, item, { undelivered: true })),
        ]);
        if (plan.solo) await this.#startSolo(plan.solo);
        for (const item of plan.run) this.#runClaimed(item);
        // Handed back suspects wait for a solo run to end (which wakes this loop): claiming them again at once would spin.
        if (items.length === 0 || plan.giveBack.length > 0) {
          this.#activitiesSaturated = plan.giveBack.length > 0;
          await this.#activityWake.wait(this.#options.pollIntervalMs);
          this.#activitiesSaturated = false;
        }
      } catch (err) {
        await this.#activityWake.wait(this.#activityErrors.failed(err));
      }
    }
  }

  /** Marks the suspect's delivery alone in the store, then runs it; unmarked, it would count toward nothing. */
  async #startSolo(item: WorkItem): Promise<void> {
    try {
      await this.#store.markDeliveryAlone(this.id, item, true);
    } catch (err) {
      this.#solo.soloEnded();
      this.#cleanup.abandonWorkItem(item, { undelivered: true });
      throw err;
    }
    this.#runClaimed(item, () => {
      this.#solo.soloEnded();
      this.#orchestrationWake.notify();
    });
  }

  /** A work item that ended its worker maxDeliveryCount times, the last time alone: its task fails, it is not run. */
  #quarantine(item: WorkItem): Promise<void> {
    const max = this.#options.maxDeliveryCount;
    this.#logger.error(
      {
        event: LogEvents.activityQuarantined,
        name: item.name,
        instanceId: item.instanceId,
        taskId: item.taskScheduledId,
        deliveries: item.deliveryCount,
      },
      `activity '${item.name}' ended its worker ${item.deliveryCount} times: quarantined, its task fails`,
    );
    return this.committer
      .commitCompletion({ workItem: item, event: quarantined(item, max) })
      .then(() => this.#orchestrationWake.notify())
      .catch((err: unknown) => {
        // The work item stays stored and locked until its lease ends; the next claim quarantines it again.
        this.#logger.error({ event: LogEvents.commitFailed, err }, 'quarantined activity not committed');
      });
  }

  /**
   * Episodes and activities in flight: a suspect runs alone only when none are, so that if it ends this process, no
   * other work (an instance claimed but not yet committed) is charged a delivery for it.
   */
  #userCodeRunning(): number {
    return this.#activitiesRunning + this.#orchestrations.running;
  }

  /** Runs an activity, failing its task once functionTimeout passes (the code is left running; see onRunawayCode). */
  #invoke(item: WorkItem): Promise<HistoryEvent> {
    const run = traceRun(item, runActivity(this.#activities, item, this.#logger));
    const timeoutMs = this.#options.functionTimeoutMs;
    if (timeoutMs <= 0) return run;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HistoryEvent>((resolve) => {
      timer = setTimeout(() => {
        this.#logger.error(
          { event: LogEvents.activityTimedOut, name: item.name, instanceId: item.instanceId, timeoutMs },
          `activity '${item.name}' ran past functionTimeout: its task fails`,
        );
        resolve(timedOut(item, timeoutMs));
        this.#hooks.onRunawayCode?.(`activity '${item.name}' of ${item.instanceId} ran past functionTimeout`);
      }, timeoutMs);
    });
    // runActivity never rejects (failures become TaskFailed events), so the losing side of the race is harmless.
    return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
  }

  #reserve(name: string): boolean {
    if (this.#stopping || this.#activitiesRunning >= this.#options.maxConcurrentActivities) return false;
    // A suspect waits for its solo run: new local work goes through the store meanwhile.
    if (this.#solo.exclusive) return false;
    if (!this.#activities.getActivity(name)) return false;
    this.#activitiesRunning++;
    return true;
  }

  /** A work item claimed from the store (recovered, or scheduled when no local slot was free): result goes via a message. */
  #runClaimed(item: WorkItem, onEnd?: () => void): void {
    this.#activitiesRunning++;
    const k = this.#track(item);
    this.#invoke(item)
      .then(async (event) => {
        if (this.#untrack(k)) return;
        await this.committer.commitCompletion({ workItem: item, event });
        // Never rejects: a span that cannot be placed is left out, the completion stays committed.
        void activityCommitted(this.#store, item.executionId, event);
      })
      .then(() => this.#orchestrationWake.notify())
      .catch((err: unknown) => {
        this.#logger.error({ event: LogEvents.commitFailed, err }, 'activity completion not committed');
        this.#cleanup.abandonWorkItem(item);
      })
      .finally(() => {
        this.#activitiesRunning--;
        onEnd?.();
        this.#activityWake.notify();
      });
  }

  #track(key: WorkItemKey): string {
    const k = idempotencyKey(key);
    this.#inFlight.set(k, key);
    return k;
  }

  /** The activity returned; true when a stop already handed it back (its result is dropped). */
  #untrack(k: string): boolean {
    this.#inFlight.delete(k);
    return this.#handedBack.delete(k);
  }

  /** A work item scheduled by an episode on this worker and locked for it in the same commit. */
  #runLocal(work: LocalWork, onDone: (event: HistoryEvent | undefined) => void): void {
    const item: WorkItem = {
      ...work.key,
      name: work.name,
      deliveryCount: 0,
      ...(work.input === undefined ? {} : { input: work.input }),
    };
    let slotHeld = true;
    const freeSlot = (): void => {
      if (!slotHeld) return;
      slotHeld = false;
      this.#activitiesRunning--;
      // Local work never came from the store: the loop needs waking only if it waits for a free slot.
      if (this.#activitiesSaturated) this.#activityWake.notify();
    };
    const k = this.#track(work.key);
    this.#invoke(item)
      .then((event) => {
        if (this.#untrack(k)) {
          freeSlot();
          return;
        }
        // The activity has returned: its slot is free before onDone runs the instance's next episode, which takes it
        // for its next activity. Held a few microtasks longer, a chain with every slot in use lost its local path:
        // W1 (64 in flight, 64 slots) sent one activity in three through the store.
        freeSlot();
        onDone(event);
      })
      .catch((err: unknown) => {
        this.#logger.error({ event: LogEvents.activityFailed, err }, 'local activity crashed');
        if (this.#untrack(k)) return;
        this.#cleanup.abandonWorkItem(work.key);
        onDone(undefined);
      })
      .finally(freeSlot);
  }
}

/** An activity's run, for its duration metric and (once its completion commits) its span. */
async function traceRun(item: WorkItem, run: Promise<HistoryEvent>): Promise<HistoryEvent> {
  const startMs = Date.now();
  const event = await run;
  const endMs = Date.now();
  activityRanFor(item.name, endMs - startMs, event.eventType === 'TaskFailed');
  activityRan(event, {
    name: item.name,
    instanceId: item.instanceId,
    taskScheduledId: item.taskScheduledId,
    attempt: item.deliveryCount + 1,
    startMs,
    endMs,
  });
  return event;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped by its parent) answers the signal but holds nothing any more.
    return !isZombie(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces and parentheses, the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
