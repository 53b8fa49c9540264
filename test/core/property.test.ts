// Property: for generated orchestrator programs and generated delivery orders (completions, failures, duplicates,
// events, suspensions), a live executor fed episode by episode gives exactly the results of a fresh executor that
// replays the stored history each episode: action for action, history for history (the Driver checks every episode).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  OrchestrationContext,
  OrchestrationGenerator,
  OrchestrationHandler,
  Task,
} from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { RetryOptions } from '../../src/core/retry-options.js';
import { Driver, ev } from './history-builder.js';

type Step =
  | { readonly kind: 'activity'; readonly name: string }
  | { readonly kind: 'guarded'; readonly name: string }
  | { readonly kind: 'fanOut'; readonly n: number }
  | { readonly kind: 'timer'; readonly seconds: number }
  | { readonly kind: 'event'; readonly name: string }
  | { readonly kind: 'race'; readonly seconds: number }
  | { readonly kind: 'eventOrTimer'; readonly name: string; readonly seconds: number }
  | { readonly kind: 'retry'; readonly attempts: number }
  | { readonly kind: 'sub' }
  | { readonly kind: 'status' }
  | { readonly kind: 'signal' }
  | { readonly kind: 'anyOfAll'; readonly n: number };

const eventName = fc.constantFrom('E0', 'E1');
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('activity' as const), name: fc.constantFrom('A', 'B', 'C') }),
  fc.record({ kind: fc.constant('guarded' as const), name: fc.constantFrom('A', 'B') }),
  fc.record({ kind: fc.constant('fanOut' as const), n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('timer' as const), seconds: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('event' as const), name: eventName }),
  fc.record({ kind: fc.constant('race' as const), seconds: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('eventOrTimer' as const), name: eventName, seconds: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ kind: fc.constant('retry' as const), attempts: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('sub' as const) }),
  fc.record({ kind: fc.constant('status' as const) }),
  fc.record({ kind: fc.constant('signal' as const) }),
  fc.record({ kind: fc.constant('anyOfAll' as const), n: fc.integer({ min: 1, max: 3 }) }),
);

function later(ctx: OrchestrationContext, seconds: number): Date {
  return new Date(ctx.df.currentUtcDateTime.getTime() + seconds * 1000);
}

/** An orchestrator that interprets the generated steps. */
function programOf(steps: readonly Step[]): OrchestrationHandler {
  return function* (ctx: OrchestrationContext): OrchestrationGenerator {
    const out: unknown[] = [];
    for (const step of steps) {
      switch (step.kind) {
        case 'activity':
          out.push(yield ctx.df.callActivity(step.name, out.length));
          break;
        case 'guarded':
          try {
            out.push(yield ctx.df.callActivity(step.name));
          } catch (err) {
            out.push(`caught ${(err as Error).message}`);
          }
          break;
        case 'fanOut': {
          const tasks: Task[] = [];
          for (let i = 0; i < step.n; i++) tasks.push(ctx.df.callActivity('Fan', i));
          out.push(yield ctx.df.Task.all(tasks));
          break;
        }
        case 'timer':
          yield ctx.df.createTimer(later(ctx, step.seconds));
          out.push(ctx.df.currentUtcDateTime.toISOString());
          break;
        case 'event':
          out.push(yield ctx.df.waitForExternalEvent(step.name));
          break;
        case 'race': {
          const timer = ctx.df.createTimer(later(ctx, step.seconds));
          const work = ctx.df.callActivity('Race');
          const winner = yield ctx.df.Task.any([work, timer]);
          if (winner === work) timer.cancel();
          out.push(winner === work ? 'work' : 'timer');
          break;
        }
        case 'eventOrTimer': {
          const timer = ctx.df.createTimer(later(ctx, step.seconds));
          const event = ctx.df.waitForExternalEvent(step.name);
          const winner = yield ctx.df.Task.any([event, timer]);
          if (winner === event) timer.cancel();
          out.push(winner === event ? event.result : 'timeout');
          break;
        }
        case 'retry':
          try {
            out.push(yield ctx.df.callActivityWithRetry('Flaky', new RetryOptions(1000, step.attempts)));
          } catch (err) {
            out.push(`gave up ${(err as Error).message}`);
          }
          break;
        case 'sub':
          out.push(yield ctx.df.callSubOrchestrator('Child', out.length));
          break;
        case 'status':
          ctx.df.setCustomStatus({ at: out.length, guid: ctx.df.newGuid() });
          break;
        case 'signal':
          ctx.df.signalEntity(new EntityId('Counter', 'k'), 'add', out.length);
          break;
        case 'anyOfAll': {
          const groups = [0, 1].map((g) =>
            ctx.df.Task.all(Array.from({ length: step.n }, (_, i) => ctx.df.callActivity('G', g * 10 + i))),
          );
          const first = yield ctx.df.Task.any(groups);
          out.push(first === groups[0] ? 0 : 1);
          break;
        }
        default: {
          const unhandled: never = step;
          throw new Error(`unhandled step ${JSON.stringify(unhandled)}`);
        }
      }
    }
    return out;
  };
}

interface Outstanding {
  readonly id: number;
  readonly kind: 'task' | 'timer' | 'sub';
  readonly fireAt?: string;
}

/** Delivers messages chosen by `choices` until the orchestration ends; the Driver asserts live == fresh each time. */
function simulate(steps: readonly Step[], choices: readonly number[]): Driver {
  const d = new Driver(programOf(steps));
  let c = 0;
  const choose = (n: number): number => (choices[c++ % choices.length] ?? 0) % n;
  const outstanding: Outstanding[] = [];
  const collect = (): void => {
    for (const a of d.last.actions) {
      if (a.kind === 'ScheduleTask') outstanding.push({ id: a.sequenceId, kind: 'task' });
      else if (a.kind === 'CreateTimer') outstanding.push({ id: a.sequenceId, kind: 'timer', fireAt: a.fireAt });
      else if (a.kind === 'CreateSubOrchestration') outstanding.push({ id: a.sequenceId, kind: 'sub' });
    }
  };
  d.start('input');
  collect();
  let suspended = false;
  for (let episode = 0; episode < 400; episode++) {
    const status = d.last.outcome.status;
    if (status !== 'Running' && status !== 'Suspended') break;
    const messages: HistoryEvent[] = [];
    if (suspended && choose(2) === 0) {
      messages.push(ev.resumed());
      suspended = false;
    }
    const count = 1 + choose(3);
    for (let k = 0; k < count && outstanding.length > 0; k++) {
      const [item] = outstanding.splice(choose(outstanding.length), 1);
      if (!item) break;
      let message: HistoryEvent;
      if (item.kind === 'timer') message = ev.timerFired(item.id, item.fireAt ?? '');
      else if (item.kind === 'sub')
        message = choose(6) === 0 ? ev.subFailed(item.id, `sub ${item.id}`) : ev.subCompleted(item.id, item.id);
      else message = choose(4) === 0 ? ev.failed(item.id, `task ${item.id}`) : ev.completed(item.id, item.id * 10);
      messages.push(message);
      if (choose(7) === 0) messages.push(message); // a duplicate delivery
    }
    if (choose(4) === 0 || (messages.length === 0 && outstanding.length === 0)) {
      messages.push(ev.raised(choose(2) === 0 ? 'E0' : 'E1', episode));
    }
    if (!suspended && choose(12) === 0) {
      messages.splice(choose(messages.length + 1), 0, ev.suspended());
      suspended = true;
    }
    if (messages.length === 0) messages.push(ev.raised('E0', episode));
    if (suspended && outstanding.length === 0 && choose(2) === 0) {
      messages.push(ev.resumed());
      suspended = false;
    }
    d.run(...messages);
    collect();
  }
  return d;
}

describe('live executor equals fresh replay (property)', () => {
  it('for generated programs and delivery orders', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat({ max: 10_000 }), { minLength: 20, maxLength: 200 }),
        (steps, choices) => {
          const d = simulate(steps, choices);
          expect(d.results.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reaches the end of most programs (the simulation is not vacuous)', () => {
    let finished = 0;
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat({ max: 10_000 }), { minLength: 20, maxLength: 100 }),
        (steps, choices) => {
          const status = simulate(steps, choices).last.outcome.status;
          if (status === 'Completed' || status === 'Failed') finished++;
        },
      ),
      { numRuns: 100 },
    );
    expect(finished).toBeGreaterThan(80);
  });
});
