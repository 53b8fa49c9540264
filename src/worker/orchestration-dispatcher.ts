// The orchestration dispatcher: claims instances with pending messages, runs one episode per instance (a live generator
// from the cache, or a replay from stored history), and hands the result to the group committer. Activities the
// episode schedules may run on this worker at once (local fast path); their results feed the next episode directly,
// so a sequential chain costs one commit per step.
import type { Clock } from '../clock.js';
import { isEntityInstanceId } from '../core/entity-state.js';
import type { EpisodeResult } from '../core/episode.js';
import {
  isTerminal,
  type ExecutionStartedEvent,
  type FailureDetails,
  type HistoryEvent,
  type RuntimeStatus,
  type TraceContext,
} from '../core/history.js';
import { TaskhubError } from '../core/errors.js';
import type { FunctionRegistry } from '../core/registry.js';
import { createOrchestrationExecutor, type AnyOrchestrationExecutor } from '../core/replay.js';
import { LogEvents, logExecuted, logExecuting, type Logger } from '../log.js';
import {
  dropsWorkItems,
  type EpisodeCommit,
  type InstanceRecord,
  type LocalWorkItem,
  type NewInstance,
  type OrchestrationMessage,
  type Store,
  type WorkItemKey,
} from '../store/store.js';
import { failureDetailsOf } from '../core/failure.js';
import { buildEpisodeCommit, failedExecutionMessages } from './episode-commit.js';
import { rewindCommit } from './rewind-commit.js';
import './async-context.js';
import type { ExecutorCache } from './executor-cache.js';
import type { StoreCleanup } from './store-cleanup.js';
import { storeFailureKind } from '../store/store-failure.js';
import type { EpisodeOutcome, GroupCommitter } from './group-committer.js';
import { episodeCommitted, executionCommitted, leaseLost } from '../telemetry/metrics.js';
import { logFields } from '../telemetry/trace-context.js';
import { EpisodeTrace } from '../telemetry/tracing.js';

/** The claim's delivery count, once: episodes that follow in memory were never delivered again. */
function takeDeliveryCount(active: ActiveInstance): number {
  const count = active.deliveryCount ?? 1;
  active.deliveryCount = undefined;
  return count;
}

/** What the dispatcher knows about an instance it is working on or holds locked for in-flight local activities. */
interface ActiveInstance {
  running: boolean;
  /** Results of local activities not yet committed. */
  completions: { event: HistoryEvent; key: WorkItemKey }[];
  /** Local activities still running. */
  outstanding: number;
  /**
   * Local activities whose results no commit has consumed yet (running, or their results waiting): the list the
   * instance row keeps on a store with localWorkInRow, written whole by every commit.
   */
  local: LocalRun[];
  /** The row as this worker last wrote or claimed it: a local episode runs from it without reading the store. */
  instance: InstanceRecord;
  /** An execution ended in the current episode: reported once the episode's slot is free again. */
  ended?: InstanceRecord | undefined;
  /** An end was reported: from then on waiters read the store (the instance may still hold late local work). */
  endReported?: boolean;
  /** Local start: the first episode commits the instance's creation too; its caller waits for that commit. */
  create?: LocalStart | undefined;
  /** The claim's delivery count (owners since the last committed episode); 0 for work that never left memory. */
  deliveryCount?: number;
  /** A local run was lost during an episode: the instance is given up once the episode ends. */
  lost?: boolean;
}

interface LocalStart {
  readonly instance: NewInstance;
  readonly replaceableStatuses: readonly RuntimeStatus[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export interface LocalWork {
  readonly key: WorkItemKey;
  readonly name: string;
  readonly input?: string;
}

/** A local activity of an instance, and whether it is stored as a work item locked for this worker. */
interface LocalRun extends LocalWork {
  readonly stored: boolean;
}

/**
 * Local activities with larger inputs are stored as work items locked for their worker even on a store with
 * localWorkInRow: the row's list is rewritten whole by every commit while they run, which must stay small (a fan-out
 * of 64 activities with 64 KB inputs would write 4 MB per commit).
 */
export const LOCAL_IN_ROW_MAX_INPUT = 1024;

function storedAsWorkItem(inRowStore: boolean, input: string | undefined): boolean {
  return !inRowStore || (input?.length ?? 0) > LOCAL_IN_ROW_MAX_INPUT;
}

export interface OrchestrationDispatcherDeps {
  readonly store: Store;
  /** Owner of the store calls that hand back work and locks in the background. */
  readonly cleanup: StoreCleanup;
  readonly registry: FunctionRegistry;
  readonly committer: GroupCommitter;
  readonly cache: ExecutorCache;
  readonly logger: Logger;
  readonly workerId: string;
  /** Claims by new owners an episode may take without committing before the instance ends Failed (poison). */
  readonly maxDeliveryCount: number;
  /** Time source of episode timestamps (the orchestrator's currentUtcDateTime). */
  readonly clock: Clock;
  /** Reserve a slot to run an activity locally; false when none is free or the activity is not registered here. */
  readonly reserveLocalActivity: (name: string) => boolean;
  /** Hand back a slot reserved by reserveLocalActivity that will not be used. */
  readonly releaseLocalActivity: () => void;
  /**
   * Run reserved local activities once their commit is durable. onDone gets the result, or undefined when the run
   * was lost without one (the runtime failed): then it must run elsewhere. A run a stop handed back never reports.
   */
  readonly runLocal: (work: LocalWork, onDone: (event: HistoryEvent | undefined) => void) => void;
  /**
   * Called after a commit that ended an execution (terminal status, continue-as-new, rewind), with the instance row
   * as committed.
   */
  readonly onFinished: (instanceId: string, record: InstanceRecord) => void;
  /** Called when an episode ends (a slot is free again). */
  readonly onEpisodeDone: () => void;
  /** Called after a commit that stored activity work items no local slot took. */
  readonly onWorkScheduled: () => void;
  /** Called after a commit that sent messages to other instances. */
  readonly onMessagesSent: () => void;
  /** callHttp's default wait between polls (executor option). */
  readonly httpPollingIntervalMs?: number;
  /** Runs a claimed entity (id '@name@key') instead of an orchestration episode. */
  readonly runEntity?: (claimed: {
    instance: InstanceRecord;
    messages: readonly OrchestrationMessage[];
    deliveryCount: number;
  }) => Promise<unknown>;
}

export class OrchestrationDispatcher {
  readonly #deps: OrchestrationDispatcherDeps;
  readonly #active = new Map<string, ActiveInstance>();
  #running = 0;
  /** Instances left out of the last claim: when their episode ends, stored messages may be waiting for them. */
  #lastExcluded = new Set<string>();
  /** (name, version) pairs this worker refused under the Reject strategy: logged once each. */
  readonly #versionsRefused = new Set<string>();

  constructor(deps: OrchestrationDispatcherDeps) {
    this.#deps = deps;
  }

  /** Episodes in progress (including their commits). */
  get running(): number {
    return this.#running;
  }

  /** Instances that must not be claimed now (an episode is in progress). */
  busy(): ReadonlySet<string> {
    const busy = new Set<string>();
    for (const [id, a] of this.#active) if (a.running) busy.add(id);
    this.#lastExcluded = busy;
    return busy;
  }

  /**
   * True while this worker runs the instance and has not reported an end: onFinished will tell when it ends, unless
   * the instance is lost to another worker (then waiters learn it from the store).
   */
  isLive(instanceId: string): boolean {
    const active = this.#active.get(instanceId);
    return active !== undefined && !active.endReported;
  }

  /** True while local activities or episodes are in flight. */
  get idle(): boolean {
    return this.#active.size === 0;
  }

  /**
   * Local start: run the first episode of a new instance now and commit it with the instance's creation. Undefined
   * if this worker has the id in hand already (then the start goes through the store).
   */
  start(instance: NewInstance, replaceableStatuses: readonly RuntimeStatus[]): Promise<void> | undefined {
    const id = instance.instanceId;
    if (this.#active.has(id)) return undefined;
    const start = instance.startEvent;
    // The row the store would hold, version included: waitForCompletion answers from it without reading it back.
    const version = start.eventType === 'ExecutionStarted' ? start.version : undefined;
    return new Promise((resolve, reject) => {
      const record: InstanceRecord = {
        instanceId: id,
        executionId: instance.executionId,
        name: instance.name,
        runtimeStatus: 'Pending',
        ...(instance.input === undefined ? {} : { input: instance.input }),
        ...(instance.parentInstanceId === undefined ? {} : { parentInstanceId: instance.parentInstanceId }),
        createdTime: instance.createdTime ?? new Date(this.#deps.clock.now()).toISOString(),
        lastUpdatedTime: instance.createdTime ?? new Date(this.#deps.clock.now()).toISOString(),
        historyLength: 0,
        ...(version === undefined ? {} : { version }),
      };
      const active: ActiveInstance = {
        running: false,
        completions: [],
        outstanding: 0,
        local: [],
        instance: record,
        create: { instance, replaceableStatuses, resolve, reject },
      };
      this.#active.set(id, active);
      this.#start(id, active, record, []);
    });
  }

  /** Start an episode for a claimed instance. */
  dispatch(claimed: {
    instance: InstanceRecord;
    messages: readonly OrchestrationMessage[];
    deliveryCount?: number;
  }): void {
    const id = claimed.instance.instanceId;
    let active = this.#active.get(id);
    if (active?.running) {
      // Its messages stay stored; they are claimed again when this episode ends.
      this.#lastExcluded.add(id);
      return;
    }
    if (active && active.local.length > 0 && (claimed.deliveryCount ?? 0) > 0 && this.#deps.store.localWorkInRow) {
      // Claimed anew, so this worker lost the lock meanwhile (it expired and was freed, or taken over and given
      // back): the store turned the local work into work items, which run from there. Results of the runs still
      // going here are dropped (their instance is no longer this one).
      this.#active.delete(id);
      active = undefined;
    }
    if (!active) {
      active = { running: false, completions: [], outstanding: 0, local: [], instance: claimed.instance };
      this.#active.set(id, active);
    }
    active.instance = claimed.instance;
    active.deliveryCount = claimed.deliveryCount;
    this.#start(id, active, claimed.instance, claimed.messages);
  }

  #start(
    id: string,
    active: ActiveInstance,
    instance: InstanceRecord | undefined,
    messages: readonly OrchestrationMessage[],
  ): void {
    active.running = true;
    this.#running++;
    const completions = active.completions.splice(0);
    const runEntity = this.#deps.runEntity;
    const work =
      runEntity && instance && isEntityInstanceId(id)
        ? runEntity({ instance, messages, deliveryCount: takeDeliveryCount(active) })
        : this.#episode(id, active, instance, messages, completions);
    work
      .catch((err: unknown) => {
        // A local start the store could not take (its caller gets 503/507) is no episode failure: the outage is logged.
        if (storeFailureKind(err) === undefined) {
          this.#deps.logger.error({ event: LogEvents.episodeFailed, instanceId: id, err }, 'episode failed');
        }
        // A local start that failed before its commit: the row was never written, so its caller gets the error.
        active.create?.reject(err);
        active.create = undefined;
        this.#forget(id, active, completions);
      })
      .finally(() => {
        active.running = false;
        this.#running--;
        // After the slot is free: a waiter that starts the next instance at once finds room for a local start.
        const ended = active.ended;
        active.ended = undefined;
        if (ended) {
          active.endReported = true;
          this.#deps.onFinished(id, ended);
        }
        if (this.#active.get(id) === active) {
          if (active.lost) this.#forget(id, active, active.completions.splice(0));
          else if (active.completions.length > 0) this.#start(id, active, undefined, []);
          else if (active.outstanding === 0) this.#active.delete(id);
        }
        if (this.#lastExcluded.has(id)) this.#deps.onMessagesSent();
        this.#deps.onEpisodeDone();
      });
  }

  async #episode(
    id: string,
    active: ActiveInstance,
    claimedInstance: InstanceRecord | undefined,
    messages: readonly OrchestrationMessage[],
    completions: { event: HistoryEvent; key: WorkItemKey }[],
  ): Promise<void> {
    const { store, cache } = this.#deps;
    // A local episode runs under a lock this worker kept since its last commit, so the row it wrote is still current.
    const instance = claimedInstance ?? active.instance;
    const now = new Date(this.#deps.clock.now()).toISOString();
    const executionId = instance.executionId;
    const consumedMessageIds = messages.map((m) => m.id);
    const events: HistoryEvent[] = [];
    let rewind = false;
    for (const m of messages) {
      if (m.executionId !== undefined && m.executionId !== executionId) continue; // stale: an older execution's
      if (m.event.eventType === 'ExecutionRewound') rewind = true;
      else events.push(m.event);
    }
    for (const c of completions) events.push(c.event);
    // A local start's ExecutionStarted was never stored as a message: the episode takes it from memory.
    if (active.create) events.unshift(active.create.instance.startEvent);
    const completedWorkItems = completions.map((c) => c.key);

    if (rewind && instance.runtimeStatus === 'Failed') {
      return this.#rewind(instance, active, consumedMessageIds, now);
    }
    if (isTerminal(instance.runtimeStatus) || events.length === 0) {
      // Nothing to deliver (late results, events to a finished instance): consume the messages, change nothing else.
      await this.#commit(id, active, completions, this.#noop(instance, consumedMessageIds, completedWorkItems));
      return;
    }

    const deliveries = takeDeliveryCount(active) - 1;
    if (deliveries >= this.#deps.maxDeliveryCount) {
      cache.delete(id);
      const history = instance.historyLength === 0 ? [] : await store.getHistory(id);
      const started = findStarted(history) ?? findStarted(events);
      const name = started?.name ?? instance.name;
      const failure: FailureDetails = {
        errorType: 'PoisonMessageException',
        errorMessage:
          `The orchestration '${name}' ended its worker process ${deliveries} times before an episode could ` +
          'commit (a crash, process.exit, a kill or a recycle each time): quarantined after maxDeliveryCount ' +
          `(${this.#deps.maxDeliveryCount}) deliveries, it is not run again.`,
      };
      this.#deps.logger.error(
        { event: LogEvents.orchestrationQuarantined, instanceId: id, name, deliveries },
        `orchestration '${name}' ended its worker ${deliveries} times: quarantined, it ends Failed`,
      );
      await this.#commit(id, active, completions, {
        ...this.#failed(instance, consumedMessageIds, completedWorkItems, failure, now),
        newMessages: failedExecutionMessages(id, started, history, failure, now),
      });
      return;
    }

    // The episode's own time (a replay from history included), for its `Executed` log line.
    const startedAt = performance.now();
    let cached = cache.take(id, executionId, instance.historyLength);
    let started: ExecutionStartedEvent | undefined;
    if (!cached) {
      // A new instance has no stored history yet: its ExecutionStarted arrives among the messages.
      const history = instance.historyLength === 0 ? [] : await store.getHistory(id);
      started = findStarted(history) ?? findStarted(events);
      const choice = started ? this.#deps.registry.orchestrationFor(started.name, started.version) : undefined;
      if (choice && 'refused' in choice) {
        await this.#refuseVersion(id, active, instance, started, history, choice.refused, {
          consumedMessageIds,
          completions,
          completedWorkItems,
          now,
        });
        return;
      }
      const registered = choice?.registered;
      if (!started || !registered) {
        const name = started?.name ?? instance.name;
        const failure: FailureDetails = {
          errorType: 'TaskhubError',
          errorMessage: `The orchestrator function '${name}' is not registered in this app.`,
        };
        this.#deps.logger.warn(
          { event: LogEvents.orchestrationUnknown, instanceId: id, name },
          'unknown orchestration',
        );
        await this.#commit(id, active, completions, {
          ...this.#failed(instance, consumedMessageIds, completedWorkItems, failure, now),
          newMessages: failedExecutionMessages(id, started, history, failure, now),
        });
        return;
      }
      const executor = createOrchestrationExecutor(registered.handler, {
        instanceId: id,
        name: registered.name,
        ...(instance.parentInstanceId === undefined ? {} : { parentInstanceId: instance.parentInstanceId }),
        logSink: this.#logSink(id, started.parentTraceContext),
        ...(this.#deps.httpPollingIntervalMs === undefined
          ? {}
          : { httpPollingIntervalMs: this.#deps.httpPollingIntervalMs }),
      });
      // An async orchestrator's replay (and episode) returns a promise; a generator's is synchronous, awaited never.
      const replayed = executor.replay(history);
      if (replayed) await replayed;
      cached = { executor, executionId, historyLength: history.length, bytes: estimateBytes(history) };
      cache.put(id, cached);
      startedCache.set(executor, started);
    }
    started = startedCache.get(cached.executor) ?? findStarted(events);
    if (started && !startedCache.has(cached.executor)) startedCache.set(cached.executor, started);

    const traced = EpisodeTrace.begin(store, started, id, performance.timeOrigin + startedAt);
    const logger = this.#deps.logger;
    const invocation = { functionName: started?.name ?? instance.name, id, instanceId: id };
    logExecuting(logger, invocation, () => `${events.length} new event${events.length === 1 ? '' : 's'}`);
    let result: EpisodeResult;
    try {
      const executed = cached.executor.execute(events, now);
      result = executed instanceof Promise ? await executed : executed;
    } catch (err) {
      cache.delete(id);
      const failure = failureDetailsOf(err);
      logExecuted(logger, invocation, performance.now() - startedAt, { err, message: failure.errorMessage });
      const history = instance.historyLength === 0 ? [] : await store.getHistory(id);
      await this.#commit(id, active, completions, {
        ...this.#failed(instance, consumedMessageIds, completedWorkItems, failure, now),
        newMessages: failedExecutionMessages(id, started, history, failure, now),
      });
      return;
    }
    const ranFor = performance.now() - startedAt;
    const childIdsInUse = await this.#childIdsInUse(result);
    const built = buildEpisodeCommit(
      {
        instanceId: id,
        childIdsInUse,
        executionId,
        expectedHistoryLength: instance.historyLength,
        started,
        consumedMessageIds,
        completedWorkItems,
        claimLocally: (name) => (this.#deps.reserveLocalActivity(name) ? this.#deps.workerId : undefined),
        ...(traced ? { traceChild: (name, childId) => traced.subOrchestration(name, childId) } : {}),
        newInstanceVersion: (name) => this.#deps.registry.newInstanceVersion(name),
      },
      result,
      now,
    );
    const releaseSlots = (): void => {
      for (let i = 0; i < built.localWork.length; i++) this.#deps.releaseLocalActivity();
    };
    let ok: boolean;
    try {
      ok = await this.#commit(id, active, completions, built.commit);
    } catch (err) {
      // Reserved local slots were never used: hand them back, or the worker runs short of slots for good.
      releaseSlots();
      throw err;
    }
    if (!ok) {
      releaseSlots();
      return;
    }
    // Logged and traced once committed: a rejected episode runs again and is logged and traced then.
    const { outcome } = result;
    const failure = outcome.status === 'Failed' ? outcome.failureDetails.errorMessage : undefined;
    traced?.committed(result.runtimeStatus, events, timersOf(result), failure);
    episodeCommitted(invocation.functionName, performance.now() - startedAt);
    if (outcome.status === 'Failed') {
      logExecuted(logger, invocation, ranFor, { message: outcome.failureDetails.errorMessage }, 'Status=Failed');
    } else {
      logExecuted(logger, invocation, ranFor, undefined, built.finished ? `Status=${outcome.status}` : undefined);
    }
    const length = instance.historyLength + result.newHistory.length;
    if (built.finished || built.commit.replaceHistory) {
      cache.delete(id);
    } else {
      cache.grow(id, length, estimateBytes(result.newHistory));
    }
    for (const work of built.localWork) {
      const key = { instanceId: id, executionId, taskScheduledId: work.taskScheduledId };
      active.outstanding++;
      this.#deps.runLocal(
        { key, name: work.name, ...(work.input === undefined ? {} : { input: work.input }) },
        (event) => this.#localDone(id, active, key, event),
      );
    }
    if (built.commit.newMessages.length > 0 || built.commit.newInstances.length > 0) this.#deps.onMessagesSent();
  }

  /**
   * An instance whose version this app does not run (the claim's version filter keeps such instances away, so this
   * is a start handed to this worker directly, or a Fail strategy). versionFailureStrategy `Fail` ends it Failed;
   * `Reject` leaves it as it is, its messages stored, for a worker that runs its version, and says so once.
   */
  async #refuseVersion(
    id: string,
    active: ActiveInstance,
    instance: InstanceRecord,
    started: ExecutionStartedEvent | undefined,
    history: readonly HistoryEvent[],
    reason: string,
    episode: {
      consumedMessageIds: readonly number[];
      completions: { event: HistoryEvent; key: WorkItemKey }[];
      completedWorkItems: readonly WorkItemKey[];
      now: string;
    },
  ): Promise<void> {
    const { registry, logger } = this.#deps;
    const name = started?.name ?? instance.name;
    const version = started?.version;
    if (registry.versioning.versionFailureStrategy === 'Fail') {
      const failure: FailureDetails = { errorType: 'VersionMismatch', errorMessage: reason };
      logger.warn({ event: LogEvents.orchestrationVersionFailed, instanceId: id, name, version }, reason);
      await this.#commit(id, active, episode.completions, {
        ...this.#failed(instance, episode.consumedMessageIds, episode.completedWorkItems, failure, episode.now),
        newMessages: failedExecutionMessages(id, started, history, failure, episode.now),
      });
      return;
    }
    const key = `${name.toLowerCase()}\u0000${version ?? ''}`;
    if (!this.#versionsRefused.has(key)) {
      this.#versionsRefused.add(key);
      logger.warn(
        { event: LogEvents.orchestrationVersionRejected, instanceId: id, name, version },
        `${reason} Instances of that version wait (versionFailureStrategy Reject) for a worker that runs it.`,
      );
    }
    active.create?.reject(new TaskhubError('INVALID_ARGUMENT', reason));
    active.create = undefined;
    this.#forget(id, active, episode.completions);
  }

  /**
   * The sub-orchestrations the episode starts whose ids name an instance that is not finished (the store would leave
   * it alone and the parent would wait forever). Checked before the commit: a start racing this one between the check
   * and the commit is still left alone by the store.
   */
  async #childIdsInUse(result: EpisodeResult): Promise<ReadonlySet<string> | undefined> {
    let inUse: Set<string> | undefined;
    for (const action of result.actions) {
      if (action.kind !== 'CreateSubOrchestration') continue;
      const existing = await this.#deps.store.getInstance(action.instanceId);
      if (existing && !isTerminal(existing.runtimeStatus)) {
        this.#deps.logger.warn(
          { event: LogEvents.subOrchestrationIdInUse, instanceId: action.instanceId, name: action.name },
          'sub-orchestration instance id already in use: the parent gets a failure',
        );
        (inUse ??= new Set()).add(action.instanceId);
      }
    }
    return inUse;
  }

  /** Whether a local activity of the instance is stored as a work item locked for this worker (not in the row). */
  #stored(active: ActiveInstance, key: WorkItemKey): boolean {
    if (!this.#deps.store.localWorkInRow) return true;
    const run = active.local.find(
      (w) => w.key.taskScheduledId === key.taskScheduledId && w.key.executionId === key.executionId,
    );
    return run?.stored ?? false;
  }

  #localDone(id: string, active: ActiveInstance, key: WorkItemKey, event: HistoryEvent | undefined): void {
    active.outstanding--;
    const inRow = !this.#stored(active, key);
    if (this.#active.get(id) !== active) {
      // The instance was dropped (commit rejected, lock lost); let the stored work item be delivered again. Kept in
      // the row instead, the release or takeover that dropped it made it a work item already.
      if (!inRow && event !== undefined) this.#deps.cleanup.abandonWorkItem(key);
      return;
    }
    if (event === undefined) {
      // A lost run (its work item was abandoned already where it is stored): in the row, it would wait there while
      // this worker holds the lock, so the instance is given up and its local work becomes work items.
      if (inRow && !active.running) this.#forget(id, active, active.completions.splice(0));
      else if (inRow) active.lost = true;
      return;
    }
    active.completions.push({ event, key });
    if (!active.running) this.#start(id, active, undefined, []);
  }

  /**
   * Commit an episode. The lock is kept while local activities of the instance are in flight or their results wait,
   * since the episodes that consume them run without a new claim. A rejected commit (lock lost, history moved) drops
   * the instance's in-memory state and hands its uncommitted local results back to the store.
   */
  async #commit(
    id: string,
    active: ActiveInstance,
    completions: readonly { key: WorkItemKey }[],
    commit: EpisodeCommit,
  ): Promise<boolean> {
    const keepLock = commit.keepLock || active.outstanding > 0 || active.completions.length > 0;
    const unclaimedWork = commit.newWorkItems.some((w) => w.lockedBy === undefined);
    const create = active.create;
    active.create = undefined;
    const local = this.#deps.store.localWorkInRow ? localAfter(active, commit) : undefined;
    const stored = local ? new Set(active.local.filter((w) => w.stored).map((w) => runKey(w.key))) : undefined;
    let outcome: EpisodeOutcome;
    try {
      outcome = await this.#deps.committer.commitEpisodeOutcome({
        ...commit,
        ...(local && stored ? inRow(commit, local, stored, keepLock) : {}),
        keepLock,
        ...(create ? { create: { instance: create.instance, replaceableStatuses: create.replaceableStatuses } } : {}),
      });
    } catch (err) {
      create?.reject(err);
      throw err;
    }
    const { accepted: ok, updatedTime } = outcome;
    if (create && outcome.exists) {
      // Somebody else's instance: drop what ran here and leave its row and lock alone.
      this.#deps.cache.delete(id);
      this.#active.delete(id);
      create.reject(instanceExists(id));
      return false;
    }
    if (create) {
      if (ok) create.resolve();
      else create.reject(new Error(`The start of instance '${id}' was rejected by the store.`));
    }
    if (!ok) {
      leaseLost();
      this.#deps.logger.debug({ event: LogEvents.episodeRejected, instanceId: id }, 'episode rejected');
      this.#forget(id, active, completions);
      return false;
    }
    if (local) active.local = keepLock ? local : [];
    // The row as the store now holds it (the same rules as the stores' instance update).
    const terminal = isTerminal(commit.runtimeStatus);
    countExecution(active.instance, commit);
    const { output: _output, failureDetails: _failure, ...kept } = active.instance;
    active.instance = {
      ...kept,
      executionId: commit.newExecutionId ?? commit.executionId,
      runtimeStatus: commit.runtimeStatus,
      historyLength: (commit.replaceHistory ? 0 : commit.expectedHistoryLength) + commit.append.length,
      ...(commit.input === undefined ? {} : { input: commit.input }),
      ...(terminal && commit.output !== undefined ? { output: commit.output } : {}),
      ...(terminal && commit.failureDetails ? { failureDetails: commit.failureDetails } : {}),
      ...(commit.customStatus === undefined ? {} : { customStatus: commit.customStatus }),
      ...(updatedTime === undefined ? {} : { lastUpdatedTime: updatedTime }),
    };
    if (unclaimedWork) this.#deps.onWorkScheduled();
    if (terminal || commit.replaceHistory) active.ended = active.instance;
    return true;
  }

  /** Drop an instance's in-memory state; its uncommitted local results are abandoned so they run again. */
  #forget(id: string, active: ActiveInstance, completions: readonly { key: WorkItemKey }[]): void {
    this.#deps.cache.delete(id);
    this.#active.delete(id);
    // Kept in the instance row, local work becomes work items with the release (or did with a takeover).
    for (const c of completions) if (this.#stored(active, c.key)) this.#deps.cleanup.abandonWorkItem(c.key);
    this.#deps.cleanup.releaseInstances([id]);
  }

  #noop(instance: InstanceRecord, consumed: readonly number[], completed: readonly WorkItemKey[]): EpisodeCommit {
    return {
      instanceId: instance.instanceId,
      executionId: instance.executionId,
      expectedHistoryLength: instance.historyLength,
      append: [],
      runtimeStatus: instance.runtimeStatus,
      // A finished instance keeps its output and failure when late messages (a losing activity of Task.any) arrive.
      ...(instance.output === undefined ? {} : { output: instance.output }),
      ...(instance.failureDetails === undefined ? {} : { failureDetails: instance.failureDetails }),
      consumedMessageIds: consumed,
      completedWorkItems: completed,
      newWorkItems: [],
      newMessages: [],
      newInstances: [],
      keepLock: false,
    };
  }

  #failed(
    instance: InstanceRecord,
    consumed: readonly number[],
    completed: readonly WorkItemKey[],
    failureDetails: FailureDetails,
    now: string,
  ): EpisodeCommit {
    return {
      ...this.#noop(instance, consumed, completed),
      append: [
        { eventType: 'OrchestratorStarted', eventId: -1, timestamp: now },
        { eventType: 'ExecutionCompleted', eventId: -1, timestamp: now, orchestrationStatus: 'Failed', failureDetails },
        { eventType: 'OrchestratorCompleted', eventId: -1, timestamp: now },
      ],
      runtimeStatus: 'Failed',
      failureDetails,
      deletePendingMessages: true,
    };
  }

  /**
   * Rewind a failed instance: forget its failures and run the failed activities, sub-orchestrations and timers
   * again, or replay the code when the code itself failed (rewindCommit).
   */
  async #rewind(
    instance: InstanceRecord,
    active: ActiveInstance,
    consumed: readonly number[],
    now: string,
  ): Promise<void> {
    const id = instance.instanceId;
    const history = await this.#deps.store.getHistory(id);
    this.#deps.cache.delete(id);
    const versionFor = (name: string): string | undefined => this.#deps.registry.newInstanceVersion(name);
    const commit = await rewindCommit(this.#deps.store, instance, history, consumed, now, versionFor);
    if (await this.#commit(id, active, [], commit)) {
      this.#deps.onMessagesSent();
    }
  }

  #logSink(instanceId: string, traceContext: TraceContext | undefined) {
    const logger = this.#deps.logger;
    // The instance's trace and span ids, so its orchestrator's lines sit beside its spans.
    const fields = { event: LogEvents.orchestratorLog, instanceId, ...logFields(traceContext) };
    return (level: string, message: string): void => {
      const method = (['trace', 'debug', 'info', 'warn', 'error'] as const).find((l) => l === level) ?? 'info';
      logger[method](fields, message);
    };
  }
}

/**
 * The instance's local activities once `commit` is applied: those it has not consumed (all dropped with a new
 * execution or a termination), and those it starts.
 */
function localAfter(active: ActiveInstance, commit: EpisodeCommit): LocalRun[] {
  const consumed = new Set(commit.completedWorkItems.map(runKey));
  const kept = dropsWorkItems(commit) ? [] : active.local.filter((w) => !consumed.has(runKey(w.key)));
  for (const w of commit.newWorkItems) {
    if (w.lockedBy === undefined) continue;
    const key = { instanceId: commit.instanceId, executionId: commit.executionId, taskScheduledId: w.taskScheduledId };
    const stored = storedAsWorkItem(true, w.input);
    kept.push({ key, name: w.name, ...(w.input === undefined ? {} : { input: w.input }), stored });
  }
  return kept;
}

function runKey(key: WorkItemKey): string {
  return `${key.executionId}\u0000${key.taskScheduledId}`;
}

/**
 * The commit for a store that keeps local work in the instance row: no work item is written for it. Should a commit
 * release the lock with local work left (nothing does: the lock is kept while any is), that work is stored as
 * unclaimed work items instead, never lost.
 */
function inRow(
  commit: EpisodeCommit,
  after: readonly LocalRun[],
  storedBefore: ReadonlySet<string>,
  keepLock: boolean,
): Partial<EpisodeCommit> {
  const execution = commit.newExecutionId ?? commit.executionId;
  // Queued work items, and local ones with large inputs, which are stored as work items locked for this worker.
  const queued = commit.newWorkItems.filter((w) => w.lockedBy === undefined || storedAsWorkItem(true, w.input));
  const completedWorkItems = commit.completedWorkItems.filter((k) => storedBefore.has(runKey(k)));
  const local = after.filter((w) => !w.stored);
  if (!keepLock) {
    const left = local.filter((w) => w.key.executionId === execution);
    const items = left.map((w) => ({
      taskScheduledId: w.key.taskScheduledId,
      name: w.name,
      ...(w.input === undefined ? {} : { input: w.input }),
    }));
    return { newWorkItems: [...queued, ...items], completedWorkItems, localWork: [] };
  }
  const localWork = local.map((w): LocalWorkItem => ({
    taskScheduledId: w.key.taskScheduledId,
    name: w.name,
    ...(w.input === undefined ? {} : { input: w.input }),
    ...(w.key.executionId === execution ? {} : { executionId: w.key.executionId }),
  }));
  return { newWorkItems: queued, completedWorkItems, localWork };
}

/** The ExecutionStarted event of each live executor, kept beside it (the parent link is needed when it finishes). */
const startedCache = new WeakMap<AnyOrchestrationExecutor, ExecutionStartedEvent>();

/** Timers an episode set (their spans start then). */
function timersOf(result: EpisodeResult): { timerId: number }[] {
  const timers: { timerId: number }[] = [];
  for (const a of result.actions) if (a.kind === 'CreateTimer') timers.push({ timerId: a.sequenceId });
  return timers;
}

/** Metrics of an accepted commit: an execution started (its ExecutionStarted appended), completed or failed. */
function countExecution(before: InstanceRecord, commit: EpisodeCommit): void {
  let started: ExecutionStartedEvent | undefined;
  for (const e of commit.append) if (e.eventType === 'ExecutionStarted') started = e;
  const ended =
    !isTerminal(before.runtimeStatus) && (commit.runtimeStatus === 'Completed' || commit.runtimeStatus === 'Failed')
      ? commit.runtimeStatus
      : undefined;
  if (started || ended) executionCommitted(started?.name ?? before.name, started !== undefined, ended);
}

function findStarted(events: readonly HistoryEvent[]): ExecutionStartedEvent | undefined {
  for (const e of events) if (e.eventType === 'ExecutionStarted') return e;
  return undefined;
}

function estimateBytes(events: readonly HistoryEvent[]): number {
  let bytes = 0;
  for (const e of events) {
    bytes += 120;
    if ('input' in e && e.input) bytes += e.input.length * 2;
    if ('result' in e && e.result) bytes += e.result.length * 2;
  }
  return bytes;
}

/** The error a start meets when its id is taken (the stores' own wording). */
function instanceExists(instanceId: string): TaskhubError {
  return new TaskhubError(
    'INSTANCE_EXISTS',
    `An instance with ID '${instanceId}' already exists and is not finished. ` +
      'Use another instance id, or wait until it finishes (or terminate it) before reusing this one.',
  );
}
