// Instance control and per-episode state: terminate, suspend/resume, duplicate and stale completions, custom status,
// newGuid, isReplaying and the replay-safe logger, yield constraint violations.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { createOrchestrationExecutor } from '../../src/core/replay.js';
import { at, describeActions, Driver, ev, outputOf } from './history-builder.js';

function* twoSteps(ctx: OrchestrationContext): OrchestrationGenerator {
  const a = yield ctx.df.callActivity('A');
  const b = yield ctx.df.callActivity('B');
  return [a, b];
}

describe('terminate', () => {
  it('ends the instance with the reason and an ExecutionCompleted(Terminated) record, scheduling nothing', () => {
    const d = new Driver(twoSteps);
    d.start();
    const r = d.run(ev.completed(0, 'a'), ev.terminated('enough'), ev.completed(0, 'late'));
    expect(r.outcome).toEqual({ status: 'Terminated', output: '"enough"' });
    expect(r.runtimeStatus).toBe('Terminated');
    expect(r.actions).toEqual([]);
    expect(r.newHistory.map((e) => e.eventType)).toEqual([
      'OrchestratorStarted',
      'TaskCompleted',
      'ExecutionTerminated',
      'ExecutionCompleted',
      'OrchestratorCompleted',
    ]);
    expect(r.newHistory[3]).toMatchObject({ orchestrationStatus: 'Terminated', result: '"enough"' });
    // A finished execution appends nothing more.
    expect(d.run(ev.completed(1, 'b')).newHistory).toEqual([]);
  });

  it('terminates a suspended instance too', () => {
    const d = new Driver(twoSteps);
    d.start();
    d.run(ev.suspended());
    expect(d.run(ev.terminated()).outcome).toEqual({ status: 'Terminated' });
  });
});

describe('suspend / resume', () => {
  it('holds new events while suspended (stored, not delivered) and delivers them in order on resume', () => {
    const d = new Driver(twoSteps);
    d.start();
    const s = d.run(ev.suspended(), ev.completed(0, 'a'));
    expect(s.outcome).toEqual({ status: 'Suspended' });
    expect(s.runtimeStatus).toBe('Suspended');
    expect(s.actions).toEqual([]);
    expect(s.newHistory.map((e) => e.eventType)).toContain('TaskCompleted');
    // A duplicate of a held completion is still dropped.
    expect(d.run(ev.completed(0, 'dup')).newHistory.map((e) => e.eventType)).toEqual([
      'OrchestratorStarted',
      'OrchestratorCompleted',
    ]);
    const r = d.run(ev.resumed());
    expect(r.runtimeStatus).toBe('Running');
    expect(describeActions(r)).toEqual(['ScheduleTask#1 B']);
    expect(outputOf(d.run(ev.completed(1, 'b')))).toEqual(['a', 'b']);
  });

  it('a suspended instance that has not started yet starts on resume', () => {
    const d = new Driver(twoSteps);
    const s = d.run(ev.suspended(), ev.started('Test'));
    expect(s.runtimeStatus).toBe('Suspended');
    expect(describeActions(d.run(ev.resumed()))).toEqual(['ScheduleTask#0 A']);
  });
});

describe('duplicate and stale completions', () => {
  it('are dropped and not stored (a result is observed once)', () => {
    const d = new Driver(twoSteps);
    d.start();
    const r = d.run(ev.completed(0, 'a'), ev.completed(0, 'again'), ev.completed(7, 'never scheduled'));
    expect(r.newHistory.filter((e) => e.eventType === 'TaskCompleted')).toHaveLength(1);
    const later = d.run(ev.completed(0, 'much later'), ev.timerFired(1, at(1)), ev.subCompleted(1, 'wrong kind'));
    expect(later.newHistory.map((e) => e.eventType)).toEqual(['OrchestratorStarted', 'OrchestratorCompleted']);
    expect(outputOf(d.run(ev.completed(1, 'b')))).toEqual(['a', 'b']);
  });

  it('a duplicate ExecutionStarted is dropped', () => {
    const d = new Driver(twoSteps);
    d.start();
    expect(d.run(ev.started('Test')).newHistory).toHaveLength(2);
  });

  it('rejects events that are not messages', () => {
    const executor = createOrchestrationExecutor(twoSteps, { instanceId: 'i', name: 'T' });
    expect(() => executor.execute([ev.scheduled(0, 'A')], at(0))).toThrow(/'TaskScheduled' is not a message/);
  });
});

describe('custom status', () => {
  it('keeps falsy values and the last value set', () => {
    const statuses = [0, '', false, null, { step: 2 }];
    const d = new Driver(function* (ctx: OrchestrationContext) {
      for (const s of statuses) {
        ctx.df.setCustomStatus(s);
        yield ctx.df.callActivity('Step');
      }
    });
    expect(d.start().customStatus).toBe('0');
    expect(d.run(ev.completed(0)).customStatus).toBe('""');
    expect(d.run(ev.completed(1)).customStatus).toBe('false');
    expect(d.run(ev.completed(2)).customStatus).toBe('null');
    expect(d.run(ev.completed(3)).customStatus).toBe('{"step":2}');
  });

  it('is undefined when never set', () => {
    const d = new Driver(twoSteps);
    expect(d.start().customStatus).toBeUndefined();
  });
});

describe('newGuid, time and isReplaying', () => {
  it('newGuid is a v5 UUID, distinct per call and stable across replays', () => {
    const guids: string[][] = [];
    const orchestrator = function* (ctx: OrchestrationContext) {
      const mine = [ctx.df.newGuid(), ctx.df.newGuid()];
      guids.push(mine);
      yield ctx.df.callActivity('A');
      return mine;
    };
    const d = new Driver(orchestrator);
    d.start();
    const out = outputOf(d.run(ev.completed(0))) as string[];
    expect(out[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(out[0]).not.toBe(out[1]);
    // Every run of the code (live and fresh replays in the driver) produced the same GUIDs.
    for (const g of guids) expect(g).toEqual(out);
    const other = new Driver(orchestrator, { instanceId: 'another' });
    expect(outputOf((other.start(), other.run(ev.completed(0))))).not.toEqual(out);
  });

  it('currentUtcDateTime is the episode start time; isReplaying is true only for stored history', () => {
    const seen: [string, boolean][] = [];
    const d = new Driver(
      function* (ctx: OrchestrationContext) {
        seen.push([ctx.df.currentUtcDateTime.toISOString(), ctx.df.isReplaying]);
        ctx.log('before the first yield');
        yield ctx.df.callActivity('A');
        seen.push([ctx.df.currentUtcDateTime.toISOString(), ctx.df.isReplaying]);
        ctx.warn('after', { n: 1 });
        yield ctx.df.callActivity('B');
      },
      { checkReplay: false },
    );
    d.start();
    d.run(ev.completed(0));
    expect(seen).toEqual([
      [at(0), false],
      [at(1), false],
    ]);
    // A fresh executor replaying the history: replayed code sees the recorded times and isReplaying = true.
    seen.length = 0;
    const logs: string[] = [];
    const fresh = createOrchestrationExecutor(
      function* (ctx: OrchestrationContext) {
        seen.push([ctx.df.currentUtcDateTime.toISOString(), ctx.df.isReplaying]);
        ctx.log('before the first yield');
        yield ctx.df.callActivity('A');
        seen.push([ctx.df.currentUtcDateTime.toISOString(), ctx.df.isReplaying]);
        ctx.warn('after', { n: 1 });
        yield ctx.df.callActivity('B');
      },
      { instanceId: 'test-instance', name: 'T', logSink: (level, message) => logs.push(`${level}: ${message}`) },
    );
    fresh.replay(d.history.slice(0, 4));
    fresh.execute([ev.completed(0)], at(1));
    expect(seen).toEqual([
      [at(0), true],
      [at(1), false],
    ]);
    // Logs are suppressed while replaying: only the new step's message is written.
    expect(logs).toEqual(['warn: after {"n":1}']);
    expect(d.logs).toEqual(['info: before the first yield', 'warn: after {"n":1}']);
  });
});

describe('programming constraints', () => {
  it('yielding a non-task throws a constraint violation at the yield', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      try {
        yield (() => 'not a task') as unknown as never;
      } catch (e) {
        ctx.df.setCustomStatus((e as Error).message);
      }
      yield undefined as unknown as never;
    });
    const r = d.start();
    expect(r.customStatus).toContain('Orchestration yielded data of type function');
    expect(r.outcome.status).toBe('Failed');
    if (r.outcome.status !== 'Failed') return;
    expect(r.outcome.failureDetails.errorMessage).toMatch(
      /^Durable Functions programming constraint violation: Orchestration yielded data of type undefined\..*must not be yielded/,
    );
  });

  it('a plain function that returns a Promise (not declared async) fails with a clear message', () => {
    const d = new Driver((() => Promise.resolve('x')) as unknown as () => Generator<never>);
    const r = d.start();
    expect(r.outcome.status === 'Failed' && r.outcome.failureDetails.errorMessage).toMatch(
      /returned a Promise but is not declared async: declare it `async function`/,
    );
  });

  it('a yielded task yielded again is scheduled once', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const t = ctx.df.callActivity('A');
      const first = yield t;
      const again = yield t;
      return [first, again];
    });
    expect(d.start().actions).toHaveLength(1);
    expect(outputOf(d.run(ev.completed(0, 1)))).toEqual([1, 1]);
  });
});

describe('history shape', () => {
  it('records action events with the episode time and sequence ids', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      yield ctx.df.Task.all([
        ctx.df.callActivity('A', { x: 1 }),
        ctx.df.createTimer(new Date(Date.parse(at(100)))),
        ctx.df.callSubOrchestrator('Child'),
      ]);
    });
    const r = d.start();
    const events: HistoryEvent[] = [
      ev.orchestratorStarted(at(0)),
      ev.started('Test'),
      { eventType: 'TaskScheduled', eventId: 0, timestamp: at(0), name: 'A', input: '{"x":1}' },
      { eventType: 'TimerCreated', eventId: 1, timestamp: at(0), fireAt: at(100) },
      {
        eventType: 'SubOrchestrationInstanceCreated',
        eventId: 2,
        timestamp: at(0),
        name: 'Child',
        instanceId: 'test-instance:2',
      },
      ev.orchestratorCompleted(at(0)),
    ];
    expect(r.newHistory).toEqual(events);
  });
});
