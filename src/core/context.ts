// The public programming model, interfaces only (implementations live in orchestration-context.ts and task.ts):
// what orchestrator, activity and entity code sees. Names follow durable-functions 3.x so Azure users feel at home.
import type { BindingValues } from './binding-values.js';
import type { DurableLock, LockState } from './durable-lock.js';
import type { EntityId } from './entity-id.js';
import type { RetryOptions } from './retry-options.js';

/** Log levels the replay-safe logger and the activity logger understand. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * Where orchestrator logs go. The runtime passes one in; core only formats the message and decides (replay) whether to
 * emit it, because core may not touch I/O itself.
 */
export type LogSink = (level: LogLevel, message: string) => void;

/** One logging function: arguments are joined with spaces, non-strings JSON-encoded. */
export type LogMethod = (...args: unknown[]) => void;

/** A logger with the InvocationContext method names: `log` is `info`. */
export interface ContextLogger {
  readonly log: LogMethod;
  readonly trace: LogMethod;
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
}

/**
 * A durable operation the orchestrator can `yield` (in a `function*`) or `await` (in an `async function`): an activity
 * call, a timer, an external event, a sub-orchestration, or a combination of those. Yielding or awaiting it suspends
 * the orchestrator until the task finishes; the expression then evaluates to its result, or throws its error.
 *
 * Unlike durable-functions' JS shim, `isCompleted` is true for failed tasks too (as in .NET): check `isFaulted`.
 */
export interface Task<TResult = unknown> extends TaskState<TResult> {
  /**
   * What `await task` calls, in an async orchestrator: the first call schedules the task as `yield` would. Awaiting
   * a task outside an async orchestrator rejects with a TypeError.
   */
  readonly then: TaskThen<TResult>;
}

/** `then` of a task: the promise of its result, as on a Promise. */
export type TaskThen<TResult> = <TResult1 = TResult, TResult2 = never>(
  onfulfilled?: ((value: TResult) => TResult1 | PromiseLike<TResult1>) | null,
  onrejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
) => Promise<TResult1 | TResult2>;

/**
 * A task's state without its `then`: what `await context.df.Task.any(tasks)` gives, the winning task itself, to
 * compare by identity (`winner === timeout`) and read `.result` / `.error` from.
 */
export type SettledTask<T extends Task> = Omit<T, 'then'>;

/** The state every task exposes. */
export interface TaskState<TResult = unknown> {
  /** True once the task finished, successfully or not. */
  readonly isCompleted: boolean;
  /** True when the task failed; `error` then holds the failure. */
  readonly isFaulted: boolean;
  /** The value of a successfully completed task, otherwise undefined. */
  readonly result: TResult | undefined;
  /** The failure of a faulted task, otherwise undefined. */
  readonly error: Error | undefined;
}

/** A durable timer (from `createTimer`). */
export interface TimerTask extends Task<void> {
  /** True after `cancel()`. A cancelled timer never completes; its later firing is ignored. */
  readonly isCanceled: boolean;
  /**
   * Cancel the timer, so an orchestrator that raced it against other work (`Task.any`) does not wait for it.
   * Throws "Cannot cancel a completed task." if it already fired.
   */
  cancel(): void;
}

/** The result types of a tuple or array of tasks, for `Task.all`. */
export type TaskResults<T extends readonly Task[]> = {
  -readonly [K in keyof T]: T[K] extends Task<infer R> ? R : never;
};

/** Combinators for fan-out / fan-in and races. Both nest: their results are tasks too. */
export interface TaskCombinators {
  /**
   * A task that completes when every task completed, with their results in input order. It fails as soon as the
   * first of them fails (in completion order), with that task's error. Needs at least one task (an empty list
   * throws, as in durable-functions 3.x).
   */
  all<T extends readonly Task[]>(tasks: T): Task<TaskResults<T>>;
  /**
   * A task that completes when the first of the tasks finishes (successfully or not); its result is that task, to
   * compare by identity and read `.result` / `.error` from. Never fails itself. Needs at least one task.
   * `await Task.any(tasks)` gives the task too (typed without its `then`, so TypeScript does not unwrap it).
   */
  any<T extends Task>(tasks: readonly T[]): Task<SettledTask<T>>;
}

/** Options of a durable HTTP call (`callHttp`), as in durable-functions. */
export interface CallHttpOptions {
  readonly method: string;
  readonly url: string;
  /** A string is sent as is; anything else is JSON-encoded. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Managed identity token source, kept for compatibility; Taskhub passes it on to the HTTP activity. */
  readonly tokenSource?: { readonly resource: string };
  /** Follow 202 + Location responses by polling (default true). */
  readonly enablePolling?: boolean;
  /** @deprecated durable-functions 2.x name of enablePolling. */
  readonly asynchronousPatternEnabled?: boolean;
}

/** The request the built-in HTTP activity receives, with durable-functions' wire names. */
export interface DurableHttpRequest {
  readonly method: string;
  readonly uri: string;
  readonly content?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly tokenSource?: { readonly resource: string; readonly kind: 'AzureManagedIdentity' };
  readonly asynchronousPatternEnabled: boolean;
}

/** What a durable HTTP call returns. */
export interface DurableHttpResponse {
  readonly statusCode: number;
  readonly content?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * `context.df` inside an orchestrator: the durable API. Orchestrator code must be deterministic (it is replayed from
 * history): take time from `currentUtcDateTime`, ids from `newGuid`, and do all I/O in activities.
 */
export interface DurableOrchestrationContext {
  /** This orchestration instance's id. */
  readonly instanceId: string;
  /** The parent instance's id when running as a sub-orchestration. */
  readonly parentInstanceId: string | undefined;
  /**
   * The version this instance was created with (durable-functions 3.5): its start's `version`, else host.json
   * `defaultVersion` (or, in Taskhub, the newest version registered side by side). Undefined for none.
   */
  readonly version: string | undefined;
  /** True while the code is being replayed from stored history (also before the first yield), false for new events. */
  readonly isReplaying: boolean;
  /** Deterministic "now": the start time of the current episode. A new Date object on each read. */
  readonly currentUtcDateTime: Date;
  /** The value last passed to `setCustomStatus`. */
  readonly customStatus: unknown;
  /** Fan-out / fan-in and races. */
  readonly Task: TaskCombinators;

  /** The orchestration's input (decoded JSON). */
  getInput<TInput = unknown>(): TInput;
  /** Schedule an activity; the task's result is the activity's return value. */
  callActivity<TResult = unknown>(name: string, input?: unknown): Task<TResult>;
  /** Schedule an activity, retrying failed attempts as the options say (durable timers between attempts). */
  callActivityWithRetry<TResult = unknown>(name: string, retryOptions: RetryOptions, input?: unknown): Task<TResult>;
  /**
   * Start a sub-orchestration and wait for its output. Without an instance id the child gets
   * `<this instance id>:<sequence number>`, as the Azure host does.
   */
  callSubOrchestrator<TResult = unknown>(
    name: string,
    input?: unknown,
    instanceId?: string,
    version?: string,
  ): Task<TResult>;
  /** A sub-orchestration with retries (each attempt gets its own default instance id unless one is given). */
  callSubOrchestratorWithRetry<TResult = unknown>(
    name: string,
    retryOptions: RetryOptions,
    input?: unknown,
    instanceId?: string,
    version?: string,
  ): Task<TResult>;
  /** A durable HTTP request, run by the built-in activity `BuiltIn::HttpActivity`. */
  callHttp(options: CallHttpOptions): Task<DurableHttpResponse>;
  /** durable-functions 2.x positional form of callHttp. */
  callHttp(
    method: string,
    uri: string,
    content?: unknown,
    headers?: Readonly<Record<string, string>>,
    tokenSource?: { readonly resource: string },
    asynchronousPatternEnabled?: boolean,
  ): Task<DurableHttpResponse>;
  /** Call an entity operation and wait for its result (a two-way message). */
  callEntity<TResult = unknown>(entityId: EntityId, operationName: string, operationInput?: unknown): Task<TResult>;
  /** Send a one-way operation to an entity. Fire-and-forget: do not yield the (void) result. */
  signalEntity(entityId: EntityId, operationName: string, operationInput?: unknown): void;
  /**
   * Lock entities for a critical section (yield the task): while held, the entities run only this orchestration's
   * operations and queue everybody else's. Locks are taken one by one in sorted id order, so two orchestrations
   * locking overlapping sets cannot deadlock. Release with `lock.release()`; ending the orchestration releases too.
   */
  lockEntities(...entityIds: EntityId[]): Task<EntityLock>;
  /**
   * durable-functions 3.5's name for a critical section: `yield context.df.lock(a, b)` (or `lock([a, b])`) gives a
   * DurableLock. From the call until `release()`, the locking rules hold (LockingRulesViolationError otherwise): no
   * nested lock, no sub-orchestration, callEntity only to locked entities and one call at a time per entity, no
   * signal to a locked entity.
   */
  lock(first: EntityId | readonly EntityId[], ...rest: EntityId[]): Task<DurableLock>;
  /** Whether a critical section is held (or requested), and its entities. */
  isLocked(): LockState;
  /** A durable timer that fires at `fireAt`. A waiting orchestration holds no memory: only a stored timer. */
  createTimer(fireAt: Date): TimerTask;
  /**
   * Wait for an event raised to this instance with that name (case-insensitive). Events raised before anybody
   * waits are buffered and delivered once each, in arrival order; several waiters on one name are served in the order
   * they started waiting (first yielded, first served).
   */
  waitForExternalEvent<TEvent = unknown>(name: string): Task<TEvent>;
  /**
   * End this execution and start a fresh one with a new input (and an empty history), e.g. for eternal
   * orchestrations. Takes effect when the code next yields or returns. With `preserveUnprocessedEvents`, events
   * received but not yet consumed are delivered to the new execution first.
   */
  continueAsNew(input: unknown, preserveUnprocessedEvents?: boolean): void;
  /** Publish a JSON-serializable status for clients; falsy values (0, '', false) are kept. */
  setCustomStatus(status: unknown): void;
  /** A deterministic UUID (name-based, version 5): the same on every replay of this point of the code. */
  newGuid(): string;
}

/**
 * What an orchestrator function receives: an InvocationContext-like object with `df`, the durable API. Its logging
 * methods are replay-safe: suppressed while the code replays history, so each message is written once.
 */
export interface OrchestrationContext extends ContextLogger {
  readonly df: DurableOrchestrationContext;
  readonly invocationId: string;
  readonly functionName: string;
}

/**
 * A generator orchestrator (`function*`), durable-functions' own kind: `yield task` evaluates to the task's result
 * (typed `unknown`: cast it, as in `(yield t) as number`).
 */
export type OrchestrationHandler = (context: OrchestrationContext) => OrchestrationGenerator;

/**
 * Any orchestrator Taskhub runs: a generator function (`function*`) that yields tasks, or an async function that
 * awaits them. Both run on the same replay engine over the same history.
 */
export type AnyOrchestrationHandler = OrchestrationHandler | AsyncOrchestrationHandler;

/**
 * An async orchestrator (`async function` or `async (context) => …`): `await task` gives the task's result, typed.
 * It may await only durable tasks (and Promise.all / Promise.race over them, or async helpers that await them):
 * awaiting I/O, a timer of Node or any other promise fails the instance.
 */
export type AsyncOrchestrationHandler<TOutput = unknown> = (context: OrchestrationContext) => Promise<TOutput>;

/**
 * The return type to annotate a standalone orchestrator with (`function* f(context): OrchestrationGenerator<string>`),
 * so its `yield` expressions are `unknown` rather than an implicit `any`.
 */
export type OrchestrationGenerator<TOutput = unknown> = Generator<Task, TOutput, unknown>;

/** What an activity function receives besides its input. */
export interface ActivityContext extends ContextLogger {
  /** Unique per delivery of the invocation. */
  readonly invocationId: string;
  readonly functionName: string;
  /** The orchestration instance that scheduled the activity. */
  readonly instanceId: string;
  /** The sequence id of the scheduling (TaskScheduled) event. */
  readonly taskScheduledId: number;
  /**
   * Stable across redeliveries of the same scheduled activity: activities run at least once, so use this to make
   * side effects idempotent (e.g. as a payment provider's idempotency key).
   */
  readonly idempotencyKey: string;
  /** 1 on the first delivery, more after a crash or lease expiry. */
  readonly deliveryCount: number;
  /** As on an InvocationContext: values of extra input bindings, by binding. */
  readonly extraInputs: BindingValues;
  /** As on an InvocationContext: `set` never throws; a binding Taskhub does not deliver is reported once. */
  readonly extraOutputs: BindingValues;
}

/** An activity: ordinary (possibly async) code; its return value (JSON-serializable) is the task's result. */
export type ActivityHandler = (input: unknown, context: ActivityContext) => unknown;

/**
 * `context.df` inside an entity function: one operation of a batch. The state is stored as JSON: `getState` decodes
 * a fresh copy each time, so changes count only once passed to `setState`.
 */
export interface DurableEntityContext<TState = unknown> {
  readonly entityName: string;
  readonly entityKey: string;
  readonly entityId: EntityId;
  /** The operation being executed (e.g. 'add'); '' for an operation sent without a name. */
  readonly operationName: string;
  /** True when the entity had no state before this operation. */
  readonly isNewlyConstructed: boolean;
  /** The current state, or `initializer()` when there is none (not stored until `setState`). */
  getState(initializer?: () => TState): TState | undefined;
  setState(state: TState): void;
  /** The operation's input (decoded JSON), undefined when none was sent. */
  getInput<TInput = unknown>(): TInput | undefined;
  /** The operation's result, for a caller that used callEntity. */
  return(value: unknown): void;
  /** Delete the entity's state once this operation succeeds. */
  destructOnExit(): void;
  /** Send a one-way operation to an entity (sent only if this operation succeeds). */
  signalEntity(entityId: EntityId, operationName: string, operationInput?: unknown): void;
}

/** What an entity function receives: an InvocationContext-like object with `df`. */
export interface EntityContext<TState = unknown> extends ContextLogger {
  readonly df: DurableEntityContext<TState>;
  readonly invocationId: string;
  readonly functionName: string;
}

/**
 * An entity function: runs once per operation, one operation at a time per entity, possibly async. A thrown error
 * fails that operation only, and its state changes and signals are rolled back (the durable-functions JS shim keeps
 * them: Taskhub does not).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any state type: the registry holds entities of every state type
export type EntityHandler<TState = any> = (context: EntityContext<TState>) => unknown;

/** A critical section's locks (from `lockEntities`); `release()` unlocks every entity of the section. */
export interface EntityLock {
  readonly entities: readonly EntityId[];
  /** Sends the release to each locked entity; the orchestration ending releases the locks too. */
  release(): void;
}
