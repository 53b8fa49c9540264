// Typed calls from orchestrator code: each is the plain `context.df` call with the declaration's name, returning the
// very task that call returns, typed with the declared result (`call` and `resultOf` wrap it in a TypedCall for
// `yield*` and `await`). They take durable-functions' context and Taskhub's alike (only the members below are read),
// so apps type-checked against the real packages use them unchanged.
import type { Task } from '../core/context.js';
import type {
  ActivityDeclaration,
  CallableDeclaration,
  EntityOperations,
  EventDeclaration,
  InputArgs,
  OperationArgs,
  OperationResult,
  OrchestrationDeclaration,
  TypedEntityId,
} from './declarations.js';
import { TaskCall, type TypedCall } from './typed-call.js';

/** The retry policy the *WithRetry calls take: durable-functions' RetryOptions (df.RetryOptions). */
export interface RetryOptionsLike {
  readonly firstRetryIntervalInMilliseconds: number;
  readonly maxNumberOfAttempts: number;
}

/** An entity id as durable-functions' calls take it. */
interface EntityIdLike {
  readonly name: string;
  readonly key: string;
}

/**
 * What the typed calls need of an orchestration context: durable-functions 3.x's `OrchestrationContext` and
 * Taskhub's both have it (method syntax on purpose: each context's own parameter and task types are accepted).
 */
export interface OrchestrationContextLike {
  readonly df: {
    getInput(): unknown;
    callActivity(name: string, input?: unknown): object;
    callActivityWithRetry(name: string, retryOptions: RetryOptionsLike, input?: unknown): object;
    callSubOrchestrator(name: string, input?: unknown, instanceId?: string): object;
    callSubOrchestratorWithRetry(
      name: string,
      retryOptions: RetryOptionsLike,
      input?: unknown,
      instanceId?: string,
    ): object;
    callEntity(entityId: EntityIdLike, operationName: string, operationInput?: unknown): object;
    waitForExternalEvent(name: string): object;
    readonly Task: {
      all(tasks: Task<unknown>[]): object;
      any(tasks: Task<unknown>[]): object;
    };
  };
}

/** Any durable task: Taskhub's, or durable-functions' own. */
export interface TaskLike {
  readonly isCompleted: boolean;
  readonly isFaulted: boolean;
}

/** Anything with `df.signalEntity`: an orchestration context (and an entity's context: a signal from an entity). */
export interface SignalsEntitiesInContext {
  readonly df: { signalEntity(entityId: EntityIdLike, operationName: string, operationInput?: unknown): void };
}

/** The orchestration's input, typed as declared: `context.df.getInput()`. */
export function getInput<TInput, TOutput>(
  context: { readonly df: { getInput(): unknown } },
  _declaration: OrchestrationDeclaration<TInput, TOutput>,
): TInput {
  return context.df.getInput() as TInput;
}

/** Schedule the activity: `context.df.callActivity(declaration.name, input)`. */
export function callActivity<TInput, TOutput>(
  context: OrchestrationContextLike,
  declaration: ActivityDeclaration<TInput, TOutput>,
  ...input: InputArgs<TInput>
): Task<TOutput>;
// The signatures above type the input as a rest tuple (required or optional as declared); the implementations take
// one plain parameter, so no call allocates an array for it.
export function callActivity(
  context: OrchestrationContextLike,
  declaration: ActivityDeclaration<unknown, unknown>,
  input?: unknown,
): Task<unknown> {
  return context.df.callActivity(declaration.name, input) as Task<unknown>;
}

/** `context.df.callActivityWithRetry(declaration.name, retryOptions, input)`. */
export function callActivityWithRetry<TInput, TOutput>(
  context: OrchestrationContextLike,
  declaration: ActivityDeclaration<TInput, TOutput>,
  retryOptions: RetryOptionsLike,
  ...input: InputArgs<TInput>
): Task<TOutput>;
export function callActivityWithRetry(
  context: OrchestrationContextLike,
  declaration: ActivityDeclaration<unknown, unknown>,
  retryOptions: RetryOptionsLike,
  input?: unknown,
): Task<unknown> {
  return context.df.callActivityWithRetry(declaration.name, retryOptions, input) as Task<unknown>;
}

/**
 * Start the sub-orchestration and wait for its output: `context.df.callSubOrchestrator(declaration.name, input,
 * instanceId)`. Without an instance id the child gets one derived from this instance's, as in Durable Functions.
 */
export function callSubOrchestrator<TInput, TOutput>(
  context: OrchestrationContextLike,
  declaration: OrchestrationDeclaration<TInput, TOutput>,
  input: TInput,
  instanceId?: string,
): Task<TOutput> {
  return context.df.callSubOrchestrator(declaration.name, input, instanceId) as Task<TOutput>;
}

/** `context.df.callSubOrchestratorWithRetry(declaration.name, retryOptions, input, instanceId)`. */
export function callSubOrchestratorWithRetry<TInput, TOutput>(
  context: OrchestrationContextLike,
  declaration: OrchestrationDeclaration<TInput, TOutput>,
  retryOptions: RetryOptionsLike,
  input: TInput,
  instanceId?: string,
): Task<TOutput> {
  const df = context.df;
  return df.callSubOrchestratorWithRetry(declaration.name, retryOptions, input, instanceId) as Task<TOutput>;
}

/**
 * Call an entity operation and wait for its result: `context.df.callEntity(entityId, operation, input)`. The
 * operation must be one the entity declares, with its input; the result has the operation's return type.
 */
export function callEntity<TOperations extends EntityOperations<TOperations>, TState, K extends keyof TOperations>(
  context: OrchestrationContextLike,
  entityId: TypedEntityId<TOperations, TState>,
  operationName: K & string,
  ...input: OperationArgs<TOperations, K>
): Task<OperationResult<TOperations, K>>;
export function callEntity(
  context: OrchestrationContextLike,
  entityId: EntityIdLike,
  operationName: string,
  input?: unknown,
): Task<unknown> {
  return context.df.callEntity(entityId, operationName, input) as Task<unknown>;
}

/** Wait for the event (`context.df.waitForExternalEvent(declaration.name)`); the task's result is its data. */
export function waitForExternalEvent<TData>(
  context: OrchestrationContextLike,
  declaration: EventDeclaration<TData>,
): Task<TData> {
  return context.df.waitForExternalEvent(declaration.name) as Task<TData>;
}

/** The result types of a tuple of tasks (`unknown` for a task whose result type is not known, as durable-functions'). */
export type ResultsOf<T extends readonly TaskLike[]> = {
  -readonly [K in keyof T]: T[K] extends Task<infer R> ? R : unknown;
};

/**
 * `context.df.Task.all(tasks)`, typed: a task whose result is the tasks' results, in order. It fails with the first
 * failure, and needs at least one task, as `Task.all` does.
 */
export function whenAll<const T extends readonly TaskLike[]>(
  context: OrchestrationContextLike,
  tasks: T,
): Task<ResultsOf<T>> {
  return context.df.Task.all(tasks as readonly TaskLike[] as Task<unknown>[]) as Task<ResultsOf<T>>;
}

/**
 * `context.df.Task.any(tasks)`, typed: a task whose result is the first of the tasks to finish (compare it with
 * `===`, read its `result`). Needs at least one task.
 */
export function whenAny<T extends TaskLike>(context: OrchestrationContextLike, tasks: readonly T[]): Task<T> {
  return context.df.Task.any(tasks as readonly TaskLike[] as Task<unknown>[]) as Task<T>;
}

/**
 * Wait for a task with its result typed: `const n = yield* resultOf(task)` in a generator orchestrator (a plain
 * `yield task` gives `unknown`), `await resultOf(task)` in an async one. A failed task throws there.
 */
export function resultOf<TResult>(task: Task<TResult>): TypedCall<TResult>;
export function resultOf<TTask extends TaskLike>(task: TTask): TypedCall<unknown, TTask>;
export function resultOf(task: TaskLike): TypedCall<unknown, TaskLike> {
  return new TaskCall(task);
}

/**
 * Call an activity or a sub-orchestration and wait for its typed result: `const n = yield* call(context, addOne, 1)`
 * in a generator orchestrator, `await call(context, addOne, 1)` in an async one. The same as
 * `yield context.df.callActivity('AddOne', 1)` (`callSubOrchestrator` for an orchestration, with the instance id
 * Durable Functions derives), plus one small object.
 */
export function call<TInput, TOutput>(
  context: OrchestrationContextLike,
  declaration: CallableDeclaration<TInput, TOutput>,
  ...input: InputArgs<TInput>
): TypedCall<TOutput>;
export function call(
  context: OrchestrationContextLike,
  declaration: CallableDeclaration<unknown, unknown>,
  input?: unknown,
): TypedCall<unknown> {
  const df = context.df;
  const task =
    declaration.kind === 'activity'
      ? df.callActivity(declaration.name, input)
      : df.callSubOrchestrator(declaration.name, input);
  return new TaskCall(task as Task<unknown>);
}

/**
 * Send a one-way operation to an entity: from an orchestration or an entity, `context.df.signalEntity(...)` (returns
 * nothing; do not yield it); from a client, `client.signalEntity(...)` (returns its promise).
 */
export function signalEntity<TOperations extends EntityOperations<TOperations>, TState, K extends keyof TOperations>(
  context: SignalsEntitiesInContext,
  entityId: TypedEntityId<TOperations, TState>,
  operationName: K & string,
  ...input: OperationArgs<TOperations, K>
): void;
export function signalEntity<TOperations extends EntityOperations<TOperations>, TState, K extends keyof TOperations>(
  client: ClientSignalsEntities,
  entityId: TypedEntityId<TOperations, TState>,
  operationName: K & string,
  ...input: OperationArgs<TOperations, K>
): Promise<void>;
export function signalEntity(
  target: SignalsEntitiesInContext | ClientSignalsEntities,
  entityId: EntityIdLike,
  operationName: string,
  input?: unknown,
): void | Promise<void> {
  if ('df' in target) return target.df.signalEntity(entityId, operationName, input);
  return target.signalEntity(entityId, operationName, input);
}

/** A durable client's `signalEntity`: durable-functions' DurableClient, Taskhub's, a test hub's `client`. */
export interface ClientSignalsEntities {
  signalEntity(entityId: EntityIdLike, operationName?: string, operationContent?: unknown): Promise<void>;
}
