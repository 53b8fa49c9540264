// Programming-model wrappers the public `df` namespace uses: the 2.x `df.orchestrator` / `df.entity` wrappers and the
// callables `df.app.orchestration` / `df.app.activity` return, which work inside any orchestrator through the ambient
// context (ambient.ts) set while orchestrator code runs.
import { currentOrchestration } from './ambient.js';
import { asyncGeneratorMessage, isAsyncGeneratorFunction, isAsyncOrchestrator, markAsync } from './code-runner.js';
import type { AnyOrchestrationHandler, EntityContext, EntityHandler, OrchestrationContext, Task } from './context.js';
import { TaskhubError } from './errors.js';
import type { RetryOptions } from './retry-options.js';
import { TaskBase } from './task.js';

const ORCHESTRATOR = Symbol.for('taskhub.orchestrator');
const ENTITY = Symbol.for('taskhub.entity');

/** A task from a registered callable; `.withRetry(options)` makes the same call with a retry policy instead. */
export interface RegisteredTask<TResult = unknown> extends Task<TResult> {
  /** Throws if this task was already yielded (it is scheduled by then). */
  withRetry(retryOptions: RetryOptions): Task<TResult>;
}

/** What `df.app.orchestration(name, …)` returns: call it inside an orchestrator to run a sub-orchestration. */
export type RegisteredOrchestration = <TResult = unknown>(
  input?: unknown,
  instanceId?: string,
) => RegisteredTask<TResult>;

/** What `df.app.activity(name, …)` returns: call it inside an orchestrator to schedule the activity. */
export type RegisteredActivity = <TResult = unknown>(input?: unknown) => RegisteredTask<TResult>;

/** 2.x: `module.exports = df.orchestrator(function* (context) { … })`, or `df.orchestrator(async (context) => …)`. */
export function orchestrator<H extends AnyOrchestrationHandler>(orchestratorFunction: H): H {
  checkOrchestrator(orchestratorFunction, 'df.orchestrator(fn)');
  const handler = (context: OrchestrationContext) => orchestratorFunction(context);
  if (isAsyncOrchestrator(orchestratorFunction)) markAsync(handler);
  Object.defineProperty(handler, ORCHESTRATOR, { value: true });
  return handler as H;
}

/** An orchestrator is a function* or an async function; an async function* is neither, and says what to write. */
export function checkOrchestrator(handler: unknown, what: string, name = what): void {
  if (typeof handler !== 'function') {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `${what} needs a generator function (function*) or an async function (async function).`,
    );
  }
  if (isAsyncGeneratorFunction(handler)) throw new TaskhubError('INVALID_ARGUMENT', asyncGeneratorMessage(name));
}

/** 2.x: `module.exports = df.entity((context) => { … })`. */
export function entity(entityFunction: EntityHandler): EntityHandler {
  if (typeof entityFunction !== 'function') {
    throw new TaskhubError('INVALID_ARGUMENT', 'df.entity(fn) needs a function.');
  }
  const handler: EntityHandler = (context: EntityContext) => entityFunction(context);
  Object.defineProperty(handler, ENTITY, { value: true });
  return handler;
}

/** True for a handler made by `orchestrator()`. */
export function isOrchestrator(value: unknown): boolean {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[ORCHESTRATOR] === true;
}

/** True for a handler made by `entity()`. */
export function isEntity(value: unknown): boolean {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[ENTITY] === true;
}

/** `version`: the callable of a version registered side by side starts children of that version. */
export function orchestrationCallable(name: string, version?: string): RegisteredOrchestration {
  return <TResult = unknown>(input?: unknown, instanceId?: string): RegisteredTask<TResult> => {
    const df = currentOrchestration(`The sub-orchestration callable '${name}'`);
    const task = df.callSubOrchestrator<TResult>(name, input, instanceId, version);
    return withRetry(task, (options) =>
      df.callSubOrchestratorWithRetry<TResult>(name, options, input, instanceId, version),
    );
  };
}

export function activityCallable(name: string): RegisteredActivity {
  return <TResult = unknown>(input?: unknown): RegisteredTask<TResult> => {
    const df = currentOrchestration(`The activity callable '${name}'`);
    const task = df.callActivity<TResult>(name, input);
    return withRetry(task, (options) => df.callActivityWithRetry<TResult>(name, options, input));
  };
}

function withRetry<TResult>(
  task: Task<TResult>,
  retried: (options: RetryOptions) => Task<TResult>,
): RegisteredTask<TResult> {
  return Object.assign(task, {
    withRetry(options: RetryOptions): Task<TResult> {
      if (task instanceof TaskBase && task.tracked) {
        throw new TaskhubError(
          'INVALID_ARGUMENT',
          'Invalid use of `.withRetry`: attempted to create a retriable task from one that was already scheduled ' +
            '(yielded). Call `.withRetry(options)` before yielding.',
        );
      }
      return retried(options);
    },
  });
}
