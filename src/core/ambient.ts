// The orchestration whose code is running right now, for df.app callables and for awaited tasks. Generator code runs
// synchronously inside the engine, so a module variable set around each step is exact and costs nothing. Async code
// resumes in microtasks interleaved with other instances' code (and, when it wrongly awaits I/O, in later
// macrotasks), so it carries its orchestration in an async-context storage: AsyncLocalStorage, installed from outside
// core (core imports no Node built-ins) and created only when the first async orchestrator runs, so processes with
// generator orchestrators only never pay for it. The same outside code tells the engine when the microtask queue has
// run dry (code-runner.ts decides then what the async code waits on).
import type { DurableOrchestrationContext } from './context.js';
import { TaskhubError } from './errors.js';
import type { TaskBase } from './task.js';

/** The part of AsyncLocalStorage the engine uses. */
export interface AsyncContextStorage<T> {
  run<R>(store: T, callback: () => R): R;
  getStore(): T | undefined;
}

/** What an awaited task reports to the async code runner of its orchestration. */
export interface AsyncScope {
  readonly df: DurableOrchestrationContext;
  /** The code awaited this task (its first `then`): schedule it, and count it as something the code waits on. */
  awaited(task: TaskBase): void;
  /** An awaited task settled: the code may run on. */
  settled(task: TaskBase): void;
}

/** What async orchestrators need of the platform, which core cannot import (worker/async-context.ts installs it). */
export interface AsyncRuntime {
  /** Creates the storage that carries an async orchestration's scope across awaits (AsyncLocalStorage). */
  readonly storage: () => AsyncContextStorage<AsyncScope>;
  /**
   * Resolves once the microtask queue has run dry, before any macrotask (I/O, timers) could run: what async code has
   * done by then is exactly what the engine's deliveries caused, however fast any I/O it awaits would answer.
   */
  readonly microtasksSettled: () => Promise<void>;
}

let current: DurableOrchestrationContext | undefined;
let runtime: AsyncRuntime | undefined;
let storage: AsyncContextStorage<AsyncScope> | undefined;

export function runInOrchestration<T>(context: DurableOrchestrationContext, step: () => T): T {
  const previous = current;
  current = context;
  try {
    return step();
  } finally {
    current = previous;
  }
}

/** Installs what async orchestrators need (the worker, the replayers, the test hub and `df` import the installer). */
export function installAsyncRuntime(installed: AsyncRuntime): void {
  runtime ??= installed;
}

/** Runs an async orchestrator's first step so everything it awaits later still knows its orchestration. */
export function runInAsyncOrchestration<T>(scope: AsyncScope, step: () => T): T {
  storage ??= runtime?.storage();
  if (!storage) {
    throw new TaskhubError(
      'NOT_SUPPORTED',
      "Async orchestrators need Taskhub's async context: import the engine through 'taskhub' (or its worker, test " +
        'hub or replayer) rather than from its core files alone.',
    );
  }
  return storage.run(scope, step);
}

/** See AsyncRuntime.microtasksSettled; only async code (which runInAsyncOrchestration let start) waits for it. */
export function microtasksSettled(): Promise<void> {
  if (!runtime) throw new TaskhubError('NOT_SUPPORTED', "Async orchestrators need Taskhub's async runtime.");
  return runtime.microtasksSettled();
}

/** The async orchestration whose code is running (undefined in generator code and outside orchestrations). */
export function currentAsyncScope(): AsyncScope | undefined {
  return storage?.getStore();
}

/** The running orchestration's context; throws when called outside orchestrator code. */
export function currentOrchestration(what: string): DurableOrchestrationContext {
  const context = current ?? storage?.getStore()?.df;
  if (!context) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `${what} can only be called from orchestrator code (a function* or an async function registered with ` +
        'df.app.orchestration), while it runs.',
    );
  }
  return context;
}
