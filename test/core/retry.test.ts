// Retries run inside the engine: a durable timer after each failed attempt, then the next attempt with a new
// sequence id (DTFx's history shape), no dummy timer after the last failure, and an expired retry timeout gives up.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import { RetryOptions } from '../../src/core/retry-options.js';
import { at, describeActions, Driver, ev, outputOf } from './history-builder.js';

function flaky(options: RetryOptions) {
  return function* (ctx: OrchestrationContext): OrchestrationGenerator {
    try {
      return yield ctx.df.callActivityWithRetry('Flaky', options, 'x');
    } catch (err) {
      return { caught: (err as Error).message };
    }
  };
}

describe('callActivityWithRetry', () => {
  it('succeeds on the second attempt after a timer', () => {
    const d = new Driver(flaky(new RetryOptions(1000, 3)));
    expect(describeActions(d.start())).toEqual(['ScheduleTask#0 Flaky']);
    const failed = d.run(ev.failed(0, 'flaked', 'Flaky'));
    expect(failed.actions).toEqual([{ kind: 'CreateTimer', sequenceId: 1, fireAt: at(2) }]);
    expect(describeActions(d.run(ev.timerFired(1, at(2))))).toEqual(['ScheduleTask#2 Flaky']);
    expect(d.last.actions[0]).toEqual({ kind: 'ScheduleTask', sequenceId: 2, name: 'Flaky', input: '"x"' });
    expect(outputOf(d.run(ev.completed(2, 'ok')))).toBe('ok');
    expect(d.history.filter((e) => e.eventId >= 0).map((e) => `${e.eventType}#${e.eventId}`)).toEqual([
      'TaskScheduled#0',
      'TimerCreated#1',
      'TaskScheduled#2',
    ]);
  });

  it('gives up after the last attempt with its error, without a timer after it', () => {
    const options = new RetryOptions(1000, 3);
    options.backoffCoefficient = 2;
    const d = new Driver(flaky(options));
    d.start();
    expect(d.run(ev.failed(0, 'one', 'Flaky')).actions).toEqual([
      { kind: 'CreateTimer', sequenceId: 1, fireAt: at(2) },
    ]);
    d.run(ev.timerFired(1, at(2)));
    // Backoff: 1000 * 2^1 ms after the second failure (episode 3 runs at at(3)).
    expect(d.run(ev.failed(2, 'two', 'Flaky')).actions).toEqual([
      { kind: 'CreateTimer', sequenceId: 3, fireAt: at(5) },
    ]);
    d.run(ev.timerFired(3, at(5)));
    const last = d.run(ev.failed(4, 'three', 'Flaky'));
    expect(last.actions).toEqual([]);
    expect(outputOf(last)).toEqual({ caught: "Activity function 'Flaky' failed: three" });
  });

  it('caps the interval at maxRetryIntervalInMilliseconds', () => {
    const options = new RetryOptions(1000, 5);
    options.backoffCoefficient = 10;
    options.maxRetryIntervalInMilliseconds = 3000;
    const d = new Driver(flaky(options));
    d.start();
    d.run(ev.failed(0, 'one'));
    d.run(ev.timerFired(1, at(2)));
    expect(d.run(ev.failed(2, 'two')).actions).toEqual([{ kind: 'CreateTimer', sequenceId: 3, fireAt: at(6) }]);
  });

  it('gives up at once when the retry timeout has elapsed, instead of waiting for a timer', () => {
    const options = new RetryOptions(1000, 10);
    options.retryTimeoutInMilliseconds = 1500;
    const d = new Driver(flaky(options));
    d.start();
    expect(describeActions(d.run(ev.failed(0, 'one')))).toEqual(['CreateTimer#1']);
    d.run(ev.timerFired(1, at(2)));
    const gaveUp = d.run(ev.failed(2, 'two'));
    expect(gaveUp.actions).toEqual([]);
    expect(outputOf(gaveUp)).toEqual({ caught: "Activity function 'Activity' failed: two" });
  });

  it('an uncaught final failure fails the orchestration with the activity error', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      return yield ctx.df.callActivityWithRetry('Flaky', new RetryOptions(10, 2));
    });
    d.start();
    d.run(ev.failed(0, 'one'));
    d.run(ev.timerFired(1, at(2)));
    const failed = d.run(
      ev.failed(2, 'two', 'Flaky', { errorType: 'RangeError', stackTrace: 'RangeError: two\n  at x' }),
    );
    expect(failed.outcome).toEqual({
      status: 'Failed',
      failureDetails: { errorType: 'RangeError', errorMessage: 'two', stackTrace: 'RangeError: two\n  at x' },
    });
    expect(failed.runtimeStatus).toBe('Failed');
  });

  it('retries inside a fan-out keep their own sequence ids', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const opts = new RetryOptions(1000, 2);
      return yield ctx.df.Task.all([ctx.df.callActivityWithRetry('A', opts), ctx.df.callActivityWithRetry('B', opts)]);
    });
    expect(describeActions(d.start())).toEqual(['ScheduleTask#0 A', 'ScheduleTask#1 B']);
    expect(describeActions(d.run(ev.failed(1, 'b1'), ev.completed(0, 'a')))).toEqual(['CreateTimer#2']);
    expect(describeActions(d.run(ev.timerFired(2, at(2))))).toEqual(['ScheduleTask#3 B']);
    expect(outputOf(d.run(ev.completed(3, 'b')))).toEqual(['a', 'b']);
  });

  it('validates options as durable-functions does', () => {
    expect(() => new RetryOptions(0, 3)).toThrow('firstRetryIntervalInMilliseconds value must be greater than 0.');
    expect(() => new RetryOptions('1' as unknown as number, 3)).toThrow(TypeError);
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const errors: string[] = [];
      for (const bad of [
        undefined,
        { maxNumberOfAttempts: 2 },
        { firstRetryIntervalInMilliseconds: 1, maxNumberOfAttempts: 2, backoffCoefficient: 0 },
      ]) {
        try {
          ctx.df.callActivityWithRetry('A', bad as unknown as RetryOptions);
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      yield* [];
      // A plain object with the fields works, as in durable-functions.
      ctx.df.callActivityWithRetry('A', {
        firstRetryIntervalInMilliseconds: 5,
        maxNumberOfAttempts: 2,
      } as RetryOptions);
      return errors;
    });
    expect(outputOf(d.start())).toEqual([
      'retryOptions: Expected object of type RetryOptions but got undefined; are you missing properties?',
      'retryOptions: Expected object of type RetryOptions but got object; are you missing properties?',
      'backoffCoefficient value must be greater than 0.',
    ]);
  });
});

describe('callSubOrchestratorWithRetry', () => {
  it('starts a new child per attempt with default instance ids, or reuses a given one', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const a = yield ctx.df.callSubOrchestratorWithRetry('Child', new RetryOptions(1000, 2), 'in');
      const b = yield ctx.df.callSubOrchestratorWithRetry('Child', new RetryOptions(1000, 2), 'in', 'fixed');
      return [a, b];
    });
    expect(d.start().actions).toEqual([
      { kind: 'CreateSubOrchestration', sequenceId: 0, name: 'Child', instanceId: 'test-instance:0', input: '"in"' },
    ]);
    d.run(ev.subFailed(0, 'child broke'));
    expect(d.run(ev.timerFired(1, at(2))).actions).toEqual([
      { kind: 'CreateSubOrchestration', sequenceId: 2, name: 'Child', instanceId: 'test-instance:2', input: '"in"' },
    ]);
    expect(d.run(ev.subCompleted(2, 'a')).actions).toEqual([
      { kind: 'CreateSubOrchestration', sequenceId: 3, name: 'Child', instanceId: 'fixed', input: '"in"' },
    ]);
    expect(outputOf(d.run(ev.subCompleted(3, 'b')))).toEqual(['a', 'b']);
  });
});
