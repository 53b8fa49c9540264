// The one storage contract every backend implements (SQLite, PostgreSQL). Split by aggregate: instances and history,
// orchestration messages, activity work items, timers (delayed messages), timer-trigger schedules. All methods are
// scoped to one task hub.
import type { FailureDetails, HistoryEvent, RuntimeStatus } from '../core/history.js';
import type { VersionFilter } from '../core/versioning.js';
import type { DoctorScanStore } from './doctor-scan.js';

/** The stored row of an orchestration instance (the latest execution). */
export interface InstanceRecord {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  /** JSON text. */
  readonly input?: string;
  /** JSON text of the output (Completed), or of the reason (Terminated). */
  readonly output?: string;
  readonly failureDetails?: FailureDetails;
  /** JSON text. */
  readonly customStatus?: string;
  readonly parentInstanceId?: string;
  /** ISO 8601 UTC. */
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  /** Number of events in the stored history of the current execution: the position a live cache is checked against. */
  readonly historyLength: number;
  /** Entities only (id '@name@key'): the entity's stored record, JSON text the store does not interpret. */
  readonly entityState?: string;
  /** Orchestration tags given at start (migration 5); absent when none were given. */
  readonly tags?: Readonly<Record<string, string>>;
  /** The orchestration version the instance was created with (its ExecutionStarted's; migration 6). */
  readonly version?: string;
}

/** A message addressed to an instance: a history event waiting to be delivered in the instance's next episode. */
export interface OrchestrationMessage {
  /** Store-assigned, increasing in arrival order. */
  readonly id: number;
  readonly instanceId: string;
  /** The execution this message belongs to; undefined means "whatever execution is current" (client events). */
  readonly executionId?: string;
  readonly event: HistoryEvent;
  /** ISO 8601; the message is invisible before this time (durable timers). */
  readonly visibleAt: string;
}

/** A message to enqueue (the store assigns the id). */
export interface NewMessage {
  readonly instanceId: string;
  readonly executionId?: string;
  readonly event: HistoryEvent;
  /** Default: now. A future time makes this a durable timer. */
  readonly visibleAt?: string;
}

/** An activity invocation waiting to run. Identified by (instanceId, executionId, taskScheduledId). */
export interface WorkItem {
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskScheduledId: number;
  readonly name: string;
  /** JSON text. */
  readonly input?: string;
  /**
   * How many times this work item was delivered before without completing (0 on first delivery): each claim counts,
   * and so does a local run (a work item stored locked for its worker). A completed work item is deleted, so a
   * count above 0 means earlier deliveries ended with their worker (crashed, killed, timed out).
   */
  readonly deliveryCount: number;
  /** Whether the latest of those deliveries ran alone in its process (see WorkItemStore.markDeliveryAlone). */
  readonly lastDeliveryAlone?: boolean;
}

export interface WorkItemKey {
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskScheduledId: number;
}

/** A claimed instance: its row and its visible messages in arrival order. */
export interface ClaimedOrchestration {
  readonly instance: InstanceRecord;
  readonly messages: readonly OrchestrationMessage[];
  /** Lease expiry (ISO 8601). */
  readonly lockedUntil: string;
  /**
   * Claims by a new owner since the instance's last committed episode, this one included (a worker claiming an
   * instance it already holds does not count). Above 1, earlier owners died before they could commit its episode.
   */
  readonly deliveryCount: number;
}

/** A new instance row (startNew, sub-orchestration, continue-as-new is an update instead). */
export interface NewInstance {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  readonly input?: string;
  readonly parentInstanceId?: string;
  /** ISO 8601; default now. */
  readonly createdTime?: string;
  /** Start message (ExecutionStarted), delivered to the new instance. */
  readonly startEvent: HistoryEvent;
  /** Default: now. Delays the start (scheduled start). */
  readonly visibleAt?: string;
  /** Orchestration tags, kept with the instance (replaced when the instance is created again). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The outcome of one episode, to be committed atomically with the rest of its batch. */
export interface EpisodeCommit {
  readonly instanceId: string;
  /** The execution the episode ran; a continue-as-new names the new one in `newExecutionId`. */
  readonly executionId: string;
  /** The history position the episode started from; the commit is rejected if the stored history moved. */
  readonly expectedHistoryLength: number;
  /** Events appended to the history of `executionId`. */
  readonly append: readonly HistoryEvent[];
  /** Replace the stored history with `append` instead of appending (continue-as-new, rewind). */
  readonly replaceHistory?: boolean;
  /** Continue-as-new: the instance's new execution id (with replaceHistory). */
  readonly newExecutionId?: string;
  readonly runtimeStatus: RuntimeStatus;
  /** Undefined leaves the stored value as it is. */
  readonly input?: string;
  readonly output?: string;
  readonly failureDetails?: FailureDetails;
  readonly customStatus?: string;
  /** Entities: the new entity record (JSON text); undefined leaves the stored one as it is. */
  readonly entityState?: string;
  /** Stored messages consumed by this episode (deleted). */
  readonly consumedMessageIds: readonly number[];
  /** Activity work items this episode completed in memory (local fast path): deleted. */
  readonly completedWorkItems: readonly WorkItemKey[];
  /** New activity work items. `lockedBy` set claims them for this worker at once (local fast path). */
  readonly newWorkItems: readonly NewWorkItem[];
  /** Messages to this or other instances (timers use visibleAt; sub-orchestration results; events). */
  readonly newMessages: readonly NewMessage[];
  /** Sub-orchestrations to create. An existing instance id is left alone if it is not in a terminal status. */
  readonly newInstances: readonly NewInstance[];
  /** Keep the instance locked by this worker after the commit (it continues in memory); otherwise release it. */
  readonly keepLock: boolean;
  /**
   * Stores with `localWorkInRow` only: the instance's complete list of local activities in flight after this commit
   * (the ones it starts, and earlier ones whose results it has not consumed yet), written into the instance row in
   * place of work items; [] clears it, and it must be [] when `keepLock` is false (local work lives in the row only
   * while its owner holds the lock). Undefined leaves the stored list as it is (entities, stores without the
   * capability). Local activities then appear neither in `newWorkItems` nor in `completedWorkItems`.
   */
  readonly localWork?: readonly LocalWorkItem[];
  /**
   * Local start: create the instance in the same transaction, then apply this episode (its first, run from
   * `instance.startEvent`, which is never stored as a message) with `expectedHistoryLength` 0. An existing instance
   * in a status not in `replaceableStatuses` rejects the episode and is listed in CommitResult.instanceExists.
   */
  readonly create?: {
    readonly instance: NewInstance;
    readonly replaceableStatuses: readonly RuntimeStatus[];
  };
  /**
   * The instance ended: delete its pending messages, which nobody will consume, visible or not (a timer of the ended
   * execution would otherwise wake it for nothing). Messages this episode sends to itself in `newMessages` are kept.
   */
  readonly deletePendingMessages?: boolean;
  /**
   * The instance was terminated: delete its activity work items, queued or running (a running one's late result is
   * then dropped, as any completion of a work item that no longer exists).
   */
  readonly deleteWorkItems?: boolean;
}

/** Whether a commit drops every work item of its instance: a new execution (continue-as-new) or a termination. */
export function dropsWorkItems(e: EpisodeCommit): boolean {
  return (e.replaceHistory === true && e.newExecutionId !== undefined) || e.deleteWorkItems === true;
}

/**
 * A local activity kept in its instance's row (Store.localWorkInRow): what becomes an ordinary work item if its owner
 * gives up or loses the instance's lock before the result is committed.
 */
export interface LocalWorkItem {
  readonly taskScheduledId: number;
  readonly name: string;
  /** JSON text. */
  readonly input?: string;
  /** The execution that scheduled it, when it is not the instance's current execution. */
  readonly executionId?: string;
}

export interface NewWorkItem {
  readonly taskScheduledId: number;
  readonly name: string;
  readonly input?: string;
  /** Claim at once for this worker (local fast path). */
  readonly lockedBy?: string;
}

/** An activity result reported on its own (not folded into an episode). */
export interface ActivityCompletion {
  readonly workItem: WorkItemKey;
  /** TaskCompleted or TaskFailed event for the instance. Dropped if the work item no longer exists (idempotent). */
  readonly event: HistoryEvent;
}

export interface CommitBatch {
  /** The worker that holds the locks. */
  readonly workerId: string;
  readonly episodes: readonly EpisodeCommit[];
  readonly activityCompletions: readonly ActivityCompletion[];
  /** Locks to extend, for the instances kept in memory: ISO expiry. */
  readonly leaseMs: number;
}

export interface CommitResult {
  /** Instance ids whose episode was rejected (lock lost or history moved); their caches must be dropped. */
  readonly rejectedEpisodes: readonly string[];
  /** The lastUpdatedTime written to the accepted episodes' instances (ISO 8601), when there were any. */
  readonly updatedTime?: string;
  /** Rejected episodes whose `create` met an existing instance (INSTANCE_EXISTS for their caller). */
  readonly instanceExists?: readonly string[];
}

export interface InstanceQuery {
  readonly createdTimeFrom?: string;
  readonly createdTimeTo?: string;
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly instanceIdPrefix?: string;
  /** Page size; default 100. */
  readonly pageSize?: number;
  /** Opaque token from a previous page. */
  readonly continuationToken?: string;
  /** Include inputs in the results; default true. */
  readonly showInput?: boolean;
  /** Only instances created with exactly this orchestration version ('' for those without one). */
  readonly version?: string;
}

export interface InstancePage {
  readonly instances: readonly InstanceRecord[];
  /** Undefined when there are no more results. */
  readonly continuationToken?: string;
}

export interface PurgeQuery {
  readonly createdTimeFrom?: string;
  readonly createdTimeTo?: string;
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly instanceIdPrefix?: string;
}

/**
 * One short purge for retention and large purges (see InstanceStore.purgeInstanceBatch): the oldest finished instances
 * of one status last updated before a time, or the finished ones among given ids.
 */
export type PurgeBatch =
  | {
      /** A finished status (Completed, Failed, Terminated, Canceled); any other deletes nothing. */
      readonly runtimeStatus: RuntimeStatus;
      /** ISO 8601: only instances whose lastUpdatedTime (for a finished instance: when it finished) is earlier. */
      readonly lastUpdatedTimeBefore: string;
      /** At most this many, oldest lastUpdatedTime first. */
      readonly limit: number;
    }
  | { readonly instanceIds: readonly string[] };

/** What the dashboard sorts by; each order pages by keyset on (that column, instance id). */
export type InstanceOrder = 'createdTime' | 'lastUpdatedTime' | 'name' | 'runtimeStatus' | 'instanceId';

/** The dashboard's instance query: the management query plus filters and orders Durable Functions' API lacks. */
export interface InstanceSearch extends InstanceQuery {
  /** Case-insensitive substring of the orchestration name. */
  readonly name?: string;
  /** Case-insensitive substring of the custom status JSON text. */
  readonly customStatusText?: string;
  /** Updated at or after (ISO 8601): what the live feed polls with. */
  readonly lastUpdatedTimeFrom?: string;
  /** Default 'createdTime'. A continuation token is valid only for the order and direction it came from. */
  readonly orderBy?: InstanceOrder;
  readonly descending?: boolean;
}

/** Optional search and counts for the dashboard; without them it offers only the management API's filters. */
export interface InstanceSearchStore {
  searchInstances(query: InstanceSearch): Promise<InstancePage>;
  /** How many instances match per runtime status (statuses with none may be left out); paging fields are ignored. */
  countInstances(query: InstanceSearch): Promise<Partial<Record<RuntimeStatus, number>>>;
}

export interface CreateInstanceOptions {
  /** Statuses an existing instance of the same id may be replaced in (default: the terminal statuses). */
  readonly replaceableStatuses?: readonly RuntimeStatus[];
}

/** Instances and their history. */
export interface InstanceStore {
  /**
   * Create an instance and enqueue its start message. If the id exists and its status is one of `replaceableStatuses`
   * (default: terminal statuses), its history and messages are replaced; otherwise throws TaskhubError INSTANCE_EXISTS.
   */
  createInstance(instance: NewInstance, options?: CreateInstanceOptions): Promise<void>;
  getInstance(instanceId: string): Promise<InstanceRecord | undefined>;
  /** The stored history of the current execution, in order. */
  getHistory(instanceId: string): Promise<HistoryEvent[]>;
  queryInstances(query: InstanceQuery): Promise<InstancePage>;
  /** Deletes instances (history, messages, work items) that are in a terminal status. Returns how many. */
  purgeInstance(instanceId: string): Promise<number>;
  purgeInstances(query: PurgeQuery): Promise<number>;
  /**
   * Deletes one batch of finished instances (history, messages, work items) in one short transaction, served by an
   * index (migration 8), so a retention pass or a purge of 100,000 instances never holds the store for long. On
   * PostgreSQL rows locked by a concurrent writer are skipped (a later batch takes them). Returns how many.
   */
  purgeInstanceBatch(batch: PurgeBatch): Promise<number>;
  /**
   * Deletes an entity's row (id '@name@key') and its history, but only if its entity state is still exactly
   * `entityState` (undefined: none stored), no message waits for it and no worker holds its lease: what
   * cleanEntityStorage's removal of empty entities needs so that a request arriving meanwhile is never lost.
   * Returns whether it was deleted.
   */
  deleteEntityIfIdle(instanceId: string, entityState: string | undefined): Promise<boolean>;
}

/** Orchestration messages and instance locks. */
export interface MessageStore {
  /**
   * Enqueue messages to existing instances. Messages to unknown instances are dropped; returns how many were enqueued.
   * Entities are the exception: a message to an entity id ('@name@key') that does not exist creates its row (status
   * Running, name = the entity name, no entity state) and is enqueued. The same holds for episodes' `newMessages`.
   */
  enqueueMessages(messages: readonly NewMessage[]): Promise<number>;
  /**
   * Claim up to `limit` instances that have visible messages and are unlocked, lock-expired, or already locked by
   * `workerId`; lock them for `leaseMs`. Instances in `exclude` are skipped, and never hide the others however many
   * messages they have waiting. Instances are taken oldest visible message first; each comes with all its visible
   * messages in id order. With `versions`, orchestration instances whose version the filter refuses are passed over
   * (they wait for a worker that runs their version) without hiding the others.
   */
  claimOrchestrations(
    workerId: string,
    limit: number,
    leaseMs: number,
    exclude?: ReadonlySet<string>,
    versions?: VersionFilter,
  ): Promise<ClaimedOrchestration[]>;
  /** Commit episodes and activity completions in one transaction. */
  commit(batch: CommitBatch): Promise<CommitResult>;
  /** Extend every lock (instances and work items) held by `workerId`. */
  renewLocks(workerId: string, leaseMs: number): Promise<void>;
  /**
   * Release every lock held by `workerId` (graceful shutdown, or a dead worker process). Local activities kept in the
   * released instances' rows become unclaimed work items in the same transaction, their lost delivery counted
   * (delivery count 1), or not counted with `undelivered` (a deliberate stop hands them back as undelivered).
   */
  releaseLocks(workerId: string, options?: { readonly undelivered?: boolean }): Promise<void>;
  /** Release the lock of specific instances held by `workerId` (their local activities become work items, as above). */
  releaseInstances(workerId: string, instanceIds: readonly string[]): Promise<void>;
  /** Worker ids holding any lock (instance or work item): lets a new worker free the locks of dead local processes. */
  lockHolders(): Promise<string[]>;
  /** The earliest future visibleAt among pending messages, or undefined: when the timer pump must wake next. */
  nextVisibleAt(): Promise<string | undefined>;
}

/** Activity work items. */
export interface WorkItemStore {
  /**
   * Claim up to `limit` unlocked or lock-expired work items for `leaseMs`; increments their delivery count. Work items
   * of a Suspended instance wait: they are claimed once it is resumed.
   */
  claimWorkItems(workerId: string, limit: number, leaseMs: number): Promise<WorkItem[]>;
  /**
   * Release a claimed work item without completing it (it will be delivered again). `undelivered`: it never ran, so
   * this claim does not count as a delivery (its delivery count goes back down).
   */
  abandonWorkItem(workerId: string, key: WorkItemKey, options?: { readonly undelivered?: boolean }): Promise<void>;
  /**
   * Records whether the current delivery of a work item claimed by `workerId` runs alone in its process (a claim
   * starts it as not alone). A worker marks it before the run starts, and unmarks it before anything else runs beside.
   */
  markDeliveryAlone(workerId: string, key: WorkItemKey, alone: boolean): Promise<void>;
}

/** The schedule status of a timer-triggered function, as Azure's schedule monitor keeps it (ISO 8601 UTC strings). */
export interface TimerStatus {
  /** The last occurrence claimed (fired). */
  readonly last: string;
  /** The occurrence expected after it. */
  readonly next: string;
  /** When this status was written. */
  readonly lastUpdated: string;
}

export interface TimerClaim {
  /** The timer function's key (the trigger service passes the function name lower-cased: Azure's are case-blind). */
  readonly functionName: string;
  /** The occurrence to fire (ISO 8601 UTC, as Date.toISOString() writes it, so text order is time order). */
  readonly occurrence: string;
  /** The occurrence after it, recorded as the status's `next`. */
  readonly next: string;
  /** Who claims it (kept for diagnosis). */
  readonly workerId: string;
}

/** Timer-trigger schedules: one status row per timer function, and the claim of each occurrence. */
export interface TimerStore {
  /** The stored status of a timer function, or undefined before its first claimed occurrence. */
  getTimerStatus(functionName: string): Promise<TimerStatus | undefined>;
  /**
   * Claims one occurrence, atomically across processes: when no status is stored, or its `last` is earlier than
   * `occurrence`, writes `{ last: occurrence, next, lastUpdated: now }` and returns true; otherwise writes nothing
   * and returns false. Of any number of workers claiming the same occurrence, exactly one gets true, and an
   * occurrence at or before one already claimed is never claimed again.
   */
  claimTimerOccurrence(claim: TimerClaim): Promise<boolean>;
}

/** What waits in a task hub (metrics' backlog gauges). */
export interface Backlog {
  /** Messages to instances and entities that are visible now. */
  readonly messages: number;
  /** Activity work items, queued or running (local activities kept in instance rows, Store.localWorkInRow, are not). */
  readonly workItems: number;
  /** Messages not visible yet: durable timers and scheduled starts. */
  readonly timers: number;
}

export interface Store extends InstanceStore, MessageStore, WorkItemStore, TimerStore {
  /** The task hub this store is scoped to. */
  readonly hubName: string;
  /**
   * Optional: subscribe to work stored by other processes (PostgreSQL LISTEN/NOTIFY). The listener is called, with
   * no arguments and possibly spuriously, when another process commits or enqueues work in this hub, so an idle
   * worker claims at once instead of at its next poll. Writes through this store object do not call it (the worker
   * in this process already knows). Returns the unsubscribe. Stores without it are polled only.
   */
  onWork?(listener: () => void): () => void;
  /**
   * Optional capability (migration 11): local activities live in their instance's row (EpisodeCommit.localWork)
   * instead of work items locked for their worker, so a local step writes no work item. Without it the dispatcher
   * stores them as locked work items. Every lock a claim takes over, and every lock released, turns the row's list
   * into unclaimed work items; `recoverLocalWork` does it for the expired locks nobody takes over.
   */
  readonly localWorkInRow?: boolean;
  /**
   * With localWorkInRow: for instances whose lock expired (held by anyone but `workerId`, a live worker that renews
   * its own), turns their local activities into unclaimed work items (delivery count 1: the lost delivery counts
   * toward maxDeliveryCount) and frees the lock, in one transaction. Workers call it with each lease renewal.
   * Returns how many instances it recovered.
   */
  recoverLocalWork?(workerId: string): Promise<number>;
  /** Optional: counts of what waits in the hub, for the backlog metrics (read when metrics are collected). */
  backlog?(): Promise<Backlog>;
  /** Optional: the dashboard's search (see InstanceSearchStore). */
  searchInstances?: InstanceSearchStore['searchInstances'];
  countInstances?: InstanceSearchStore['countInstances'];
  /** Optional: what `taskhub doctor` reads (see doctor-scan.ts). */
  doctorScan?: DoctorScanStore['doctorScan'];
  /** Create tables / run pending migrations. Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
