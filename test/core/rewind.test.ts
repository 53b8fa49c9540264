// Rewind of a failed instance: the failures that ended it are forgotten, the replay waits for those tasks again.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator, OrchestrationHandler } from '../../src/core/context.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { createOrchestrationExecutor } from '../../src/core/replay.js';
import { RetryOptions } from '../../src/core/retry-options.js';
import { rewindHistory } from '../../src/core/rewind.js';
import { at, Driver, episode, ev, outputOf } from './history-builder.js';

/** Replays the rewound history with a fresh executor and runs one more episode. */
function resume(handler: OrchestrationHandler, history: HistoryEvent[], next: HistoryEvent[]) {
  const executor = createOrchestrationExecutor(handler, { instanceId: 'test-instance', name: 'Test' });
  executor.replay(history);
  return executor.execute(next, at(50));
}

describe('rewindHistory', () => {
  it('removes the final failure and ExecutionCompleted(Failed), and lists the task to re-run', () => {
    const chain = function* (ctx: OrchestrationContext): OrchestrationGenerator {
      const a = yield ctx.df.callActivity('A', 'in-a');
      const b = yield ctx.df.callActivity('B', a);
      return [a, b];
    };
    const d = new Driver(chain);
    d.start();
    d.run(ev.completed(0, 'a'));
    expect(d.run(ev.failed(1, 'B broke')).runtimeStatus).toBe('Failed');
    const { history, retry } = rewindHistory(d.history);
    expect(retry).toEqual([{ kind: 'task', sequenceId: 1, name: 'B', input: '"a"' }]);
    expect(history.some((e) => e.eventType === 'TaskFailed' || e.eventType === 'ExecutionCompleted')).toBe(false);
    expect(history).toHaveLength(d.history.length - 2);
    const waiting = resume(chain, history, []);
    expect(waiting.outcome.status).toBe('Running');
    expect(waiting.actions).toEqual([]);
    expect(outputOf(resume(chain, history, [ev.completed(1, 'b')]))).toEqual(['a', 'b']);
  });

  it('inside a retry sequence re-runs only the last attempt, keeping the earlier ones (the replay stays consistent)', () => {
    const retried = function* (ctx: OrchestrationContext): OrchestrationGenerator {
      return yield ctx.df.callActivityWithRetry('Flaky', new RetryOptions(1000, 2));
    };
    const d = new Driver(retried);
    d.start();
    d.run(ev.failed(0, 'one'));
    d.run(ev.timerFired(1, at(2)));
    d.run(ev.failed(2, 'two'));
    // The last failure reaches the code when the timer after it fires (Durable Functions' shape).
    expect(d.run(ev.timerFired(3, at(4))).runtimeStatus).toBe('Failed');
    const { history, retry } = rewindHistory(d.history);
    expect(retry).toEqual([{ kind: 'task', sequenceId: 2, name: 'Flaky' }]);
    expect(
      history.filter((e) => e.eventType === 'TaskFailed').map((e) => e.eventType === 'TaskFailed' && e.taskScheduledId),
    ).toEqual([0]);
    expect(history.some((e) => e.eventId === 3)).toBe(false);
    expect(outputOf(resume(retried, history, [ev.completed(2, 'ok')]))).toBe('ok');
    // Failing again after the rewind: the policy counts the earlier attempts, so it gives up after the last timer.
    const again = resume(retried, history, [ev.failed(2, 'three')]);
    expect(again.actions).toEqual([
      { kind: 'CreateTimer', sequenceId: 3, fireAt: new Date(Date.parse(at(50)) + 1000).toISOString() },
    ]);
    expect(again.outcome.status).toBe('Running');
  });

  it('a retry sequence stored without the last timer (earlier Taskhub) rewinds the same way', () => {
    const retried = function* (ctx: OrchestrationContext): OrchestrationGenerator {
      return yield ctx.df.callActivityWithRetry('Flaky', new RetryOptions(1000, 2));
    };
    const stored: HistoryEvent[] = [
      ...episode(at(0), ev.started('Test'), ev.scheduled(0, 'Flaky')),
      ...episode(at(1), ev.failed(0, 'one'), ev.timerCreated(1, at(2))),
      ...episode(at(2), ev.timerFired(1, at(2)), ev.scheduled(2, 'Flaky')),
      ...episode(at(3), ev.failed(2, 'two'), {
        eventType: 'ExecutionCompleted',
        eventId: -1,
        timestamp: at(3),
        orchestrationStatus: 'Failed',
        failureDetails: { errorType: 'Error', errorMessage: 'two' },
      }),
    ];
    const { history, retry } = rewindHistory(stored);
    expect(retry).toEqual([{ kind: 'task', sequenceId: 2, name: 'Flaky' }]);
    expect(outputOf(resume(retried, history, [ev.completed(2, 'ok')]))).toBe('ok');
  });

  it('keeps a failure the code caught and reacted to', () => {
    const fallback = function* (ctx: OrchestrationContext): OrchestrationGenerator {
      try {
        yield ctx.df.callActivity('Primary');
      } catch {
        return yield ctx.df.callActivity('Fallback');
      }
    };
    const d = new Driver(fallback);
    d.start();
    d.run(ev.failed(0, 'primary down'));
    d.run(ev.failed(1, 'fallback down'));
    const { history, retry } = rewindHistory(d.history);
    expect(retry).toEqual([{ kind: 'task', sequenceId: 1, name: 'Fallback' }]);
    expect(history.filter((e) => e.eventType === 'TaskFailed')).toHaveLength(1);
    expect(outputOf(resume(fallback, history, [ev.completed(1, 'ok')]))).toBe('ok');
  });

  it('re-runs tasks that never completed and failed sub-orchestrations', () => {
    const fanOut = function* (ctx: OrchestrationContext): OrchestrationGenerator {
      return yield ctx.df.Task.all([
        ctx.df.callActivity('A'),
        ctx.df.callActivity('B'),
        ctx.df.callSubOrchestrator('Child', 1),
        ctx.df.createTimer(new Date(Date.parse(at(30)))),
      ]);
    };
    const d = new Driver(fanOut);
    d.start();
    expect(d.run(ev.subFailed(2, 'child broke')).runtimeStatus).toBe('Failed');
    const { history, retry } = rewindHistory(d.history);
    expect(retry).toEqual([
      { kind: 'task', sequenceId: 0, name: 'A' },
      { kind: 'task', sequenceId: 1, name: 'B' },
      { kind: 'subOrchestration', sequenceId: 2, name: 'Child', instanceId: 'test-instance:2', input: '1' },
      { kind: 'timer', sequenceId: 3, fireAt: at(30) },
    ]);
    expect(
      outputOf(
        resume(fanOut, history, [
          ev.completed(0, 'a'),
          ev.completed(1, 'b'),
          ev.subCompleted(2, 'c'),
          ev.timerFired(3, at(30)),
        ]),
      ),
    ).toEqual(['a', 'b', 'c', null]);
  });
});
