// Hands a task hub's work to SDK workers connected over GetWorkItems streams, and commits what they send back. The
// cycle is Taskhub's own: claim (a lease, renewed while the work is out) → work item on a stream → completion →
// one commit through the group committer (history, status, work items, timers, messages), or abandon (the lock is
// released and the work is delivered again). A completion token names one delivery: a completion for a delivery
// that was abandoned, or whose stream closed, is refused, so an episode commits at most once.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { EpisodeResult } from '../core/episode.js';
import { isEntityInstanceId } from '../core/entity-state.js';
import { isTerminal, type FailureDetails, type HistoryEvent } from '../core/history.js';
import { LogEvents, type Logger } from '../log.js';
import { storeFailureKind } from '../store/store-failure.js';
import { Backoff, pause } from '../store/store-health.js';
import type { ClaimedOrchestration, EpisodeCommit, InstanceRecord, Store, WorkItem } from '../store/store.js';
import { quarantined } from '../worker/activity-runner.js';
import { GroupCommitter } from '../worker/group-committer.js';
import { StoreCleanup } from '../worker/store-cleanup.js';
import { Wakeup } from '../worker/wakeup.js';
import { fromPbFailure, optional, str, toPbEvent, unwrap } from './convert.js';
import type * as pb from './proto-types.js';
import { entityPbEvent, entityRequestIds } from './entity-events.js';
import { applyEntityBatch, planEntityBatch, type EntityPlan } from './remote-entity.js';
import { rewindCommit } from '../worker/rewind-commit.js';
import {
  failureCommit,
  findStarted,
  keyOf,
  noop,
  resultCommit,
  taskFailed,
  type EpisodeState,
} from './remote-commits.js';
import { remoteEpisodeResult, terminatedResult, UnsupportedActionError } from './remote-episode.js';

export interface RemoteWorkOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** Lock lease in ms while a work item is out on a stream (renewed every third of it). Default 30000. */
  readonly leaseMs?: number;
  /** Polling interval when idle, for work stored by other processes. Default 500 ms. */
  readonly pollMs?: number;
  /** Deliveries that may end without completing before the work is quarantined (default 5). */
  readonly maxDeliveryCount?: number;
  /** Called after a commit that ended an execution. */
  readonly onFinished?: (instanceId: string) => void;
}

/** One connected GetWorkItems stream. */
export interface WorkStream {
  write(item: pb.WorkItem): void;
  /** Ends the stream (the server is stopping); the SDK worker reconnects elsewhere or later. */
  end(): void;
  readonly maxOrchestrations: number;
  readonly maxActivities: number;
  readonly maxEntities: number;
}

/** A refusal the gRPC layer turns into a status code. */
export class WorkItemError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT',
    message: string,
  ) {
    super(message);
  }
}

interface StreamState {
  readonly stream: WorkStream;
  orchestrations: number;
  activities: number;
  entities: number;
}

interface PendingOrchestration extends EpisodeState {
  readonly kind: 'orchestration';
  readonly state: StreamState;
}

interface PendingActivity {
  readonly kind: 'activity';
  readonly state: StreamState;
  readonly item: WorkItem;
}

interface PendingEntity {
  readonly kind: 'entity';
  readonly state: StreamState;
  readonly instance: InstanceRecord;
  readonly plan: EntityPlan;
  readonly consumed: readonly number[];
}

type Pending = PendingOrchestration | PendingActivity | PendingEntity;

const ROOM = { orchestration: 'maxOrchestrations', activity: 'maxActivities', entity: 'maxEntities' } as const;
const COUNT = { orchestration: 'orchestrations', activity: 'activities', entity: 'entities' } as const;

const CLAIM_BATCH = 32;

export class RemoteWorkDispatcher {
  readonly workerId = `grpc:${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #maxDeliveryCount: number;
  readonly #onFinished: ((instanceId: string) => void) | undefined;
  readonly #committer: GroupCommitter;
  readonly #cleanup: StoreCleanup;
  readonly #wake = new Wakeup();
  readonly #streams = new Set<StreamState>();
  readonly #pending = new Map<string, Pending>();
  /** Instances out on a stream or being committed: never claimed twice. */
  readonly #busy = new Set<string>();
  #loop: Promise<void> | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(options: RemoteWorkOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 500;
    this.#maxDeliveryCount = options.maxDeliveryCount ?? 5;
    this.#onFinished = options.onFinished;
    this.#committer = new GroupCommitter(this.#store, {
      workerId: this.workerId,
      leaseMs: this.#leaseMs,
      delayMs: 2,
      maxBatch: 100,
    });
    this.#cleanup = new StoreCleanup(this.#store, this.workerId, this.#logger);
  }

  /** Work items out on streams now. */
  get outstanding(): number {
    return this.#pending.size;
  }

  /** New work may be claimable (a client write in this process). */
  notify(): void {
    this.#wake.notify();
  }

  /** Serve work to a stream until the returned function is called (the stream ended): its open work is abandoned. */
  addStream(stream: WorkStream): () => void {
    const state: StreamState = { stream, orchestrations: 0, activities: 0, entities: 0 };
    this.#streams.add(state);
    this.#ensureRunning();
    this.#wake.notify();
    return () => {
      if (!this.#streams.delete(state)) return;
      for (const [token, p] of this.#pending) if (p.state === state) this.#abandon(token, p);
    };
  }

  async completeOrchestration(response: pb.OrchestratorResponse): Promise<void> {
    const p = this.#take(response.completionToken, 'orchestration');
    const id = p.instance.instanceId;
    try {
      await this.#completeOrchestration(p, response);
    } catch (err) {
      // A rejected commit released the lock already; after anything else the episode is delivered again at once.
      if (!(err instanceof WorkItemError)) this.#cleanup.releaseInstances([id]);
      throw err;
    } finally {
      this.#busy.delete(id);
      this.#wake.notify();
    }
  }

  async #completeOrchestration(p: PendingOrchestration, response: pb.OrchestratorResponse): Promise<void> {
    let result: EpisodeResult;
    let extra: EpisodeCommit['newMessages'] = [];
    try {
      const remote = remoteEpisodeResult(p.instance.instanceId, response, p.history, p.events, p.now);
      result = remote.result;
      extra = remote.extraMessages;
    } catch (err) {
      if (!(err instanceof UnsupportedActionError)) throw err;
      await this.#commitFailure(p, { errorType: 'NotSupportedException', errorMessage: err.message });
      return;
    }
    const built = resultCommit(p, result, await this.#childIdsInUse(result));
    const commit = { ...built.commit, newMessages: [...built.commit.newMessages, ...extra] };
    await this.#commit(commit, built.finished || commit.replaceHistory === true);
  }

  async completeActivity(response: pb.ActivityResponse): Promise<void> {
    const p = this.#take(response.completionToken, 'activity');
    const key = keyOf(p.item);
    const event: HistoryEvent = response.failureDetails
      ? taskFailed(key.taskScheduledId, fromPbFailure(response.failureDetails))
      : {
          eventType: 'TaskCompleted',
          eventId: -1,
          timestamp: new Date().toISOString(),
          taskScheduledId: key.taskScheduledId,
          ...optional('result', unwrap(response.result)),
        };
    try {
      await this.#committer.commitCompletion({ workItem: key, event });
    } catch (err) {
      // Not recorded: the activity is delivered again (activities run at least once).
      this.#cleanup.abandonWorkItem(key);
      throw err;
    }
    this.#wake.notify();
  }

  async completeEntity(batch: pb.EntityBatchResult): Promise<void> {
    const p = this.#take(batch.completionToken, 'entity');
    try {
      await this.#commitEntity(p.instance, p.plan, p.consumed, batch);
    } catch (err) {
      if (!(err instanceof WorkItemError)) this.#cleanup.releaseInstances([p.instance.instanceId]);
      throw err;
    } finally {
      this.#busy.delete(p.instance.instanceId);
      this.#wake.notify();
    }
  }

  /** AbandonTask*WorkItem: the work goes back to the store and is delivered again. */
  abandon(token: string): void {
    const p = this.#pending.get(token);
    if (!p) throw new WorkItemError('NOT_FOUND', unknownToken(token));
    this.#abandon(token, p);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake.notify();
    for (const [token, p] of this.#pending) this.#abandon(token, p);
    for (const s of this.#streams) s.stream.end();
    this.#streams.clear();
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    this.#unsubscribe?.();
    await this.#loop;
    await this.#cleanup.stop();
  }

  #take<K extends Pending['kind']>(token: string, kind: K): Extract<Pending, { kind: K }> {
    const p = this.#pending.get(token);
    if (!p || p.kind !== kind) throw new WorkItemError('NOT_FOUND', unknownToken(token));
    this.#pending.delete(token);
    p.state[COUNT[p.kind]]--;
    return p as Extract<Pending, { kind: K }>;
  }

  #abandon(token: string, p: Pending): void {
    this.#pending.delete(token);
    p.state[COUNT[p.kind]]--;
    if (p.kind === 'activity') {
      this.#cleanup.abandonWorkItem(keyOf(p.item));
    } else {
      this.#busy.delete(p.instance.instanceId);
      this.#cleanup.releaseInstances([p.instance.instanceId]);
    }
    this.#wake.notify();
  }

  #ensureRunning(): void {
    if (this.#loop) return;
    this.#unsubscribe = this.#store.onWork?.(() => this.#wake.notify());
    this.#renewTimer = setInterval(() => this.#renew(), Math.max(50, Math.floor(this.#leaseMs / 3)));
    this.#renewTimer.unref();
    // #run never rejects: every failure is logged inside it and the loop goes on.
    this.#loop = this.#run();
  }

  #renew(): void {
    if (this.#pending.size === 0) return;
    this.#store.renewLocks(this.workerId, this.#leaseMs).catch((err: unknown) => {
      if (storeFailureKind(err) === undefined) {
        this.#logger.warn({ event: LogEvents.leaseRenewFailed, err }, 'gRPC work lease renewal failed');
      }
    });
  }

  async #run(): Promise<void> {
    const backoff = new Backoff();
    while (!this.#stopped) {
      try {
        const claimed = await this.#claimOnce();
        backoff.reset();
        if (!claimed) await this.#wake.wait(this.#streams.size === 0 ? 60_000 : await this.#idleWait());
      } catch (err) {
        if (storeFailureKind(err) === undefined) {
          this.#logger.error({ event: LogEvents.dispatcherError, err }, 'gRPC work dispatcher error');
        }
        await pause(backoff.next());
      }
    }
  }

  /** The poll interval, or less when a durable timer (a delayed message) is due sooner: timers fire on time. */
  async #idleWait(): Promise<number> {
    const next = await this.#store.nextVisibleAt();
    return next === undefined ? this.#pollMs : Math.max(0, Math.min(this.#pollMs, Date.parse(next) - Date.now()));
  }

  /** One round of claims; true when it found work (then it claims again at once). */
  async #claimOnce(): Promise<boolean> {
    const orchestrationRoom = this.#room('orchestration') + this.#room('entity');
    const activityRoom = this.#room('activity');
    let found = false;
    if (orchestrationRoom > 0) {
      const claimed = await this.#store.claimOrchestrations(
        this.workerId,
        Math.min(orchestrationRoom, CLAIM_BATCH),
        this.#leaseMs,
        new Set(this.#busy),
      );
      for (const c of claimed) {
        found = true;
        this.#busy.add(c.instance.instanceId);
        // Each runs on its own and never rejects: its failures are logged and its lock released inside.
        void (isEntityInstanceId(c.instance.instanceId) ? this.#dispatchEntity(c) : this.#dispatchOrchestration(c));
      }
    }
    if (activityRoom > 0) {
      const items = await this.#store.claimWorkItems(this.workerId, Math.min(activityRoom, CLAIM_BATCH), this.#leaseMs);
      for (const item of items) {
        found = true;
        this.#dispatchActivity(item);
      }
    }
    return found;
  }

  /** Never rejects: a failure releases the instance for another try and is logged. */
  async #dispatchOrchestration(claimed: ClaimedOrchestration): Promise<void> {
    const { instance, messages } = claimed;
    const id = instance.instanceId;
    let handedOut = false;
    try {
      const consumed = messages.map((m) => m.id);
      const events: HistoryEvent[] = [];
      let rewind = false;
      for (const m of messages) {
        if (m.executionId !== undefined && m.executionId !== instance.executionId) continue;
        // A rewind is Taskhub's to carry out (below), never an event for the SDK; it means nothing unless Failed.
        if (m.event.eventType === 'ExecutionRewound') rewind = true;
        else events.push(m.event);
      }
      const now = new Date().toISOString();
      const history = instance.historyLength === 0 ? [] : await this.#store.getHistory(id);
      const started = findStarted(history) ?? findStarted(events);
      const base = { state: undefined, instance, history, events, started, consumed, now };
      if (rewind && instance.runtimeStatus === 'Failed') {
        await this.#commit(await rewindCommit(this.#store, instance, history, consumed, now), true);
        return;
      }
      if (isTerminal(instance.runtimeStatus) || events.length === 0) {
        await this.#commit(noop(instance, consumed), false);
        return;
      }
      if (claimed.deliveryCount - 1 >= this.#maxDeliveryCount) {
        const deliveries = claimed.deliveryCount - 1;
        const name = started?.name ?? instance.name;
        this.#logger.error(
          { event: LogEvents.orchestrationQuarantined, instanceId: id, name, deliveries },
          `orchestration '${name}' was abandoned by its SDK workers ${deliveries} times: quarantined, it ends Failed`,
        );
        await this.#commitFailure(base, {
          errorType: 'PoisonMessageException',
          errorMessage:
            `The orchestration '${name}' was delivered ${deliveries} times to SDK workers without an episode ` +
            `being committed: quarantined after maxDeliveryCount (${this.#maxDeliveryCount}) deliveries, it is not run again.`,
        });
        return;
      }
      if (events.some((e) => e.eventType === 'ExecutionTerminated')) {
        // Termination needs no orchestrator code: it is committed here, as Taskhub's own replayer records it.
        await this.#commitResult(base, terminatedResult(events, now));
        return;
      }
      const state = this.#pickStream('orchestration');
      if (!state) {
        this.#cleanup.releaseInstances([id]);
        this.#busy.delete(id);
        return;
      }
      const calls = entityRequestIds(history);
      const toSdk = (e: HistoryEvent): pb.HistoryEvent => entityPbEvent(e, calls) ?? toPbEvent(e);
      const token = randomUUID();
      this.#pending.set(token, { kind: 'orchestration', ...base, state });
      state.orchestrations++;
      handedOut = true;
      const started0: HistoryEvent = { eventType: 'OrchestratorStarted', eventId: -1, timestamp: now };
      state.stream.write({
        completionToken: token,
        orchestratorRequest: {
          instanceId: id,
          executionId: str(instance.executionId),
          pastEvents: history.map(toSdk),
          newEvents: [started0, ...events].map(toSdk),
        },
      });
    } catch (err) {
      if (storeFailureKind(err) === undefined) {
        this.#logger.error({ event: LogEvents.episodeFailed, instanceId: id, err }, 'gRPC orchestration work failed');
      }
      if (!handedOut) this.#cleanup.releaseInstances([id]);
    } finally {
      if (!handedOut) {
        this.#busy.delete(id);
        this.#wake.notify();
      }
    }
  }

  #dispatchActivity(item: WorkItem): void {
    if (item.deliveryCount >= this.#maxDeliveryCount) {
      this.#logger.error(
        { event: LogEvents.activityQuarantined, instanceId: item.instanceId, name: item.name },
        `activity '${item.name}' quarantined`,
      );
      this.#committer
        .commitCompletion({ workItem: keyOf(item), event: quarantined(item, this.#maxDeliveryCount) })
        .catch((err: unknown) => {
          this.#logger.error({ event: LogEvents.commitFailed, err }, 'quarantine commit failed');
          this.#cleanup.abandonWorkItem(keyOf(item), { undelivered: true });
        });
      return;
    }
    const state = this.#pickStream('activity');
    if (!state) {
      this.#cleanup.abandonWorkItem(keyOf(item), { undelivered: true });
      return;
    }
    const token = randomUUID();
    this.#pending.set(token, { kind: 'activity', state, item });
    state.activities++;
    state.stream.write({
      completionToken: token,
      activityRequest: {
        name: item.name,
        input: str(item.input),
        orchestrationInstance: { instanceId: item.instanceId, executionId: str(item.executionId) },
        taskId: item.taskScheduledId,
      },
    });
  }

  #room(kind: Pending['kind']): number {
    let room = 0;
    for (const s of this.#streams) room += Math.max(0, s.stream[ROOM[kind]] - s[COUNT[kind]]);
    return room;
  }

  /** Never rejects: a failure releases the entity for another try and is logged. */
  async #dispatchEntity(claimed: ClaimedOrchestration): Promise<void> {
    const { instance, messages } = claimed;
    const id = instance.instanceId;
    let handedOut = false;
    try {
      const consumed = messages.map((m) => m.id);
      const plan = await planEntityBatch(instance, messages);
      if (plan.request.operations.length === 0) {
        // Only lock hand-offs or duplicates: nothing for the SDK to run.
        await this.#commitEntity(instance, plan, consumed, { results: [], actions: [], completionToken: '' });
        return;
      }
      const state = this.#pickStream('entity');
      if (!state) {
        this.#cleanup.releaseInstances([id]);
        return;
      }
      const token = randomUUID();
      this.#pending.set(token, { kind: 'entity', state, instance, plan, consumed });
      state.entities++;
      handedOut = true;
      state.stream.write({ completionToken: token, entityRequest: plan.request });
    } catch (err) {
      if (storeFailureKind(err) === undefined) {
        this.#logger.error({ event: LogEvents.episodeFailed, instanceId: id, err }, 'gRPC entity work failed');
      }
      if (!handedOut) this.#cleanup.releaseInstances([id]);
    } finally {
      if (!handedOut) {
        this.#busy.delete(id);
        this.#wake.notify();
      }
    }
  }

  async #commitEntity(
    instance: InstanceRecord,
    plan: EntityPlan,
    consumed: readonly number[],
    batch: pb.EntityBatchResult,
  ): Promise<void> {
    const now = new Date().toISOString();
    const applied = await applyEntityBatch(instance, plan, batch, now);
    await this.#commit(
      {
        ...noop(instance, consumed),
        entityState: JSON.stringify(applied.result.record),
        newMessages: applied.newMessages,
        newInstances: applied.newInstances,
      },
      false,
    );
  }

  #pickStream(kind: Pending['kind']): StreamState | undefined {
    let best: StreamState | undefined;
    let bestRoom = 0;
    for (const s of this.#streams) {
      const room = s.stream[ROOM[kind]] - s[COUNT[kind]];
      if (room > bestRoom) {
        best = s;
        bestRoom = room;
      }
    }
    return best;
  }

  async #commitResult(p: EpisodeState, result: EpisodeResult): Promise<void> {
    const built = resultCommit(p, result, undefined);
    await this.#commit(built.commit, built.finished);
  }

  /** The instance ends Failed with this failure (its parent hears of it), as the in-process dispatcher does. */
  async #commitFailure(p: EpisodeState, failure: FailureDetails): Promise<void> {
    await this.#commit(failureCommit(p, failure), true);
  }

  async #commit(commit: EpisodeCommit, ends: boolean): Promise<void> {
    const outcome = await this.#committer.commitEpisodeOutcome(commit);
    if (!outcome.accepted) {
      this.#cleanup.releaseInstances([commit.instanceId]);
      throw new WorkItemError(
        'FAILED_PRECONDITION',
        `The episode of instance '${commit.instanceId}' was rejected: its lock expired or another worker moved its ` +
          'history on. The work is delivered again.',
      );
    }
    if (ends) this.#onFinished?.(commit.instanceId);
  }

  async #childIdsInUse(result: EpisodeResult): Promise<ReadonlySet<string> | undefined> {
    let inUse: Set<string> | undefined;
    for (const action of result.actions) {
      if (action.kind !== 'CreateSubOrchestration') continue;
      const existing = await this.#store.getInstance(action.instanceId);
      if (existing && !isTerminal(existing.runtimeStatus)) (inUse ??= new Set()).add(action.instanceId);
    }
    return inUse;
  }
}

function unknownToken(token: string): string {
  return (
    `No open work item has the completion token '${token}': it was completed or abandoned already, or its stream ` +
    'closed and the work was handed back to the task hub (it is delivered again).'
  );
}
