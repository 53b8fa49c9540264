// callHttp's polling loop in the pure replay engine: 202 + Location → timer of Retry-After seconds → GET of the
// Location, until a non-202; each episode equals a fresh replay of the stored history.
import { describe, expect, it } from 'vitest';
import type { DurableHttpRequest, OrchestrationContext } from '../../src/core/context.js';
import { at, Driver, ev, outputOf } from '../core/history-builder.js';

describe('callHttp polling (core)', () => {
  it('polls with durable timers until the answer is not 202', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      return yield ctx.df.callHttp({ method: 'POST', url: 'https://api.example/jobs', body: 'go' });
    });
    const first = d.start();
    expect(first.actions).toMatchObject([{ kind: 'ScheduleTask', sequenceId: 0, name: 'BuiltIn::HttpActivity' }]);
    const accepted = { statusCode: 202, headers: { Location: '/jobs/1', 'Retry-After': '5' } };
    const timer = d.run(ev.completed(0, accepted));
    expect(timer.actions).toEqual([
      { kind: 'CreateTimer', sequenceId: 1, fireAt: new Date(Date.parse(at(1)) + 5000).toISOString() },
    ]);
    const poll = d.run(ev.timerFired(1, timer.actions[0]?.kind === 'CreateTimer' ? timer.actions[0].fireAt : ''));
    const request = JSON.parse((poll.actions[0] as { input: string }).input) as DurableHttpRequest;
    expect(request).toEqual({
      method: 'GET',
      uri: 'https://api.example/jobs/1',
      headers: {},
      asynchronousPatternEnabled: true,
    });
    const done = d.run(ev.completed(2, { statusCode: 200, content: 'ok' }));
    expect(outputOf(done)).toEqual({ statusCode: 200, content: 'ok' });
  });

  it('returns the 202 as is when polling is disabled', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      return yield ctx.df.callHttp({ method: 'GET', url: 'https://api.example/x', enablePolling: false });
    });
    d.start();
    const done = d.run(ev.completed(0, { statusCode: 202, headers: { location: '/y' } }));
    expect(outputOf(done)).toEqual({ statusCode: 202, headers: { location: '/y' } });
  });
});
