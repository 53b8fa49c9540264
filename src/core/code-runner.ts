// Runs the orchestrator's code: a generator it starts and feeds the results of the tasks it yields, or an async
// function whose awaited tasks it schedules and settles; either way it turns the code's end (return, uncaught error,
// continueAsNew) into an outcome. User code runs only here, inside the ambient context.
//
// Async code resumes in microtasks, never inside the call that delivers a completion. So after a delivery that
// settled an awaited task, the executor calls drain(): it waits until the microtask queue has run dry, before any
// macrotask (an I/O callback, a timer) could run, so the code's state then is exactly what the deliveries caused. It
// has either ended, or awaits an unfinished durable task, or awaits something else: I/O, a timer, a promise nothing
// durable settles, which no history could ever resume or repeat, however fast it would answer. The instance fails at
// once. A delivery that settles nothing awaited (one child of Task.all) costs nothing.
import { microtasksSettled, runInAsyncOrchestration, runInOrchestration, type AsyncScope } from './ambient.js';
import type { AnyOrchestrationHandler, OrchestrationContext } from './context.js';
import type { EpisodeOutcome } from './episode.js';
import { failureDetailsOf, toJson } from './failure.js';
import { TaskhubError } from './errors.js';
import type { EventRaisedEvent } from './history.js';
import type { DurableContextImpl } from './orchestration-context.js';
import { constraintViolation, isGenerator, isPromiseLike } from './replay-events.js';
import { TaskBase } from './task.js';

/** How an execution ended. */
export type Outcome = Exclude<EpisodeOutcome, { status: 'Running' | 'Suspended' }>;

type Generated = Generator<unknown, unknown, unknown>;

export interface CodeRunnerDeps {
  readonly handler: AnyOrchestrationHandler;
  readonly context: OrchestrationContext;
  readonly df: DurableContextImpl;
  readonly name: string;
  /** Schedule a yielded task (sequence ids, actions). */
  readonly track: (task: TaskBase) => void;
  /** The code ended. */
  readonly finish: (outcome: Outcome) => void;
  /** Events to carry into the next execution when continueAsNew keeps unprocessed events. */
  readonly unprocessedEvents: () => EventRaisedEvent[];
  /** The async code awaits something that is not a durable task: the error to fail the instance with. */
  readonly stuck: () => Error;
}

const ASYNC_ORCHESTRATOR = Symbol.for('taskhub.asyncOrchestrator');

/** True for an `async function` (or a wrapper marked by markAsync): its code runs on the async path. */
export function isAsyncOrchestrator(handler: unknown): boolean {
  if (typeof handler !== 'function') return false;
  return (
    (handler as unknown as Record<symbol, unknown>)[ASYNC_ORCHESTRATOR] === true ||
    (handler as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'AsyncFunction'
  );
}

/** Marks a wrapper of an async orchestrator (df.orchestrator's) so it runs on the async path too. */
export function markAsync<T extends object>(wrapper: T): T {
  Object.defineProperty(wrapper, ASYNC_ORCHESTRATOR, { value: true });
  return wrapper;
}

/** True for an `async function*`, which is neither kind of orchestrator. */
export function isAsyncGeneratorFunction(handler: unknown): boolean {
  return (
    typeof handler === 'function' &&
    (handler as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'AsyncGeneratorFunction'
  );
}

/** What to write instead of an `async function*`. */
export function asyncGeneratorMessage(name: string): string {
  return (
    `The orchestrator '${name}' is an async generator (async function*): write either an async function that ` +
    'awaits tasks (`async function (context) { const r = await context.df.callActivity(…); }`) or a generator that ' +
    'yields them (`function* (context) { const r = yield context.df.callActivity(…); }`).'
  );
}

/**
 * Async code that waits on nothing durable: no history event can ever resume it, and no replay could repeat what
 * would. `after` is the file:line of its last durable call, or 'start' when it made none.
 */
export function nonDurableAwaitError(name: string, after: string | undefined): Error {
  const where = after === 'start' ? ' (before any durable call)' : after ? ` (after its durable call at ${after})` : '';
  const error = new TaskhubError(
    'NON_DETERMINISTIC',
    `The orchestrator '${name}' awaits something that is not a durable task${where}: a fetch or other I/O, a ` +
      'setTimeout, or a promise no durable task settles. Nothing in its history can resume it, and a replay could ' +
      'not repeat it. Orchestrator code may await only tasks from context.df (callActivity, createTimer, ' +
      'waitForExternalEvent, callEntity, Task.all ...) and Promise.all / Promise.race over them: do I/O in an ' +
      'activity, and wait with context.df.createTimer.',
  );
  error.name = 'NonDurableAwaitError';
  return error;
}

export class CodeRunner {
  readonly #deps: CodeRunnerDeps;
  /** Decided by the handler, before it runs: async code needs the async context from its first line on. */
  readonly isAsync: boolean;
  #generator: Generated | undefined;
  /** The task the code is blocked on; undefined before the start and after the end. */
  #current: TaskBase | undefined;
  #stopped = false;
  // ---- the async path ----
  /** The code may have run on since the last drain (it started, or an awaited task settled). */
  #woken = false;
  /** Awaited tasks not settled yet: while there are none and the code has not ended, nothing can resume it. */
  readonly #waiting = new Set<TaskBase>();
  /** How the async function's promise settled. */
  #settled: { readonly value: unknown } | { readonly error: unknown } | undefined;
  /** True while the engine runs an episode (or a replay): the only time the code may act. */
  #inEpisode = false;
  /** The code ran between episodes (resumed by something not durable): the instance fails at its next episode. */
  #strayError: Error | undefined;

  constructor(deps: CodeRunnerDeps) {
    this.#deps = deps;
    this.isAsync = isAsyncOrchestrator(deps.handler);
  }

  start(): void {
    if (this.isAsync) return this.#startAsync();
    const { handler, context, df, name } = this.#deps;
    let generated: unknown;
    try {
      generated = runInOrchestration(df, () => handler(context));
    } catch (err) {
      return this.#end({ status: 'Failed', failureDetails: failureDetailsOf(err) });
    }
    if (isAsyncIterable(generated)) {
      return this.#end({
        status: 'Failed',
        failureDetails: failureDetailsOf(new TypeError(asyncGeneratorMessage(name))),
      });
    }
    if (!isGenerator(generated)) {
      if (generated instanceof TaskBase) {
        const error = new TypeError(
          `The orchestrator '${name}' returned a task without waiting for it: declare it \`async\` and \`await\` the ` +
            'task, or write a function* that yields it.',
        );
        return this.#end({ status: 'Failed', failureDetails: failureDetailsOf(error) });
      }
      if (!isPromiseLike(generated)) return this.#end({ status: 'Completed', ...outputOf(generated) });
      // The instance fails; whatever that promise does later must not become an unhandled rejection.
      if (generated instanceof Promise) generated.catch(() => undefined);
      const error = new TypeError(
        `The orchestrator '${name}' returned a Promise but is not declared async: declare it \`async function\` ` +
          '(or `async (context) => …`) so Taskhub runs it as an async orchestrator, or write a function* that yields ' +
          'tasks.',
      );
      return this.#end({ status: 'Failed', failureDetails: failureDetailsOf(error) });
    }
    this.#generator = generated;
    this.#step((g) => g.next());
    this.resume();
  }

  /** Feed completed tasks to the code until it waits on an unfinished one or ends. */
  resume(): void {
    // Async code is resumed by its tasks' promises; the executor drains after the delivery.
    for (;;) {
      const task = this.#current;
      if (this.#stopped || !task || !task.isCompleted) return;
      this.#current = undefined;
      if (task.isFaulted) this.#step((g) => g.throw(task.error));
      else this.#step((g) => g.next(task.result));
    }
  }

  /** The execution ended from outside (terminated, nondeterminism): the code never runs again. */
  stop(): void {
    this.#stopped = true;
    this.#current = undefined;
  }

  /** Async code may have work queued since the last drain. */
  get woken(): boolean {
    return this.#woken && !this.#stopped;
  }

  /** The engine runs an episode (true) or is idle between episodes (false). */
  set inEpisode(value: boolean) {
    this.#inEpisode = value;
    const stray = this.#strayError;
    if (value && stray && !this.#stopped) {
      this.#end({ status: 'Failed', failureDetails: failureDetailsOf(stray) });
    }
  }

  /** Let async code run until it ends or waits, then decide which. */
  async drain(): Promise<void> {
    while (this.woken) {
      this.#woken = false;
      await microtasksSettled();
    }
    if (this.#stopped) return;
    const df = this.#deps.df;
    const settled = this.#settled;
    if (settled && 'error' in settled) {
      return this.#end({ status: 'Failed', failureDetails: failureDetailsOf(settled.error) });
    }
    if (df.continueAsNewRequest) return this.#endContinuedAsNew();
    if (settled) return this.#end({ status: 'Completed', ...outputOf(settled.value) });
    if (this.#waiting.size === 0) this.#end({ status: 'Failed', failureDetails: failureDetailsOf(this.#deps.stuck()) });
  }

  #startAsync(): void {
    const { handler, context } = this.#deps;
    const scope: AsyncScope = {
      df: this.#deps.df,
      awaited: (task) => this.#awaited(task),
      settled: (task) => this.#taskSettled(task),
    };
    let promise: unknown;
    try {
      promise = runInAsyncOrchestration(scope, () => handler(context));
    } catch (err) {
      return this.#end({ status: 'Failed', failureDetails: failureDetailsOf(err) });
    }
    if (!(promise instanceof Promise)) return this.#end({ status: 'Completed', ...outputOf(promise) });
    promise.then(
      (value: unknown) => this.#codeSettled({ value }),
      (error: unknown) => this.#codeSettled({ error }),
    );
    this.#woken = true;
  }

  #awaited(task: TaskBase): void {
    if (this.#stopped) return;
    if (!this.#inEpisode) return this.#stray();
    this.#deps.track(task);
    if (!task.isCompleted) this.#waiting.add(task);
  }

  #taskSettled(task: TaskBase): void {
    if (this.#waiting.delete(task)) this.#woken = true;
  }

  #codeSettled(settled: { readonly value: unknown } | { readonly error: unknown }): void {
    if (this.#stopped) return;
    if (!this.#inEpisode) return this.#stray();
    this.#settled = settled;
  }

  #stray(): void {
    this.#strayError ??= new Error(
      `The orchestrator '${this.#deps.name}' ran on between episodes: it awaited something that is not a durable ` +
        'task (I/O, a timer of Node, another promise), which resumed it outside the replay engine. Orchestrator code ' +
        'may await only tasks from context.df (and Promise.all / Promise.race over them); do I/O in activities.',
    );
  }

  #step(send: (generator: Generated) => IteratorResult<unknown, unknown>): void {
    const generator = this.#generator;
    const df = this.#deps.df;
    if (!generator || this.#stopped) return;
    let result: IteratorResult<unknown, unknown>;
    try {
      result = runInOrchestration(df, () => send(generator));
      // Yielding something that is not a task is a programming error; thrown at the yield so the stack points there.
      while (!result.done && !(result.value instanceof TaskBase) && !df.continueAsNewRequest) {
        const violation = constraintViolation(result.value);
        result = runInOrchestration(df, () => generator.throw(violation));
      }
    } catch (err) {
      return this.#end({ status: 'Failed', failureDetails: failureDetailsOf(err) });
    }
    if (df.continueAsNewRequest) return this.#endContinuedAsNew();
    if (result.done) return this.#end({ status: 'Completed', ...outputOf(result.value) });
    const task = result.value as TaskBase;
    this.#deps.track(task);
    this.#current = task;
  }

  #endContinuedAsNew(): void {
    const request = this.#deps.df.continueAsNewRequest;
    if (!request) return;
    this.#end({
      status: 'ContinuedAsNew',
      ...(request.input === undefined ? {} : { input: request.input }),
      carryoverEvents: request.preserveUnprocessedEvents ? this.#deps.unprocessedEvents() : [],
    });
  }

  #end(outcome: Outcome): void {
    this.stop();
    this.#deps.finish(outcome);
  }
}

function isAsyncIterable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function outputOf(value: unknown): { output?: string } {
  const output = toJson(value);
  return output === undefined ? {} : { output };
}
