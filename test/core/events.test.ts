// External events: buffered before anybody waits and delivered once each in arrival order; several waiters on one
// name served first come, first served; names matched case-insensitively (durable-functions' JS quirks not copied).
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { Driver, ev, outputOf } from './history-builder.js';

describe('waitForExternalEvent', () => {
  it('an event raised after the wait completes it', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      return yield ctx.df.waitForExternalEvent('Approval');
    });
    const first = d.start();
    expect(first.actions).toEqual([]);
    expect(first.runtimeStatus).toBe('Running');
    expect(d.run(ev.raised('Other', 1)).outcome.status).toBe('Running');
    expect(outputOf(d.run(ev.raised('approval', { ok: true })))).toEqual({ ok: true });
  });

  it('events raised before the wait are buffered and delivered once each, in arrival order', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      yield ctx.df.callActivity('Slow');
      const a = yield ctx.df.waitForExternalEvent('Tick');
      const b = yield ctx.df.waitForExternalEvent('Tick');
      const timer = ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1000));
      const third = ctx.df.waitForExternalEvent('Tick');
      const winner = yield ctx.df.Task.any([third, timer]);
      return [a, b, winner === timer ? 'timeout' : third.result];
    });
    d.start();
    d.run(ev.raised('Tick', 1));
    d.run(ev.raised('Tick', 2));
    const r = d.run(ev.completed(0));
    // The two buffered events were consumed; the third wait found nothing and raced a timer.
    expect(r.actions.map((a) => a.kind)).toEqual(['CreateTimer']);
    expect(outputOf(d.run(ev.timerFired(1, r.actions[0]?.kind === 'CreateTimer' ? r.actions[0].fireAt : '')))).toEqual([
      1,
      2,
      'timeout',
    ]);
  });

  it('several waiters on one name are served in the order they started waiting', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const first = ctx.df.waitForExternalEvent('Go');
      const second = ctx.df.waitForExternalEvent('Go');
      const third = ctx.df.waitForExternalEvent('Go');
      yield ctx.df.Task.all([first, second, third]);
      return [first.result, second.result, third.result];
    });
    d.start();
    d.run(ev.raised('Go', 'a'));
    d.run(ev.raised('GO', 'b'));
    expect(outputOf(d.run(ev.raised('go', 'c')))).toEqual(['a', 'b', 'c']);
  });

  it('an event with no payload delivers undefined', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const value: unknown = yield ctx.df.waitForExternalEvent('Ping');
      return value === undefined ? 'undefined' : value;
    });
    d.start();
    expect(outputOf(d.run(ev.raised('Ping')))).toBe('undefined');
  });
});
