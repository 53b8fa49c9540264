// Retries run inside the engine: a durable timer after each failed attempt, then the next attempt with a new
// sequence id (DTFx's history shape), a timer after the last failure too, and an expired retry timeout gives up at
// once. Histories stored by Taskhub before it recorded the last timer still replay.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { createOrchestrationExecutor } from '../../src/core/replay.js';
import { checkReplay, replayHistory } from '../../src/core/replayer.js';
import { RetryOptions } from '../../src/core/retry-options.js';
import { at, describeActions, Driver, episode, ev, outputOf } from './history-builder.js';

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
    expect(d.last.actions[0]).toEqual({
      kind: 'ScheduleTask',
      sequenceId: 2,
      name: 'Flaky',
      input: '"x"',
      maxAttempts: 3,
    });
    expect(outputOf(d.run(ev.completed(2, 'ok')))).toBe('ok');
    expect(d.history.filter((e) => e.eventId >= 0).map((e) => `${e.eventType}#${e.eventId}`)).toEqual([
      'TaskScheduled#0',
      'TimerCreated#1',
      'TaskScheduled#2',
    ]);
  });

  it('gives up after the last attempt once the timer after it fires, as Durable Functions records it', () => {
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
    // The last attempt fails at at(5): one more interval (1000 * 2^2 ms) before the code sees the failure.
    const last = d.run(ev.failed(4, 'three', 'Flaky'));
    expect(last.actions).toEqual([{ kind: 'CreateTimer', sequenceId: 5, fireAt: at(9) }]);
    expect(last.outcome.status).toBe('Running');
    expect(outputOf(d.run(ev.timerFired(5, at(9))))).toEqual({ caught: "Activity function 'Flaky' failed: three" });
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
    d.run(ev.failed(2, 'two', 'Flaky', { errorType: 'RangeError', stackTrace: 'RangeError: two\n  at x' }));
    const failed = d.run(ev.timerFired(3, at(3.01)));
    expect(failed.outcome).toEqual({
      status: 'Failed',
      failureDetails: {
        errorType: 'RangeError',
        errorMessage: "Activity function 'Flaky' failed: two",
        stackTrace: 'RangeError: two\n  at x',
      },
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
      {
        kind: 'CreateSubOrchestration',
        sequenceId: 0,
        name: 'Child',
        instanceId: 'test-instance:0',
        input: '"in"',
        maxAttempts: 2,
      },
    ]);
    d.run(ev.subFailed(0, 'child broke'));
    expect(d.run(ev.timerFired(1, at(2))).actions).toEqual([
      {
        kind: 'CreateSubOrchestration',
        sequenceId: 2,
        name: 'Child',
        instanceId: 'test-instance:2',
        input: '"in"',
        maxAttempts: 2,
      },
    ]);
    expect(d.run(ev.subCompleted(2, 'a')).actions).toEqual([
      {
        kind: 'CreateSubOrchestration',
        sequenceId: 3,
        name: 'Child',
        instanceId: 'fixed',
        input: '"in"',
        maxAttempts: 2,
      },
    ]);
    expect(outputOf(d.run(ev.subCompleted(3, 'b')))).toEqual(['a', 'b']);
  });
});

/** Catches the final failure, records when the code saw it, and goes on with one more activity. */
function* recovers(ctx: OrchestrationContext): OrchestrationGenerator {
  let seen: string;
  try {
    seen = (yield ctx.df.callActivityWithRetry('Flaky', new RetryOptions(1000, 2), 'x')) as string;
  } catch (err) {
    seen = `${(err as Error).message} @ ${ctx.df.currentUtcDateTime.toISOString()}`;
  }
  return yield ctx.df.callActivity('After', seen);
}

const started = ev.started('recovers');
const firstTwoEpisodes = [
  ...episode(at(0), started, ev.scheduled(0, 'Flaky', 'x')),
  ...episode(at(1), ev.failed(0, 'one', 'Flaky'), ev.timerCreated(1, at(2))),
  ...episode(at(2), ev.timerFired(1, at(2)), ev.scheduled(2, 'Flaky', 'x')),
];

describe('retry histories', () => {
  // As Durable Functions records it (DTFx's RetryInterceptor): TaskFailed, then a timer, after the last attempt too.
  const azure: HistoryEvent[] = [
    ...firstTwoEpisodes,
    ...episode(at(3), ev.failed(2, 'two', 'Flaky'), ev.timerCreated(3, at(4))),
    ...episode(
      at(4),
      ev.timerFired(3, at(4)),
      ev.scheduled(4, 'After', `Activity function 'Flaky' failed: two @ ${at(4)}`),
    ),
  ];
  // As Taskhub stored it before it recorded the last timer: the code saw the failure in the episode that brought it.
  const earlier: HistoryEvent[] = [
    ...firstTwoEpisodes,
    ...episode(
      at(3),
      ev.failed(2, 'two', 'Flaky'),
      ev.scheduled(3, 'After', `Activity function 'Flaky' failed: two @ ${at(3)}`),
    ),
  ];

  it('a history recorded by Durable Functions replays, and the code sees the failure when the last timer fires', () => {
    const done = replayHistory(recovers, [...azure, ...episode(at(5), ev.completed(4, 'fine'))]);
    expect(outputOf(done)).toBe('fine');
    // Stopped before the last timer fired: waiting on it, with nothing new to do.
    const waiting = checkReplay(
      recovers,
      azure.slice(0, azure.findIndex((e) => e.eventType === 'TimerFired' && e.timerId === 3) - 1),
    );
    expect(waiting.ok && waiting.result.outcome.status).toBe('Running');
    expect(waiting.ok && waiting.result.actions).toEqual([]);
  });

  it('a live run records the same history as Durable Functions', () => {
    const d = new Driver(recovers, { name: 'recovers' });
    d.start('x');
    d.run(ev.failed(0, 'one', 'Flaky'));
    d.run(ev.timerFired(1, at(2)));
    d.run(ev.failed(2, 'two', 'Flaky'));
    d.run(ev.timerFired(3, at(4)));
    const shape = (h: readonly HistoryEvent[]) =>
      h.filter((e) => e.eventId >= 0).map((e) => [e.eventType, e.eventId, 'fireAt' in e ? e.fireAt : undefined]);
    expect(shape(d.history)).toEqual(shape(azure));
    const after = d.history.find((e) => e.eventType === 'TaskScheduled' && e.eventId === 4);
    expect(after?.eventType === 'TaskScheduled' && after.input).toBe(
      JSON.stringify(`Activity function 'Flaky' failed: two @ ${at(4)}`),
    );
  });

  it('a history stored by an earlier Taskhub (no last timer) still replays, and an instance stopped in it goes on', () => {
    expect(outputOf(replayHistory(recovers, [...earlier, ...episode(at(4), ev.completed(3, 'fine'))]))).toBe('fine');
    // In flight across the upgrade: a new worker replays the stored episodes and takes the next message.
    const resumed = createOrchestrationExecutor(recovers, { instanceId: 'test-instance', name: 'recovers' });
    resumed.replay(earlier);
    expect(outputOf(resumed.execute([ev.completed(3, 'fine')], at(4)))).toBe('fine');
  });

  it('an earlier history whose last failure ended the instance, or left it waiting, replays the same way', () => {
    const uncaught = function* (ctx: OrchestrationContext): OrchestrationGenerator {
      yield ctx.df.callActivityWithRetry('Flaky', new RetryOptions(1000, 1));
      return 'unreachable';
    };
    const failedThen = checkReplay(uncaught, [
      ...episode(at(0), started, ev.scheduled(0, 'Flaky')),
      ...episode(at(1), ev.failed(0, 'one', 'Flaky'), {
        eventType: 'ExecutionCompleted',
        eventId: -1,
        timestamp: at(1),
        orchestrationStatus: 'Failed',
        failureDetails: { errorType: 'Error', errorMessage: 'one' },
      }),
    ]);
    expect(failedThen.ok && failedThen.result.outcome).toMatchObject({ status: 'Failed' });

    // Caught, then waiting for an event: the episode of the failure recorded no action at all.
    const waits = function* (ctx: OrchestrationContext): OrchestrationGenerator {
      try {
        yield ctx.df.callActivityWithRetry('Flaky', new RetryOptions(1000, 1));
      } catch {
        // handled below
      }
      const go = (yield ctx.df.waitForExternalEvent('go')) as string;
      return yield ctx.df.callActivity('After', go);
    };
    const stored = [
      ...episode(at(0), started, ev.scheduled(0, 'Flaky')),
      ...episode(at(1), ev.failed(0, 'one', 'Flaky')),
    ];
    const resumed = createOrchestrationExecutor(waits, { instanceId: 'test-instance', name: 'waits' });
    resumed.replay(stored);
    expect(resumed.execute([ev.raised('go', 'now')], at(2)).actions).toEqual([
      { kind: 'ScheduleTask', sequenceId: 1, name: 'After', input: '"now"' },
    ]);
  });

  it('callSubOrchestratorWithRetry: the same timer after the last failed child', () => {
    const parent = function* (ctx: OrchestrationContext): OrchestrationGenerator {
      try {
        return yield ctx.df.callSubOrchestratorWithRetry('Child', new RetryOptions(2000, 1), 'in');
      } catch (err) {
        return (err as Error).message;
      }
    };
    const history = [
      ...episode(at(0), started, ev.subCreated(0, 'Child', 'test-instance:0', 'in')),
      ...episode(at(1), ev.subFailed(0, 'child broke'), ev.timerCreated(1, at(3))),
    ];
    const waiting = replayHistory(parent, history);
    expect(waiting.outcome.status).toBe('Running');
    expect(outputOf(replayHistory(parent, [...history, ...episode(at(3), ev.timerFired(1, at(3)))]))).toBe(
      "Sub orchestrator function 'Child' failed: child broke",
    );
  });
});
