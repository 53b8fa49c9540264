// The DurableOrchestrationContext implementation bound to the replay engine: turns API calls into tasks, keeps the
// per-execution state the API owns (input, custom status, continue-as-new request, GUID counter), and logs replay-safely.
import type {
  CallHttpOptions,
  ContextLogger,
  DurableHttpRequest,
  DurableHttpResponse,
  DurableOrchestrationContext,
  EntityLock,
  LogLevel,
  LogMethod,
  LogSink,
  OrchestrationContext,
  Task,
  TimerTask,
} from './context.js';
import { DurableLock, LockingRulesViolationError, LockingRulesViolationMessages, LockState } from './durable-lock.js';
import { asEntityId, EntityId } from './entity-id.js';
import { EntityLockTask, lockRequestAction, lockset, releaseActions, type CriticalSection } from './entity-lock.js';
import { TaskhubError } from './errors.js';
import { jsonText, toJson } from './failure.js';
import { uuidV5 } from './guid.js';
import { CallHttpTask, DEFAULT_HTTP_POLLING_INTERVAL_MS } from './http-task.js';
import { retryPolicyOf, type RetryOptions } from './retry-options.js';
import {
  ActionTask,
  EntityCallTask,
  EventTask,
  RetryableTask,
  taskCombinators,
  TimerTaskImpl,
  type TaskEngine,
} from './task.js';

export { HTTP_ACTIVITY_NAME } from './http-task.js';

/** What the context needs from the engine besides task scheduling. */
export interface ContextEngine extends TaskEngine {
  readonly isReplaying: boolean;
  /** Record an action that needs no task (signalEntity): it consumes a sequence id at once. */
  scheduleNow(task: ActionTask): void;
  /** Keep the stack of every durable call in `callSites` (only the replay that locates a divergence does). */
  readonly captureCallSites?: boolean;
}

/** Where the orchestrator made each durable call: stacks formatted only if the call turns out to diverge. */
export const callSites = new WeakMap<ActionTask, Error>();

function at<T extends ActionTask>(task: T, site: Error | undefined): T {
  if (site) callSites.set(task, site);
  return task;
}

export interface ContinueAsNewRequest {
  readonly input: string | undefined;
  readonly preserveUnprocessedEvents: boolean;
}

export class DurableContextImpl implements DurableOrchestrationContext {
  readonly Task = taskCombinators;
  /** Decoded input of the execution; set by the engine on ExecutionStarted. */
  input: unknown;
  /** The instance's version; set by the engine on ExecutionStarted. */
  version: string | undefined;
  customStatusSet = false;
  #customStatus: unknown;
  continueAsNewRequest: ContinueAsNewRequest | undefined;
  /** The wait between polls of a 202 answer without Retry-After (callHttp). */
  httpPollingIntervalMs = DEFAULT_HTTP_POLLING_INTERVAL_MS;
  /** The critical section held or requested (lock / lockEntities), with its handle: the locking rules apply. */
  #held: { readonly section: CriticalSection; readonly lock: DurableLock } | undefined;
  #guidCounter = 0;
  readonly #engine: ContextEngine;

  constructor(
    engine: ContextEngine,
    readonly instanceId: string,
    readonly parentInstanceId: string | undefined,
  ) {
    this.#engine = engine;
  }

  get isReplaying(): boolean {
    return this.#engine.isReplaying;
  }
  get currentUtcDateTime(): Date {
    return new Date(this.#engine.nowMs());
  }
  /** The section the runtime releases when the orchestration ends while holding it. */
  get criticalSection(): CriticalSection | undefined {
    return this.#held?.section;
  }
  get customStatus(): unknown {
    return this.#customStatus;
  }

  getInput<TInput = unknown>(): TInput {
    return this.input as TInput;
  }

  callActivity<TResult = unknown>(name: string, input?: unknown): Task<TResult> {
    const spec = { kind: 'ScheduleTask', name: requireName(name, 'An activity'), ...payload(input) } as const;
    return at(new ActionTask<TResult>(spec), this.#site());
  }

  callActivityWithRetry<TResult = unknown>(name: string, retryOptions: RetryOptions, input?: unknown): Task<TResult> {
    const policy = retryPolicyOf(retryOptions);
    const spec = {
      kind: 'ScheduleTask',
      name: requireName(name, 'An activity'),
      ...payload(input),
      maxAttempts: policy.maxNumberOfAttempts,
    } as const;
    const site = this.#site();
    return new RetryableTask<TResult>(() => at(new ActionTask<TResult>(spec), site), policy);
  }

  callSubOrchestrator<TResult = unknown>(
    name: string,
    input?: unknown,
    instanceId?: string,
    version?: string,
  ): Task<TResult> {
    return at(new ActionTask<TResult>(this.#subOrchestrationSpec(name, input, instanceId, version)), this.#site());
  }

  callSubOrchestratorWithRetry<TResult = unknown>(
    name: string,
    retryOptions: RetryOptions,
    input?: unknown,
    instanceId?: string,
    version?: string,
  ): Task<TResult> {
    const policy = retryPolicyOf(retryOptions);
    const spec = {
      ...this.#subOrchestrationSpec(name, input, instanceId, version),
      maxAttempts: policy.maxNumberOfAttempts,
    };
    const site = this.#site();
    return new RetryableTask<TResult>(() => at(new ActionTask<TResult>(spec), site), policy);
  }

  callHttp(
    optionsOrMethod: CallHttpOptions | string,
    uri?: string,
    content?: unknown,
    headers?: Readonly<Record<string, string>>,
    tokenSource?: { readonly resource: string },
    asynchronousPatternEnabled?: boolean,
  ): Task<DurableHttpResponse> {
    const options: CallHttpOptions =
      typeof optionsOrMethod === 'string'
        ? {
            method: optionsOrMethod,
            url: uri as string,
            ...(content === undefined ? {} : { body: content }),
            ...(headers === undefined ? {} : { headers }),
            ...(tokenSource === undefined ? {} : { tokenSource }),
            ...(asynchronousPatternEnabled === undefined ? {} : { asynchronousPatternEnabled }),
          }
        : optionsOrMethod;
    if (!options || typeof options.method !== 'string' || typeof options.url !== 'string') {
      throw new TaskhubError('INVALID_ARGUMENT', 'callHttp needs options with a string `method` and `url`.');
    }
    const request: DurableHttpRequest = {
      method: options.method,
      uri: options.url,
      ...(options.body === undefined
        ? {}
        : { content: typeof options.body === 'string' ? options.body : jsonText(options.body) }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.tokenSource === undefined
        ? {}
        : { tokenSource: { resource: options.tokenSource.resource, kind: 'AzureManagedIdentity' as const } }),
      asynchronousPatternEnabled: options.enablePolling ?? options.asynchronousPatternEnabled ?? true,
    };
    return new CallHttpTask(request, this.httpPollingIntervalMs);
  }

  callEntity<TResult = unknown>(entityId: EntityId, operationName: string, operationInput?: unknown): Task<TResult> {
    const lock = this.#held?.lock;
    const target = lock ? asEntityId(entityId)?.toString() : undefined;
    if (lock && target !== undefined) {
      if (!this.#holds(target)) {
        throw new LockingRulesViolationError(LockingRulesViolationMessages.CallUnlockedEntity);
      }
      if (lock.inFlightEntityCalls.has(target)) {
        throw new LockingRulesViolationError(LockingRulesViolationMessages.ParallelSameEntity);
      }
    }
    const requestId = this.newGuid();
    const request = this.#entityRequest(entityId, operationName, operationInput, requestId, false);
    if (!lock || target === undefined) return new EntityCallTask<TResult>(requestId, request);
    lock.inFlightEntityCalls.add(target);
    return new EntityCallTask<TResult>(requestId, request, () => lock.inFlightEntityCalls.delete(target));
  }

  signalEntity(entityId: EntityId, operationName: string, operationInput?: unknown): void {
    const target = asEntityId(entityId)?.toString();
    if (target !== undefined && this.#holds(target)) {
      throw new LockingRulesViolationError(LockingRulesViolationMessages.SignalLockedEntity);
    }
    const request = this.#entityRequest(entityId, operationName, operationInput, this.newGuid(), true);
    this.#engine.scheduleNow(request);
  }

  lockEntities(...entityIds: EntityId[]): Task<EntityLock> {
    return this.lock(entityIds);
  }

  /** durable-functions 3.5: `lock(a, b)` or `lock([a, b])`; the section starts at once (rules apply before the grant). */
  lock(first: EntityId | readonly EntityId[], ...rest: EntityId[]): Task<DurableLock> {
    const entityIds: readonly unknown[] = Array.isArray(first)
      ? first
      : [first, ...rest].filter((e) => e !== undefined);
    if (entityIds.length === 0) throw new RangeError('lock requires at least one EntityId');
    if (this.#held) throw new LockingRulesViolationError(LockingRulesViolationMessages.NestedSection);
    const section: CriticalSection = { lockId: this.newGuid(), entities: lockset(entityIds) };
    const lock = new DurableLock(
      section.entities.map((id) => EntityId.fromSchedulerId(id)),
      () => {
        if (this.#held?.lock !== lock) return;
        this.#held = undefined;
        for (const action of releaseActions(section, this.instanceId)) this.#engine.scheduleNow(action);
      },
    );
    this.#held = { section, lock };
    return new EntityLockTask(lockRequestAction(section, this.instanceId), section, lock);
  }

  isLocked(): LockState {
    const lock = this.#held?.lock;
    return lock ? new LockState(true, [...lock.ownedLocks]) : new LockState(false, []);
  }

  /** Whether the held section includes this entity (scheduler id). */
  #holds(schedulerId: string): boolean {
    return this.#held?.section.entities.includes(schedulerId) === true;
  }

  createTimer(fireAt: Date): TimerTask {
    if (!(fireAt instanceof Date) || Number.isNaN(fireAt.getTime())) {
      throw new TypeError('createTimer: fireAt must be a valid Date.');
    }
    return at(new TimerTaskImpl(fireAt.toISOString()), this.#site());
  }

  waitForExternalEvent<TEvent = unknown>(name: string): Task<TEvent> {
    return new EventTask<TEvent>(requireName(name, 'An external event'));
  }

  continueAsNew(input: unknown, preserveUnprocessedEvents = false): void {
    this.continueAsNewRequest = { input: toJson(input), preserveUnprocessedEvents };
  }

  setCustomStatus(status: unknown): void {
    this.customStatusSet = true;
    this.#customStatus = status;
  }

  #subOrchestrationSpec(name: string, input: unknown, instanceId: string | undefined, version: string | undefined) {
    if (this.#held) throw new LockingRulesViolationError(LockingRulesViolationMessages.SubOrchestrationInSection);
    // As Durable Functions: a child may not take over this instance (or its parent), whose history it would replace.
    if (instanceId !== undefined && (instanceId === this.instanceId || instanceId === this.parentInstanceId)) {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        `A sub-orchestration cannot have the instance id '${instanceId}' of the orchestration that starts it or of its parent.`,
      );
    }
    return subOrchestrationSpec(name, input, instanceId, version);
  }

  #site(): Error | undefined {
    return this.#engine.captureCallSites ? new Error('durable call') : undefined;
  }

  /** UUID v5 of (instance id, current time, counter): stable across replays because all three are. */
  newGuid(): string {
    const name = `${this.instanceId}_${new Date(this.#engine.nowMs()).toISOString()}_${this.#guidCounter++}`;
    return uuidV5(name);
  }

  #entityRequest(entityIdLike: EntityId, operation: string, input: unknown, id: string, signal: boolean): ActionTask {
    const entityId = asEntityId(entityIdLike);
    if (!entityId) throw new TypeError('An entity operation needs an EntityId (or its JSON form { name, key }).');
    requireName(operation, 'An entity operation');
    const message = {
      id,
      op: operation,
      signal,
      ...(input === undefined ? {} : { input: toJson(input) }),
      parent: this.instanceId,
    };
    return new ActionTask({ kind: 'SendEvent', instanceId: entityId.toString(), name: 'op', input: toJson(message) });
  }
}

/** The InvocationContext-like object orchestrator functions receive. */
export function createOrchestrationContext(
  df: DurableContextImpl,
  functionName: string,
  isReplaying: () => boolean,
  sink: LogSink | undefined,
): OrchestrationContext {
  // Replay-safe: a message is written when its code runs for the first time, never again on replay.
  const logger = contextLogger(sink, () => !isReplaying());
  return { ...logger, df, invocationId: df.instanceId, functionName };
}

/** The InvocationContext-style logger over a sink: arguments joined with spaces, non-strings JSON-encoded. */
export function contextLogger(sink: LogSink | undefined, enabled: () => boolean = () => true): ContextLogger {
  const method =
    (level: LogLevel): LogMethod =>
    (...args: unknown[]) => {
      if (sink && enabled()) sink(level, args.map((a) => (typeof a === 'string' ? a : jsonText(a))).join(' '));
    };
  return {
    log: method('info'),
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
  };
}

function payload(input: unknown): { input?: string } {
  // One JSON encoding, also for strings (durable-functions encodes strings twice: quirk B7.5, not copied).
  const text = toJson(input);
  return text === undefined ? {} : { input: text };
}

function subOrchestrationSpec(
  name: string,
  input: unknown,
  instanceId: string | undefined,
  version: string | undefined,
) {
  if (instanceId !== undefined && (typeof instanceId !== 'string' || instanceId === '')) {
    throw new TaskhubError('INVALID_ARGUMENT', 'A sub-orchestration instance id must be a non-empty string.');
  }
  if (version !== undefined && version !== null && typeof version !== 'string') {
    throw new TaskhubError('INVALID_ARGUMENT', `A sub-orchestration version must be a string, not ${typeof version}.`);
  }
  return {
    kind: 'CreateSubOrchestration',
    name: requireName(name, 'A sub-orchestration function'),
    ...(instanceId === undefined ? {} : { instanceId }),
    ...payload(input),
    ...(typeof version === 'string' && version.trim() !== '' ? { version } : {}),
  } as const;
}

function requireName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new TaskhubError('INVALID_ARGUMENT', `${what} name must be provided (a non-empty string).`);
  }
  return name;
}
