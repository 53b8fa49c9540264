// What `call` and `resultOf` return: one object that a generator orchestrator delegates to (`yield* x`: it yields the
// task once and is resumed with its result) and an async orchestrator awaits (`await x`: it hands the callbacks to the
// task's own `then`). Either way the orchestrator gets the result typed, and the engine sees only the task itself.
import type { Task } from '../core/context.js';
import { TaskhubError } from '../core/errors.js';

/**
 * A typed wait on one durable task: `yield*` it in a generator orchestrator, `await` it in an async one; both give
 * the task's result as `TResult`, or throw the task's error there. Not a task itself: a bare `yield x` is a compile
 * error in an orchestrator typed by durable-functions (and fails the instance at run time); combine tasks before
 * waiting (`resultOf(whenAll(context, [...]))`). Use it once.
 */
export interface TypedCall<TResult, TTask = Task<TResult>> extends PromiseLike<TResult> {
  [Symbol.iterator](): Iterator<TTask, TResult, unknown>;
}

/** What `await` needs of a durable task: async orchestrators make tasks thenable. */
interface Thenable {
  then(onfulfilled?: (value: unknown) => unknown, onrejected?: (reason: unknown) => unknown): unknown;
}

/** The iterator of `yield*`, written out (rather than a generator function) so one object serves `await` too. */
export class TaskCall<TResult, TTask> implements TypedCall<TResult, TTask>, Iterator<TTask, TResult, unknown> {
  #yielded = false;
  constructor(readonly task: TTask) {}

  [Symbol.iterator](): this {
    return this;
  }

  /** First: yield the task. Then: the engine resumes `yield*` with the task's result, which is its value. */
  next(result?: unknown): IteratorResult<TTask, TResult> {
    if (this.#yielded) return { done: true, value: result as TResult };
    this.#yielded = true;
    return { done: false, value: this.task };
  }

  /** A failed task is thrown into the orchestrator at `yield*`: rethrown here so it surfaces there, unchanged. */
  throw(error?: unknown): IteratorResult<TTask, TResult> {
    throw error;
  }

  return(value?: TResult | PromiseLike<TResult>): IteratorResult<TTask, TResult> {
    this.#yielded = true;
    return { done: true, value: value as TResult };
  }

  then<A = TResult, B = never>(
    onfulfilled?: ((value: TResult) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    const task = this.task as Partial<Thenable>;
    if (typeof task.then !== 'function') {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        'This durable task cannot be awaited: only async orchestrators await tasks. In a generator orchestrator ' +
          '(function*), write yield* in place of await.',
      );
    }
    return task.then(
      onfulfilled as ((value: unknown) => unknown) | undefined,
      onrejected as ((reason: unknown) => unknown) | undefined,
    ) as PromiseLike<A | B>;
  }
}
