// Task implementations behind the Task / TimerTask interfaces: atomic actions, timers, external events, entity calls,
// the Task.all / Task.any compounds and retries. Tasks get sequence ids only when first yielded (tracked), in yield
// order, as the Durable Functions host numbers them (reference B4 step 5). In async orchestrators a task is
// awaitable: its first `then` (what `await` calls) counts as the yield.
import { currentAsyncScope, type AsyncScope } from './ambient.js';
import type { SettledTask, Task, TaskCombinators, TaskResults, TaskThen, TimerTask } from './context.js';
import { retryDelayMs, type RetryPolicy } from './retry-options.js';

/** What a task needs from the engine that runs it. */
export interface TaskEngine {
  /** Give a task (and its children) sequence ids and actions, the first time it is yielded. */
  track(task: TaskBase): void;
  /** Assign the next sequence id to an atomic task and record its action. */
  schedule(task: ActionTask): void;
  /** Register a waiter for an external event (or an entity response). */
  waitForEvent(task: EventTask): void;
  /** The deterministic current time in epoch milliseconds. */
  nowMs(): number;
  /**
   * Whether a retry policy's timer after its last failed attempt belongs in this history: true when the code runs
   * live, and when replaying a stored episode that records a TimerCreated with the next sequence id (Durable
   * Functions' shape); false for an episode stored by Taskhub before it recorded that timer.
   */
  recordsFinalRetryTimer(): boolean;
}

type TaskState = 'Running' | 'Completed' | 'Failed';

/** The promise behind an awaited task, created on its first `then`: generator code never pays for it. */
interface AwaitState {
  readonly promise: Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly scope: AsyncScope | undefined;
}

/**
 * A task that is the value of another task (the winner of Task.any): the promise behind an awaited task settles with
 * this box instead, since a promise settled with a thenable would adopt it (wait for its result) instead of giving it.
 */
class TaskValue {
  constructor(readonly task: TaskBase) {}
}

/** While set, that task's `then` reads as undefined: a promise is being resolved with the task itself as its value. */
let givenAsValue: TaskBase | undefined;

/** `then` of every task: `await task` (and Promise.all / Promise.race over tasks) goes through here. */
function awaitTask<T, R1 = T, R2 = never>(
  this: TaskBase<T>,
  onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
  onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
): Promise<R1 | R2> {
  const fulfilled =
    onfulfilled &&
    ((value: unknown): R1 | PromiseLike<R1> => {
      if (!(value instanceof TaskValue)) return onfulfilled(value as T);
      // `await` passes the resolve function of its own promise here: it must take the task as a plain value.
      givenAsValue = value.task;
      try {
        return onfulfilled(value.task as T);
      } finally {
        givenAsValue = undefined;
      }
    });
  return this.awaited().then(fulfilled, onrejected);
}

export abstract class TaskBase<T = unknown> implements Task<T> {
  #state: TaskState = 'Running';
  #result: T | undefined;
  #error: Error | undefined;
  #parents: CompoundTask[] | undefined;
  #awaited: AwaitState | undefined;
  /** Set once the task was first yielded (directly or inside a compound): it then owns its sequence ids. */
  tracked = false;

  /** What `await` calls. Read as undefined only while a promise is settled with this task as its value. */
  get then(): TaskThen<T> {
    return (givenAsValue === this ? undefined : awaitTask) as TaskThen<T>;
  }

  /**
   * The promise behind `then` (a task that is the value comes boxed). The first call tells the async code runner of
   * the orchestration that awaits the task (found through the async context), which schedules it as `yield` would.
   */
  awaited(): Promise<unknown> {
    let awaited = this.#awaited;
    if (!awaited) {
      const scope = currentAsyncScope();
      let resolve!: (value: unknown) => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<unknown>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      awaited = this.#awaited = { promise, resolve, reject, scope };
      if (!scope) {
        reject(
          new TypeError(
            'A durable task can be awaited only inside an async orchestrator (async function registered with ' +
              'df.app.orchestration or df.orchestrator). In a function*, yield it instead.',
          ),
        );
      } else if (this.#state !== 'Running') {
        this.#settle(awaited);
      } else {
        try {
          scope.awaited(this);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      }
    }
    return awaited.promise;
  }

  get isCompleted(): boolean {
    return this.#state !== 'Running';
  }
  get isFaulted(): boolean {
    return this.#state === 'Failed';
  }
  get result(): T | undefined {
    return this.#result;
  }
  get error(): Error | undefined {
    return this.#error;
  }

  /** Settle successfully; later settlements are ignored, so a result is observed once. */
  complete(value: T): void {
    if (this.#state !== 'Running') return;
    this.#state = 'Completed';
    this.#result = value;
    this.#notify();
  }

  fail(error: Error): void {
    if (this.#state !== 'Running') return;
    this.#state = 'Failed';
    this.#error = error;
    this.#notify();
  }

  addParent(parent: CompoundTask): void {
    (this.#parents ??= []).push(parent);
  }

  /** Called once, when the task is first tracked. */
  abstract onTrack(engine: TaskEngine): void;

  #notify(): void {
    if (this.#parents) for (const parent of this.#parents) parent.onChild(this);
    const awaited = this.#awaited;
    if (awaited) {
      this.#settle(awaited);
      awaited.scope?.settled(this);
    }
  }

  #settle(awaited: AwaitState): void {
    if (this.#state === 'Failed') return awaited.reject(this.#error ?? new Error('The task failed.'));
    const value = this.#result;
    awaited.resolve(value instanceof TaskBase ? new TaskValue(value) : value);
  }
}

/** The action an atomic task asks for, before it has a sequence id. Payloads are JSON text. */
export type ActionSpec =
  | { readonly kind: 'ScheduleTask'; readonly name: string; readonly input?: string; readonly maxAttempts?: number }
  | { readonly kind: 'CreateTimer'; readonly fireAt: string }
  | {
      readonly kind: 'CreateSubOrchestration';
      readonly name: string;
      readonly instanceId?: string;
      readonly input?: string;
      /** The child's version; absent: the defaultVersion (or newest registered) where the child is created. */
      readonly version?: string;
      readonly maxAttempts?: number;
    }
  | { readonly kind: 'SendEvent'; readonly instanceId: string; readonly name: string; readonly input?: string };

/** One action: an activity, a timer, a sub-orchestration or a sent event. */
export class ActionTask<T = unknown> extends TaskBase<T> {
  sequenceId: number | undefined;
  constructor(readonly spec: ActionSpec) {
    super();
  }
  onTrack(engine: TaskEngine): void {
    engine.schedule(this);
  }
}

export class TimerTaskImpl extends ActionTask<void> implements TimerTask {
  #canceled = false;
  constructor(fireAt: string) {
    super({ kind: 'CreateTimer', fireAt });
  }
  get isCanceled(): boolean {
    return this.#canceled;
  }
  cancel(): void {
    if (this.isCompleted) throw new Error('Cannot cancel a completed task.');
    this.#canceled = true;
  }
  override onTrack(engine: TaskEngine): void {
    // A timer cancelled before it was ever yielded never needs a stored timer.
    if (!this.#canceled) engine.schedule(this);
  }
}

/** Waits for an event raised to the instance (matched by name, case-insensitively). */
export class EventTask<T = unknown> extends TaskBase<T> {
  constructor(readonly eventName: string) {
    super();
  }
  onTrack(engine: TaskEngine): void {
    engine.waitForEvent(this);
  }
  /** Deliver the event's payload (JSON text). */
  receive(input: string | undefined): void {
    this.complete(parseJson(input) as T);
  }
}

/**
 * A two-way entity call: a request message (EventSent to `@name@key`) and a wait for the response, an EventRaised
 * named by the request id with `{ result, exceptionType? }` (Durable Functions' shapes, reference B2).
 */
export class EntityCallTask<T = unknown> extends EventTask<T> {
  constructor(
    readonly requestId: string,
    readonly request: ActionTask,
    /** Called when the answer arrives (a critical section counts its calls in flight). */
    readonly onAnswer?: () => void,
  ) {
    super(requestId);
  }
  override onTrack(engine: TaskEngine): void {
    engine.track(this.request);
    engine.waitForEvent(this);
  }
  override receive(input: string | undefined): void {
    this.onAnswer?.();
    const response = (parseJson(input) ?? {}) as { result?: unknown; exceptionType?: unknown };
    const result = typeof response.result === 'string' ? parseJson(response.result) : response.result;
    if (response.exceptionType) {
      const error = new Error(typeof result === 'string' ? result : JSON.stringify(result));
      error.name = typeof response.exceptionType === 'string' ? response.exceptionType : 'Error';
      this.fail(error);
    } else {
      this.complete(result as T);
    }
  }
}

/** A task made of other tasks; children report to it when they settle. */
export abstract class CompoundTask<T = unknown> extends TaskBase<T> {
  abstract onChild(child: TaskBase): void;
}

export class WhenAllTask<T extends readonly Task[]> extends CompoundTask<TaskResults<T>> {
  readonly #children: readonly TaskBase[];
  #remaining = 0;
  constructor(children: readonly TaskBase[]) {
    super();
    this.#children = children;
    for (const child of children) {
      child.addParent(this);
      if (!child.isCompleted) this.#remaining++;
    }
    const failed = children.find((c) => c.isFaulted);
    if (failed) this.fail(failed.error ?? new Error('A task failed.'));
    else if (this.#remaining === 0) this.#finish();
  }
  onTrack(engine: TaskEngine): void {
    for (const child of this.#children) engine.track(child);
  }
  onChild(child: TaskBase): void {
    if (this.isCompleted) return;
    if (child.isFaulted) return this.fail(child.error ?? new Error('A task failed.'));
    if (--this.#remaining === 0) this.#finish();
  }
  #finish(): void {
    this.complete(this.#children.map((c) => c.result) as unknown as TaskResults<T>);
  }
}

export class WhenAnyTask<T extends SettledTask<Task>> extends CompoundTask<T> {
  readonly #children: readonly TaskBase[];
  constructor(children: readonly TaskBase[]) {
    super();
    this.#children = children;
    for (const child of children) child.addParent(this);
    const done = children.find((c) => c.isCompleted);
    if (done) this.complete(done as unknown as T);
  }
  onTrack(engine: TaskEngine): void {
    for (const child of this.#children) engine.track(child);
  }
  onChild(child: TaskBase): void {
    this.complete(child as unknown as T);
  }
}

/**
 * Retries inside the engine, with the history shape of Durable Functions (DTFx's RetryInterceptor): after every failed
 * attempt a durable timer with its own sequence id, then the next attempt with a new one. The last failed attempt is
 * followed by a timer too, and its error reaches the code only when that timer fires, so a history recorded by Azure
 * replays and currentUtcDateTime after the failure is the same. An expired retry timeout gives up at once, without a
 * timer, as DTFx does. Histories stored by earlier Taskhub versions (no timer after the last attempt) still replay:
 * the engine tells which shape the stored episode has (TaskEngine.recordsFinalRetryTimer).
 */
export class RetryableTask<T = unknown> extends CompoundTask<T> {
  readonly #makeAttempt: () => ActionTask<T>;
  readonly #policy: RetryPolicy;
  #engine: TaskEngine | undefined;
  #firstAttemptMs = 0;
  #failedAttempts = 0;
  #attempt: ActionTask<T> | undefined;
  #timer: TimerTaskImpl | undefined;
  /** Set when the pending timer follows the last attempt: its firing delivers this error. */
  #finalError: Error | undefined;

  constructor(makeAttempt: () => ActionTask<T>, policy: RetryPolicy) {
    super();
    this.#makeAttempt = makeAttempt;
    this.#policy = policy;
  }
  onTrack(engine: TaskEngine): void {
    this.#engine = engine;
    this.#firstAttemptMs = engine.nowMs();
    this.#startAttempt(engine);
  }
  onChild(child: TaskBase): void {
    const engine = this.#engine;
    if (this.isCompleted || !engine) return;
    if (child === this.#timer) {
      if (this.#finalError) return this.fail(this.#finalError);
      return this.#startAttempt(engine);
    }
    if (child !== this.#attempt) return;
    if (!child.isFaulted) return this.complete(child.result as T);
    this.#failedAttempts++;
    const error = child.error ?? new Error('The task failed.');
    const now = engine.nowMs();
    if (now >= this.#firstAttemptMs + this.#policy.retryTimeoutMs) return this.fail(error);
    if (this.#failedAttempts >= this.#policy.maxNumberOfAttempts) {
      if (!engine.recordsFinalRetryTimer()) return this.fail(error);
      this.#finalError = error;
    }
    const timer = new TimerTaskImpl(new Date(now + retryDelayMs(this.#policy, this.#failedAttempts)).toISOString());
    this.#timer = timer;
    timer.addParent(this);
    engine.track(timer);
  }
  #startAttempt(engine: TaskEngine): void {
    const attempt = this.#makeAttempt();
    this.#attempt = attempt;
    attempt.addParent(this);
    engine.track(attempt);
  }
}

/** `context.df.Task`: validates inputs as durable-functions does, with clearer messages. */
export const taskCombinators: TaskCombinators = {
  all<T extends readonly Task[]>(tasks: T): Task<TaskResults<T>> {
    return new WhenAllTask<T>(checkTasks('Task.all', tasks));
  },
  any<T extends Task>(tasks: readonly T[]): Task<SettledTask<T>> {
    return new WhenAnyTask<SettledTask<T>>(checkTasks('Task.any', tasks));
  },
};

/** Both combinators need at least one task: durable-functions 3.x throws this for Task.all([]) as for Task.any([]). */
function checkTasks(api: string, tasks: unknown): TaskBase[] {
  if (!Array.isArray(tasks)) throw new TypeError(`${api} expects an array of tasks.`);
  if (tasks.length === 0) {
    throw new Error(
      `When constructing a CompoundTask (such as Task.all() or Task.any()), you must specify at least one Task.`,
    );
  }
  tasks.forEach((t: unknown, i) => {
    if (!(t instanceof TaskBase)) {
      throw new TypeError(
        `${api} received a non-valid input at index ${i}: expected a Task from context.df (callActivity, createTimer, ` +
          `waitForExternalEvent, Task.all ...), got ${t === null ? 'null' : typeof t}.`,
      );
    }
  });
  return tasks as TaskBase[];
}

export function parseJson(text: string | undefined): unknown {
  return text === undefined || text === '' ? undefined : (JSON.parse(text) as unknown);
}
