// Runs the orchestrator's generator: starts it, feeds it the results of the tasks it waits on, and turns its end
// (return, uncaught error, continueAsNew) into an outcome. User code runs only here, inside the ambient context.
import { runInOrchestration } from './ambient.js';
import type { OrchestrationContext, OrchestrationHandler } from './context.js';
import type { EpisodeOutcome } from './episode.js';
import { failureDetailsOf, toJson } from './failure.js';
import type { EventRaisedEvent } from './history.js';
import type { DurableContextImpl } from './orchestration-context.js';
import { constraintViolation, isGenerator, isPromiseLike } from './replay-events.js';
import { TaskBase } from './task.js';

/** How an execution ended. */
export type Outcome = Exclude<EpisodeOutcome, { status: 'Running' | 'Suspended' }>;

type Generated = Generator<unknown, unknown, unknown>;

export interface CodeRunnerDeps {
  readonly handler: OrchestrationHandler;
  readonly context: OrchestrationContext;
  readonly df: DurableContextImpl;
  readonly name: string;
  /** Schedule a yielded task (sequence ids, actions). */
  readonly track: (task: TaskBase) => void;
  /** The code ended. */
  readonly finish: (outcome: Outcome) => void;
  /** Events to carry into the next execution when continueAsNew keeps unprocessed events. */
  readonly unprocessedEvents: () => EventRaisedEvent[];
}

export class CodeRunner {
  readonly #deps: CodeRunnerDeps;
  #generator: Generated | undefined;
  /** The task the code is blocked on; undefined before the start and after the end. */
  #current: TaskBase | undefined;
  #stopped = false;

  constructor(deps: CodeRunnerDeps) {
    this.#deps = deps;
  }

  start(): void {
    const { handler, context, df, name } = this.#deps;
    let generated: unknown;
    try {
      generated = runInOrchestration(df, () => handler(context));
    } catch (err) {
      return this.#end({ status: 'Failed', failureDetails: failureDetailsOf(err) });
    }
    if (!isGenerator(generated)) {
      if (!isPromiseLike(generated)) return this.#end({ status: 'Completed', ...outputOf(generated) });
      const error = new TypeError(
        `The orchestrator '${name}' returned a Promise: orchestrators must be generator functions (function*) ` +
          'that yield tasks, not async functions.',
      );
      return this.#end({ status: 'Failed', failureDetails: failureDetailsOf(error) });
    }
    this.#generator = generated;
    this.#step((g) => g.next());
    this.resume();
  }

  /** Feed completed tasks to the code until it waits on an unfinished one or ends. */
  resume(): void {
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
    const request = df.continueAsNewRequest;
    if (request) {
      return this.#end({
        status: 'ContinuedAsNew',
        ...(request.input === undefined ? {} : { input: request.input }),
        carryoverEvents: request.preserveUnprocessedEvents ? this.#deps.unprocessedEvents() : [],
      });
    }
    if (result.done) return this.#end({ status: 'Completed', ...outputOf(result.value) });
    const task = result.value as TaskBase;
    this.#deps.track(task);
    this.#current = task;
  }

  #end(outcome: Outcome): void {
    this.stop();
    this.#deps.finish(outcome);
  }
}

function outputOf(value: unknown): { output?: string } {
  const output = toJson(value);
  return output === undefined ? {} : { output };
}
