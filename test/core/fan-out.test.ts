// Fan-out/fan-in, races between an activity and a timer, nested compounds and timer cancellation.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator, Task } from '../../src/core/context.js';
import { at, describeActions, Driver, ev, outputOf } from './history-builder.js';

describe('fan-out / fan-in', () => {
  it('schedules 1,000 activities in one episode and sums their results in input order', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const tasks: Task<number>[] = [];
      for (let i = 0; i < 1000; i++) tasks.push(ctx.df.callActivity<number>('Double', i));
      const results = (yield ctx.df.Task.all(tasks)) as number[];
      return results.reduce((a, b) => a + b, 0) + (results[999] === 1998 ? 0 : NaN);
    });
    const first = d.start();
    expect(first.actions).toHaveLength(1000);
    expect(first.actions.map((a) => a.sequenceId)).toEqual([...Array(1000).keys()]);
    // Completions arrive in reverse order, over two episodes.
    const completions = [...Array(1000).keys()].reverse().map((i) => ev.completed(i, i * 2));
    expect(d.run(...completions.slice(0, 500)).outcome.status).toBe('Running');
    expect(outputOf(d.run(...completions.slice(500)))).toBe(999 * 1000);
  });

  it('fails fast with the first failure, catchable', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      try {
        yield ctx.df.Task.all([ctx.df.callActivity('A'), ctx.df.callActivity('B')]);
        return 'no';
      } catch (err) {
        return (err as Error).message;
      }
    });
    d.start();
    expect(outputOf(d.run(ev.failed(1, 'B broke', 'B')))).toBe("Activity function 'B' failed: B broke");
  });

  it('Task.all([]) and Task.any([]) throw, as in durable-functions 3.x', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const messages: string[] = [];
      for (const combine of [() => ctx.df.Task.all([]), () => ctx.df.Task.any([])]) {
        try {
          yield combine();
        } catch (err) {
          messages.push((err as Error).message);
        }
      }
      return messages;
    });
    const message =
      'When constructing a CompoundTask (such as Task.all() or Task.any()), you must specify at least one Task.';
    expect(outputOf(d.start())).toEqual([message, message]);
  });

  it('nests compounds: all of (any, all)', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const a = ctx.df.callActivity('A');
      const b = ctx.df.callActivity('B');
      const inner = ctx.df.Task.all([ctx.df.callActivity('C'), ctx.df.callActivity('D')]);
      const [winner, cd] = (yield ctx.df.Task.all([ctx.df.Task.any([a, b]), inner])) as [Task, unknown[]];
      return { winner: winner === a ? 'A' : 'B', cd };
    });
    expect(describeActions(d.start())).toEqual([
      'ScheduleTask#0 A',
      'ScheduleTask#1 B',
      'ScheduleTask#2 C',
      'ScheduleTask#3 D',
    ]);
    d.run(ev.completed(1, 'b'), ev.completed(3, 'd'));
    expect(outputOf(d.run(ev.completed(2, 'c')))).toEqual({ winner: 'B', cd: ['c', 'd'] });
  });

  it('rejects a compound without tasks or with a non-task', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const errors: string[] = [];
      try {
        ctx.df.Task.any([]);
      } catch (e) {
        errors.push((e as Error).message);
      }
      try {
        ctx.df.Task.all([42 as unknown as Task]);
      } catch (e) {
        errors.push((e as Error).message);
      }
      yield* [];
      return errors;
    });
    const errors = outputOf(d.start()) as string[];
    expect(errors[0]).toMatch(/you must specify at least one Task/);
    expect(errors[1]).toMatch(/Task.all received a non-valid input at index 0/);
  });
});

function* raceActivityAndTimer(ctx: OrchestrationContext): OrchestrationGenerator {
  const deadline = new Date(ctx.df.currentUtcDateTime.getTime() + 60_000);
  const timer = ctx.df.createTimer(deadline);
  const work = ctx.df.callActivity('Work');
  const winner = yield ctx.df.Task.any([work, timer]);
  if (winner === work) {
    timer.cancel();
    return { won: 'activity', result: work.result };
  }
  return { won: 'timer' };
}

describe('Task.any of an activity and a timer', () => {
  it('the activity wins: the timer is cancelled and its later firing is accepted and ignored', () => {
    const d = new Driver(raceActivityAndTimer);
    // Ids in yield order: the Task.any's children in array order.
    expect(describeActions(d.start())).toEqual(['ScheduleTask#0 Work', 'CreateTimer#1']);
    expect(d.last.actions[1]).toEqual({ kind: 'CreateTimer', sequenceId: 1, fireAt: at(60) });
    const done = d.run(ev.completed(0, 7));
    expect(outputOf(done)).toEqual({ won: 'activity', result: 7 });
    expect(done.runtimeStatus).toBe('Completed');
  });

  it('the activity wins in the same episode the timer fires later in', () => {
    const d = new Driver(raceActivityAndTimer);
    d.start();
    expect(outputOf(d.run(ev.completed(0, 7), ev.timerFired(1, at(60))))).toEqual({ won: 'activity', result: 7 });
  });

  it('the timer wins', () => {
    const d = new Driver(raceActivityAndTimer);
    d.start();
    expect(outputOf(d.run(ev.timerFired(1, at(60))))).toEqual({ won: 'timer' });
  });

  it('both arrive in one episode: the first in delivery order wins, the other is still accepted', () => {
    const d = new Driver(raceActivityAndTimer);
    d.start();
    const r = d.run(ev.timerFired(1, at(60)), ev.completed(0, 7));
    expect(outputOf(r)).toEqual({ won: 'timer' });
    // Once the code returned, later events of the batch are not delivered nor stored.
    expect(r.newHistory.map((e) => e.eventType)).toEqual([
      'OrchestratorStarted',
      'TimerFired',
      'ExecutionCompleted',
      'OrchestratorCompleted',
    ]);
  });

  it('a cancelled timer that keeps firing later does not disturb a running orchestration', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const timer = ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1000));
      const winner = yield ctx.df.Task.any([ctx.df.waitForExternalEvent('Go'), timer]);
      if (winner !== timer) timer.cancel();
      const next = yield ctx.df.callActivity('Next');
      return next;
    });
    d.start();
    expect(describeActions(d.run(ev.raised('Go')))).toEqual(['ScheduleTask#1 Next']);
    const fired = d.run(ev.timerFired(0, at(1)));
    expect(fired.outcome.status).toBe('Running');
    expect(fired.newHistory.map((e) => e.eventType)).toContain('TimerFired');
    expect(outputOf(d.run(ev.completed(1, 'n')))).toBe('n');
  });

  it('cancel() of a fired timer throws; an un-yielded cancelled timer is never scheduled', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const unused = ctx.df.createTimer(new Date(0));
      unused.cancel();
      const timer = ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1000));
      yield timer;
      try {
        timer.cancel();
      } catch (e) {
        return [(e as Error).message, unused.isCanceled, timer.isCanceled];
      }
      return 'no error';
    });
    expect(describeActions(d.start())).toEqual(['CreateTimer#0']);
    expect(outputOf(d.run(ev.timerFired(0, at(1))))).toEqual(['Cannot cancel a completed task.', true, false]);
  });

  it('a race inside a loop reuses the same event task across iterations', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const approval = ctx.df.waitForExternalEvent('Approval');
      for (let i = 0; i < 3; i++) {
        const timer = ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1000));
        const winner = yield ctx.df.Task.any([approval, timer]);
        if (winner === approval) {
          timer.cancel();
          return { approved: approval.result, round: i };
        }
      }
      return 'timeout';
    });
    expect(describeActions(d.start())).toEqual(['CreateTimer#0']);
    expect(describeActions(d.run(ev.timerFired(0, at(1))))).toEqual(['CreateTimer#1']);
    expect(outputOf(d.run(ev.raised('approval', 'yes')))).toEqual({ approved: 'yes', round: 1 });
  });
});
