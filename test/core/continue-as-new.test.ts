// continueAsNew: ends the execution with a new input; optionally carries unprocessed events into the next one.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import type { EventRaisedEvent } from '../../src/core/history.js';
import { at, Driver, ev, outputOf } from './history-builder.js';

function* counter(ctx: OrchestrationContext): OrchestrationGenerator {
  const n = ctx.df.getInput<number>();
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1000));
  if (n >= 2) return n;
  ctx.df.continueAsNew(n + 1);
  // Actions after continueAsNew are dropped.
  ctx.df.callActivity('Ignored');
  return 'ignored';
}

describe('continueAsNew', () => {
  it('ends the execution with the new input and a ContinueAsNew record', () => {
    const d = new Driver(counter);
    d.start(0);
    const r = d.run(ev.timerFired(0, at(1)));
    expect(r.outcome).toEqual({ status: 'ContinuedAsNew', input: '1', carryoverEvents: [] });
    expect(r.runtimeStatus).toBe('ContinuedAsNew');
    expect(r.actions).toEqual([]);
    expect(r.newHistory.map((e) => e.eventType)).toEqual([
      'OrchestratorStarted',
      'TimerFired',
      'ContinueAsNew',
      'OrchestratorCompleted',
    ]);
    expect(r.newHistory[2]).toMatchObject({ result: '1' });
  });

  it('runs generations until done (each generation a fresh executor and history)', () => {
    let input: unknown = 0;
    for (let generation = 0; ; generation++) {
      const d = new Driver(counter);
      d.start(input);
      const r = d.run(ev.timerFired(0, at(1)));
      if (r.outcome.status === 'ContinuedAsNew') {
        input = JSON.parse(r.outcome.input ?? 'null');
        continue;
      }
      expect(outputOf(r)).toBe(2);
      expect(generation).toBe(2);
      break;
    }
  });

  it('keeps unprocessed events for the next execution, delivered first and in order', () => {
    const eternal = function* (ctx: OrchestrationContext): OrchestrationGenerator {
      const seen = ctx.df.getInput<string[]>();
      const value = yield ctx.df.waitForExternalEvent('Item');
      const next = [...seen, value as string];
      if (next.length === 3) return next;
      ctx.df.continueAsNew(next, true);
    };
    const first = new Driver(eternal);
    first.start([]);
    const r = first.run(ev.raised('Item', 'a'), ev.raised('Other', 1), ev.raised('Item', 'b'));
    expect(r.outcome.status).toBe('ContinuedAsNew');
    if (r.outcome.status !== 'ContinuedAsNew') return;
    expect(r.outcome.carryoverEvents.map((e) => [e.name, e.input])).toEqual([
      ['Other', '1'],
      ['Item', '"b"'],
    ]);
    // Events of the same batch after the end are not stored in the old history but carried over too.
    expect(r.newHistory.filter((e) => e.eventType === 'EventRaised')).toHaveLength(1);

    const second = new Driver(eternal);
    const s = second.start(['a'], { carryoverEvents: r.outcome.carryoverEvents });
    expect(s.outcome.status).toBe('ContinuedAsNew');
    if (s.outcome.status !== 'ContinuedAsNew') return;
    expect(s.outcome.input).toBe('["a","b"]');
    expect(s.outcome.carryoverEvents.map((e: EventRaisedEvent) => e.name)).toEqual(['Other']);

    const third = new Driver(eternal);
    third.start(['a', 'b'], { carryoverEvents: s.outcome.carryoverEvents });
    expect(outputOf(third.run(ev.raised('Item', 'c')))).toEqual(['a', 'b', 'c']);
  });

  it('without preserveUnprocessedEvents, buffered events are dropped', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 10));
      ctx.df.continueAsNew('next');
    });
    d.start();
    const r = d.run(ev.raised('Early', 1), ev.timerFired(0, at(1)));
    expect(r.outcome).toEqual({ status: 'ContinuedAsNew', input: '"next"', carryoverEvents: [] });
  });
});
