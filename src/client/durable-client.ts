// The DurableClient working directly on a task hub's Store: Durable Functions' client methods, both the 3.x option
// objects and the 2.x positional forms. Requests become stored messages; the worker acts on them.
import type { EntityId } from '../core/entity-id.js';
import { isEntityInstanceId } from '../core/entity-state.js';
import { TaskhubError } from '../core/errors.js';
import { isTerminal, TERMINAL_STATUSES, type HistoryEvent, type RuntimeStatus } from '../core/history.js';
import type { InstanceQuery, InstanceRecord, NewInstance, NewMessage, PurgeQuery, Store } from '../store/store.js';
import type { CompletionWaiter } from './completion-waiter.js';
import { listEntities, readEntityState, signalEntity } from './entity-client.js';
import { newInstanceId, validateInstanceId } from './instance-id.js';
import { toJsonText } from './json.js';
import { toOrchestrationStatus } from './status-view.js';
import { startCreateOrchestration } from '../telemetry/tracing.js';
import type {
  DurableClient,
  DurableOrchestrationStatus,
  EntityPage,
  EntityQuery,
  EntityStateResponse,
  GetStatusOptions,
  OrchestrationFilter,
  PurgeHistoryResult,
  StartNewOptions,
  StatusPage,
  TaskHubOptions,
  WaitForCompletionOptions,
} from './types.js';

/**
 * A worker in this process that can take a start at once (local start): it runs the first episode in memory and
 * commits it together with the instance's creation, so a start costs no claim and no extra commit.
 */
export interface LocalStarter {
  /**
   * Undefined when the worker cannot take it now (no free slot, orchestration not registered there, instance busy
   * there); otherwise resolves once the instance and its first episode are durable, or rejects (INSTANCE_EXISTS).
   */
  start(instance: NewInstance, replaceableStatuses: readonly RuntimeStatus[]): Promise<void> | undefined;
  /** True while the worker runs the instance and will report its end (so a waiter need not read the store first). */
  runs(instanceId: string): boolean;
}

export interface TaskHubClientOptions {
  readonly store: Store;
  readonly localStarter?: LocalStarter;
  /** Wakes the local worker at once for an instance that has new messages (no polling delay in one process). */
  readonly notify?: (instanceId: string) => void;
  /** Lets waitForCompletion resume the moment the local worker commits a terminal status. */
  readonly waitHub?: CompletionWaiter;
  /** When given, startNew refuses names it returns false for (UNKNOWN_FUNCTION), as Durable Functions does. */
  readonly knownOrchestrations?: (name: string) => boolean;
  /** The version of a new instance whose start names none (the app's defaultVersion or newest registered). */
  readonly newInstanceVersion?: (name: string) => string | undefined;
  /** Told of every instance this client created, once its start is durable (the hub warns of unrunnable versions). */
  readonly onStarted?: (name: string, version: string | undefined, instanceId: string) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** With an in-process waiter, polling only catches work finished by other processes, so it can be slow. */
const POLL_WITH_WAITER_MS = 1_000;
const POLL_WITHOUT_WAITER_MS = 100;

type ControlEvent = 'ExecutionTerminated' | 'ExecutionSuspended' | 'ExecutionResumed' | 'ExecutionRewound';

export class TaskHubClient implements DurableClient {
  readonly #store: Store;
  readonly #notify: ((instanceId: string) => void) | undefined;
  readonly #waitHub: CompletionWaiter | undefined;
  readonly #knownOrchestrations: ((name: string) => boolean) | undefined;
  readonly #newInstanceVersion: ((name: string) => string | undefined) | undefined;
  readonly #onStarted: TaskHubClientOptions['onStarted'];
  readonly #localStarter: LocalStarter | undefined;

  constructor(options: TaskHubClientOptions) {
    this.#store = options.store;
    this.#localStarter = options.localStarter;
    this.#notify = options.notify;
    this.#waitHub = options.waitHub;
    this.#knownOrchestrations = options.knownOrchestrations;
    this.#newInstanceVersion = options.newInstanceVersion;
    this.#onStarted = options.onStarted;
  }

  get taskHubName(): string {
    return this.#store.hubName;
  }

  startNew(orchestratorName: string, options?: StartNewOptions): Promise<string>;
  startNew(orchestratorName: string, instanceId?: string, input?: unknown): Promise<string>;
  async startNew(orchestratorName: string, optionsOrId?: StartNewOptions | string, input?: unknown): Promise<string> {
    // 2.x passes the id (or undefined, then the input) positionally; 3.x passes one options object.
    const options: StartNewOptions =
      typeof optionsOrId === 'string' || (optionsOrId === undefined && input !== undefined)
        ? { instanceId: optionsOrId, input }
        : (optionsOrId ?? {});
    if (options.instanceId !== undefined) validateInstanceId(options.instanceId);
    const version = versionOption(options.version) ?? this.#newInstanceVersion?.(orchestratorName);
    return this.#start(
      orchestratorName,
      options.instanceId ?? newInstanceId(),
      toJsonText(options.input, 'input'),
      version,
    );
  }

  getStatus(instanceId: string, options?: GetStatusOptions): Promise<DurableOrchestrationStatus>;
  getStatus(
    instanceId: string,
    showHistory?: boolean,
    showHistoryOutput?: boolean,
    showInput?: boolean,
  ): Promise<DurableOrchestrationStatus>;
  async getStatus(
    instanceId: string,
    optionsOrShowHistory?: GetStatusOptions | boolean,
    showHistoryOutput?: boolean,
    showInput?: boolean,
  ): Promise<DurableOrchestrationStatus> {
    const options: GetStatusOptions =
      typeof optionsOrShowHistory === 'boolean' || showHistoryOutput !== undefined || showInput !== undefined
        ? { showHistory: optionsOrShowHistory === true, showHistoryOutput, showInput }
        : (optionsOrShowHistory ?? {});
    const record = await this.#require(instanceId);
    // Durable Functions computes no history for a Pending instance: nothing has run yet.
    const history =
      options.showHistory && record.runtimeStatus !== 'Pending' ? await this.#store.getHistory(instanceId) : undefined;
    return toOrchestrationStatus(record, options, history);
  }

  async getStatusAll(): Promise<DurableOrchestrationStatus[]> {
    return this.#queryAll({});
  }

  getStatusBy(filter: OrchestrationFilter): Promise<DurableOrchestrationStatus[]>;
  getStatusBy(
    createdTimeFrom?: Date,
    createdTimeTo?: Date,
    runtimeStatus?: RuntimeStatus[],
  ): Promise<DurableOrchestrationStatus[]>;
  async getStatusBy(
    filterOrFrom?: OrchestrationFilter | Date,
    createdTimeTo?: Date,
    runtimeStatus?: RuntimeStatus[],
  ): Promise<DurableOrchestrationStatus[]> {
    const filter: OrchestrationFilter =
      filterOrFrom === undefined || filterOrFrom instanceof Date
        ? { createdTimeFrom: filterOrFrom, createdTimeTo, runtimeStatus }
        : filterOrFrom;
    return this.#queryAll(filter);
  }

  async listInstances(filter: OrchestrationFilter): Promise<StatusPage> {
    const page = await this.#store.queryInstances(toInstanceQuery(filter));
    // Entities are instances too (ids '@name@key'); they are listed by listEntities, unless asked for by prefix.
    const records = filter.instanceIdPrefix?.startsWith('@')
      ? page.instances
      : page.instances.filter((r) => !isEntityInstanceId(r.instanceId));
    const instances = records.map((record) => toOrchestrationStatus(record, { showInput: filter.showInput }));
    return page.continuationToken === undefined
      ? { instances }
      : { instances, continuationToken: page.continuationToken };
  }

  async raiseEvent(
    instanceId: string,
    eventName: string,
    eventData?: unknown,
    _options?: TaskHubOptions,
  ): Promise<void> {
    // A client is bound to one task hub; taskHubName/connectionName are accepted for signature compatibility only.
    if (typeof eventName !== 'string' || eventName === '') {
      throw new TaskhubError('INVALID_ARGUMENT', 'raiseEvent needs a non-empty event name.');
    }
    const input = toJsonText(eventData, 'event data');
    await this.#requireUnfinished(instanceId, `raise event '${eventName}' for`);
    await this.#send(instanceId, { eventType: 'EventRaised', eventId: -1, timestamp: now(), name: eventName, input });
  }

  async terminate(instanceId: string, reason?: string): Promise<void> {
    await this.#control(instanceId, 'ExecutionTerminated', 'terminate', reason);
  }

  /** Suspending a suspended instance is accepted: the orchestration ignores the repeat, as in Durable Functions. */
  async suspend(instanceId: string, reason?: string): Promise<void> {
    await this.#control(instanceId, 'ExecutionSuspended', 'suspend', reason);
  }

  /**
   * Resuming a running instance is accepted as a no-op. The request is always queued, never skipped on the current
   * status: a suspend may still be waiting in the queue, and the resume must follow it.
   */
  async resume(instanceId: string, reason?: string): Promise<void> {
    await this.#control(instanceId, 'ExecutionResumed', 'resume', reason);
  }

  async rewind(instanceId: string, reason?: string): Promise<void> {
    const record = await this.#require(instanceId);
    if (record.runtimeStatus !== 'Failed') {
      throw new TaskhubError(
        'INSTANCE_FINISHED',
        `The rewind operation is only supported on failed orchestration instances. Instance '${instanceId}' is ${record.runtimeStatus}.`,
      );
    }
    // The worker rewrites the history (core rewindHistory) when it consumes this message.
    await this.#send(instanceId, controlEvent('ExecutionRewound', reason));
  }

  async restart(instanceId: string, restartWithNewInstanceId = true): Promise<string> {
    const record = await this.#require(instanceId);
    // The stored input is already JSON text: pass it on as it is, never re-encoded.
    const newId = restartWithNewInstanceId ? newInstanceId() : instanceId;
    // The same version too: a restart runs the code the instance ran. The new instance remembers its original (the
    // dashboard links back to it).
    return this.#start(record.name, newId, record.input, record.version, newId === instanceId ? undefined : instanceId);
  }

  /** Only finished instances are purged (as Durable Functions does); a running or unknown one counts 0. */
  async purgeInstanceHistory(instanceId: string): Promise<PurgeHistoryResult> {
    return { instancesDeleted: await this.#store.purgeInstance(instanceId) };
  }

  async purgeInstanceHistoryBy(filter: OrchestrationFilter): Promise<PurgeHistoryResult> {
    const { createdTimeFrom, createdTimeTo, runtimeStatus, instanceIdPrefix } = toInstanceQuery(filter);
    const query: PurgeQuery = { createdTimeFrom, createdTimeTo, runtimeStatus, instanceIdPrefix };
    return { instancesDeleted: await this.#store.purgeInstances(query) };
  }

  async waitForCompletion(
    instanceId: string,
    options: WaitForCompletionOptions = {},
  ): Promise<DurableOrchestrationStatus> {
    const timeoutMs = options.timeoutInMilliseconds ?? DEFAULT_TIMEOUT_MS;
    const intervalMs =
      options.retryIntervalInMilliseconds ?? (this.#waitHub ? POLL_WITH_WAITER_MS : POLL_WITHOUT_WAITER_MS);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Registered before the store is read, so a completion committed in between still wakes this round.
      const wake = this.#waitHub?.register(instanceId);
      let record: InstanceRecord | undefined;
      try {
        // While the local worker runs the instance (just started here, say), there is nothing to read yet: it reports
        // the end.
        record = this.#localStarter?.runs(instanceId) && wake ? undefined : await this.#require(instanceId);
      } catch (err) {
        wake?.cancel();
        throw err;
      }
      if (record && isTerminal(record.runtimeStatus)) {
        wake?.cancel();
        return toOrchestrationStatus(record);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        wake?.cancel();
        throw new TaskhubError(
          'TIMEOUT',
          `Instance '${instanceId}' did not finish within ${timeoutMs} ms (it is ${record?.runtimeStatus ?? 'Running'}).`,
        );
      }
      const wait = Math.min(intervalMs, remaining);
      const reason = wake ? await wake.sleep(wait) : await sleep(wait);
      // The local worker hands over the row it just committed: no need to read it back.
      if (reason !== false && reason.record && isTerminal(reason.record.runtimeStatus)) {
        return toOrchestrationStatus(reason.record);
      }
    }
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    await this.#require(instanceId);
    return this.#store.getHistory(instanceId);
  }

  async signalEntity(entityId: EntityId, operationName?: string, operationContent?: unknown): Promise<void> {
    this.#notify?.(await signalEntity(this.#store, entityId, operationName, operationContent));
  }

  readEntityState<T = unknown>(entityId: EntityId): Promise<EntityStateResponse<T>> {
    return readEntityState<T>(this.#store, entityId);
  }

  listEntities(query?: EntityQuery): Promise<EntityPage> {
    return listEntities(this.#store, query);
  }

  async #start(
    name: string,
    instanceId: string,
    input: string | undefined,
    version: string | undefined,
    restartedFrom?: string,
  ): Promise<string> {
    if (typeof name !== 'string' || name === '') {
      throw new TaskhubError('INVALID_ARGUMENT', 'startNew needs a non-empty orchestrator function name.');
    }
    if (this.#knownOrchestrations && !this.#knownOrchestrations(name)) {
      throw new TaskhubError(
        'UNKNOWN_FUNCTION',
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: no orchestrator function with this name is registered in task hub '${this.taskHubName}'.`,
      );
    }
    const timestamp = now();
    const executionId = newInstanceId();
    // The instance's trace starts here (create_orchestration), under the caller's span when there is one.
    const span = startCreateOrchestration(name, instanceId, executionId, version);
    const startEvent: HistoryEvent = {
      eventType: 'ExecutionStarted',
      eventId: -1,
      timestamp,
      name,
      instanceId,
      executionId,
      input,
      ...(span?.stored ? { parentTraceContext: span.stored } : {}),
      ...(version === undefined ? {} : { version }),
      ...(restartedFrom !== undefined ? { restartedFrom } : {}),
    };
    const instance: NewInstance = { instanceId, executionId, name, input, createdTime: timestamp, startEvent };
    try {
      // Durable Functions' default: only an instance that is no longer running may be replaced.
      const local = this.#localStarter?.start(instance, TERMINAL_STATUSES);
      if (local) {
        await local;
      } else {
        await this.#store.createInstance(instance, { replaceableStatuses: TERMINAL_STATUSES });
        this.#notify?.(instanceId);
      }
    } catch (err) {
      span?.end(err);
      throw err;
    }
    this.#onStarted?.(name, version, instanceId);
    span?.end();
    return instanceId;
  }

  async #control(instanceId: string, type: ControlEvent, verb: string, reason: string | undefined): Promise<void> {
    await this.#requireUnfinished(instanceId, verb);
    await this.#send(instanceId, controlEvent(type, reason));
  }

  async #send(instanceId: string, event: HistoryEvent): Promise<void> {
    // No executionId: the message goes to whatever execution is current when it is delivered.
    const message: NewMessage = { instanceId, event };
    // The store drops messages to unknown instances: the instance was purged since we looked.
    if ((await this.#store.enqueueMessages([message])) === 0) throw notFound(instanceId);
    this.#notify?.(instanceId);
  }

  async #require(instanceId: string): Promise<InstanceRecord> {
    const record = await this.#store.getInstance(instanceId);
    if (!record) throw notFound(instanceId);
    return record;
  }

  async #requireUnfinished(instanceId: string, action: string): Promise<InstanceRecord> {
    const record = await this.#require(instanceId);
    if (isTerminal(record.runtimeStatus)) {
      throw new TaskhubError(
        'INSTANCE_FINISHED',
        `Cannot ${action} instance '${instanceId}' because it is in the ${record.runtimeStatus} state.`,
      );
    }
    return record;
  }

  async #queryAll(filter: OrchestrationFilter): Promise<DurableOrchestrationStatus[]> {
    const all: DurableOrchestrationStatus[] = [];
    let continuationToken = filter.continuationToken;
    do {
      const page = await this.listInstances({ ...filter, continuationToken });
      all.push(...page.instances);
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
    return all;
  }
}

function toInstanceQuery(filter: OrchestrationFilter): InstanceQuery {
  return {
    createdTimeFrom: filter.createdTimeFrom?.toISOString(),
    createdTimeTo: filter.createdTimeTo?.toISOString(),
    runtimeStatus: filter.runtimeStatus,
    instanceIdPrefix: filter.instanceIdPrefix,
    ...(filter.version === undefined ? {} : { version: filter.version }),
    pageSize: filter.pageSize,
    continuationToken: filter.continuationToken,
    showInput: filter.showInput,
  };
}

function controlEvent(type: ControlEvent, reason: string | undefined): HistoryEvent {
  const base = { eventId: -1, timestamp: now() };
  switch (type) {
    case 'ExecutionTerminated':
      // Durable Functions stores the reason as the event's input, JSON-encoded.
      return { ...base, eventType: type, input: toJsonText(reason, 'reason') };
    case 'ExecutionSuspended':
    case 'ExecutionResumed':
    case 'ExecutionRewound':
      return { ...base, eventType: type, reason };
    default: {
      const unhandled: never = type;
      throw new Error(`Unhandled control event: ${String(unhandled)}`);
    }
  }
}

function notFound(instanceId: string): TaskhubError {
  return new TaskhubError('INSTANCE_NOT_FOUND', `No instance with ID '${instanceId}' found.`);
}

function now(): string {
  return new Date().toISOString();
}

function sleep(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms));
}

/** startNew's `version`: a string; blank means none (then the default applies). */
function versionOption(version: unknown): string | undefined {
  if (version === undefined || version === null) return undefined;
  if (typeof version !== 'string') {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `startNew's version must be a string (e.g. "2.0"), not ${typeof version}.`,
    );
  }
  return version.trim() === '' ? undefined : version;
}
