// Orchestrations and activities written with the official SDK, shared by the gRPC tests.
/* eslint-disable @typescript-eslint/require-await -- durabletask-js 0.4 runs orchestrators that are async generators
   (it takes a plain function*'s generator object for its output), and these need no await. */
import {
  EntityInstanceId,
  RetryPolicy,
  TaskEntity,
  whenAll,
  type ActivityContext,
  type LockHandle,
  type OrchestrationContext,
  type Task,
  type TaskHubGrpcWorker,
} from '@microsoft/durabletask-js';

export const sayHello = (_ctx: ActivityContext, city: string): string => `Hello ${city}!`;

export const failing = (_ctx: ActivityContext, what: string): string => {
  throw new Error(`cannot ${what}`);
};

/** Hello cities: a chain of three activities, then a fan-out of three more. */
export const helloCities = async function* (
  ctx: OrchestrationContext,
): AsyncGenerator<Task<unknown>, string[], unknown> {
  const chained: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) chained.push((yield ctx.callActivity(sayHello, city)) as string);
  const fanned = (yield whenAll(['Paris', 'Oslo', 'Lima'].map((c) => ctx.callActivity(sayHello, c)))) as string[];
  return [...chained, ...fanned];
};

/** A durable timer, then an external event: returns the event's data and the orchestration time that passed. */
export const timerThenApproval = async function* (
  ctx: OrchestrationContext,
  delayMs: number,
): AsyncGenerator<Task<unknown>, { approval: unknown; waitedMs: number }, unknown> {
  const t0 = ctx.currentUtcDateTime.getTime();
  yield ctx.createTimer(new Date(t0 + delayMs));
  const afterTimer = ctx.currentUtcDateTime.getTime();
  const approval = yield ctx.waitForExternalEvent('approve');
  return { approval, waitedMs: afterTimer - t0 };
};

/** Waits for an event only: for suspend, resume and terminate. */
export const awaitApproval = async function* (
  ctx: OrchestrationContext,
): AsyncGenerator<Task<unknown>, unknown, unknown> {
  return yield ctx.waitForExternalEvent('approve');
};

export const failingOrchestration = async function* (
  ctx: OrchestrationContext,
): AsyncGenerator<Task<unknown>, unknown, unknown> {
  return yield ctx.callActivity(failing, 'charge the card');
};

/** Two sub-orchestrations with ids of its own choosing, and a custom status between them. */
export const parentOfCities = async function* (
  ctx: OrchestrationContext,
): AsyncGenerator<Task<unknown>, number, unknown> {
  const a = (yield ctx.callSubOrchestrator(helloCities, undefined, { instanceId: `${ctx.instanceId}-a` })) as string[];
  ctx.setCustomStatus('halfway');
  const b = (yield ctx.callSubOrchestrator(helloCities, undefined, { instanceId: `${ctx.instanceId}-b` })) as string[];
  return a.length + b.length;
};

/** Waits on a child that waits on a grandchild, each for an 'approve' event: a tree for recursive terminate. */
export const approvalTree = async function* (
  ctx: OrchestrationContext,
  depth: number,
): AsyncGenerator<Task<unknown>, unknown, unknown> {
  if (depth > 0) {
    const below: unknown = yield ctx.callSubOrchestrator(approvalTree, depth - 1, {
      instanceId: `${ctx.instanceId}-sub`,
    });
    return below;
  }
  const approval: unknown = yield ctx.waitForExternalEvent('approve');
  return approval;
};

/** Continues as new until its input reaches 0. */
export const countdown = async function* (
  ctx: OrchestrationContext,
  n: number,
): AsyncGenerator<Task<unknown>, string, unknown> {
  if (n > 0) {
    ctx.continueAsNew(n - 1, false);
    return '';
  }
  return 'liftoff';
};

const attemptsByKey = new Map<string, number>();
/** Fails its first two attempts for each key. */
export const flaky = (_ctx: ActivityContext, key: string): string => {
  const attempt = (attemptsByKey.get(key) ?? 0) + 1;
  attemptsByKey.set(key, attempt);
  if (attempt < 3) throw new Error(`attempt ${attempt} failed`);
  return `succeeded on attempt ${attempt}`;
};

export const retrying = async function* (ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, unknown, unknown> {
  const retry = new RetryPolicy({ maxNumberOfAttempts: 3, firstRetryIntervalInMilliseconds: 50 });
  return yield ctx.callActivity(flaky, ctx.instanceId, { retry });
};

/** Fails its first attempt for each key: the instance fails, and a rewind runs it again. */
export const failsFirst = (_ctx: ActivityContext, key: string): string => {
  const attempt = (attemptsByKey.get(key) ?? 0) + 1;
  attemptsByKey.set(key, attempt);
  if (attempt === 1) throw new Error('the first attempt fails');
  return `attempt ${attempt}`;
};

export const rewindable = async function* (ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, unknown, unknown> {
  const first = (yield ctx.callActivity(sayHello, 'before')) as string;
  return [first, yield ctx.callActivity(failsFirst, ctx.instanceId)];
};

const failuresByInstance = new Set<string>();
/** Its own code fails the first time it runs for an instance (no task failed): a rewind replays it. */
export const throwsOnce = async function* (ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, string, unknown> {
  if (!ctx.isReplaying && !failuresByInstance.has(ctx.instanceId)) {
    failuresByInstance.add(ctx.instanceId);
    throw new Error('the orchestrator code failed');
  }
  return 'recovered';
};

/** Returns the version it was started with. */
export const versioned = async function* (ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, string, unknown> {
  return ctx.version;
};

/** Calls the counter entity (and waits for its answer), then signals it. */
export const countingOrchestration = async function* (
  ctx: OrchestrationContext,
  key: string,
): AsyncGenerator<Task<unknown>, unknown, unknown> {
  const counter = new EntityInstanceId('counter', key);
  const afterAdd = yield ctx.entities.callEntity<number>(counter, 'add', 3);
  ctx.entities.signalEntity(counter, 'add', 1);
  return afterAdd;
};

/**
 * A critical section over counters `${key}-a` and `${key}-b`: reads a, waits for the event 'go' while holding both
 * locks, then moves a's value to b. Returns the value it moved.
 */
export const lockedTransfer = async function* (
  ctx: OrchestrationContext,
  key: string,
): AsyncGenerator<Task<unknown>, unknown, unknown> {
  const a = new EntityInstanceId('counter', `${key}-a`);
  const b = new EntityInstanceId('counter', `${key}-b`);
  const lock = (yield ctx.entities.lockEntities(b, a)) as LockHandle;
  try {
    const value = (yield ctx.entities.callEntity<number>(a, 'get')) as number;
    yield ctx.waitForExternalEvent('go');
    yield ctx.entities.callEntity<number>(b, 'add', value);
    yield ctx.entities.callEntity<number>(a, 'add', -value);
    return value;
  } finally {
    lock.release();
  }
};

/** Locks counter `${key}-a` alone and reads it. */
export const lockedRead = async function* (
  ctx: OrchestrationContext,
  key: string,
): AsyncGenerator<Task<unknown>, unknown, unknown> {
  const lock = (yield ctx.entities.lockEntities(new EntityInstanceId('counter', `${key}-a`))) as LockHandle;
  const value: unknown = yield ctx.entities.callEntity<number>(new EntityInstanceId('counter', `${key}-a`), 'get');
  lock.release();
  return value;
};

/** Sends an event to another instance. */
export const notifier = async function* (
  ctx: OrchestrationContext,
  target: string,
): AsyncGenerator<Task<unknown>, string, unknown> {
  ctx.sendEvent(target, 'approve', 'from the notifier');
  yield ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 10));
  return 'sent';
};

/** An entity written with the SDK: a counter. */
export class Counter extends TaskEntity<number> {
  add(amount: number): number {
    this.state += amount;
    return this.state;
  }
  get(): number {
    return this.state;
  }
  protected override initializeState(): number {
    return 0;
  }
}

export function registerAll(w: TaskHubGrpcWorker): void {
  w.addNamedEntity('counter', () => new Counter());
  const orchestrators = [
    helloCities,
    timerThenApproval,
    awaitApproval,
    failingOrchestration,
    parentOfCities,
    approvalTree,
    countdown,
    retrying,
    notifier,
    rewindable,
    versioned,
    countingOrchestration,
    lockedTransfer,
    lockedRead,
    throwsOnce,
  ];
  for (const o of orchestrators) w.addOrchestrator(o);
  for (const a of [sayHello, failing, flaky, failsFirst]) w.addActivity(a);
}
