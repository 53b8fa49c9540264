// Gives the replay engine what async orchestrators need of Node (core imports no Node built-ins): AsyncLocalStorage to
// carry an orchestration's scope across awaits, and an exact signal that the microtask queue has run dry. Imported
// for its effect by whatever runs orchestrator code: the worker, the replayers and `df`. Nothing here runs before the
// first async orchestrator does, so a process with generator orchestrators only never pays for it.
//
// The queue has run dry, before any macrotask: a round queues a microtask that queues a process.nextTick, and Node runs
// ticks only once V8's microtask queue is empty (plain queueMicrotask callbacks too), still before any I/O callback,
// timer or setImmediate. Rounds go on while V8's promise hooks report that a promise reaction ran or a promise settled
// since the previous round (a tick of the code's may have woken it). So however fast an I/O answers, its callback
// comes after the decision. The hooks are on only while rounds run, and one run of rounds serves every drain that
// overlaps it (instances running side by side).
import { AsyncLocalStorage } from 'node:async_hooks';
import { promiseHooks } from 'node:v8';
import { installAsyncRuntime, type AsyncScope } from '../core/ambient.js';

/** Promise reactions run and promises settled while rounds run: a round that sees no change ends them. */
let activity = 0;
/** The drains the running rounds will resolve; empty when none run. */
let waiting: (() => void)[] = [];
let stopHooks: (() => void)[] = [];

// Taken when this module loads, so test fake timers installed later (Jest fakes nextTick and queueMicrotask) cannot
// stop the engine's own rounds.
const nextTick = process.nextTick.bind(process);
const enqueue = queueMicrotask;

const count = (): void => {
  activity++;
};

function microtasksSettled(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length > 1) {
      // A drain joins the running rounds: its code's wake-ups may sit behind the next check, which must not end them.
      activity++;
      return;
    }
    // @types/node types the stop functions as Function.
    stopHooks = [promiseHooks.onBefore(count) as () => void, promiseHooks.onSettled(count) as () => void];
    let seen = activity;
    const check = (): void => {
      if (activity !== seen) {
        seen = activity;
        enqueue(round);
        return;
      }
      for (const stop of stopHooks) stop();
      const settled = waiting;
      waiting = [];
      for (const done of settled) done();
    };
    // From a microtask: a tick queued in a macrotask's own callback would run before that callback's microtasks.
    const round = (): void => nextTick(check);
    enqueue(round);
  });
}

installAsyncRuntime({ storage: () => new AsyncLocalStorage<AsyncScope>(), microtasksSettled });
