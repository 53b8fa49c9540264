// Invariant 3: replay checks every action against history; a divergence fails the instance naming both sides.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationHandler } from '../../src/core/context.js';
import type { EpisodeResult } from '../../src/core/episode.js';
import { isTaskhubError } from '../../src/core/errors.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { NonDeterministicOrchestrationError } from '../../src/core/nondeterminism.js';
import { createOrchestrationExecutor } from '../../src/core/replay.js';
import { replayHistory } from '../../src/core/replayer.js';
import { at, Driver, ev, outputOf } from './history-builder.js';

const ADVICE = ' Was the orchestrator code changed while this instance was running?';

/** Run `original` through the episodes, then let `changed` replay the stored history and take the next episode. */
function changeCode(
  original: OrchestrationHandler,
  changed: OrchestrationHandler,
  episodes: HistoryEvent[][],
  next: HistoryEvent[],
): EpisodeResult {
  const d = new Driver(original);
  d.start();
  for (const events of episodes) d.run(...events);
  const executor = createOrchestrationExecutor(changed, { instanceId: 'test-instance', name: 'Test' });
  executor.replay(d.history);
  return executor.execute(next, at(99));
}

function expectNonDeterminism(result: EpisodeResult, message: string): void {
  expect(result.outcome.status).toBe('Failed');
  if (result.outcome.status !== 'Failed') return;
  expect(result.outcome.failureDetails.errorType).toBe('NonDeterministicOrchestrationError');
  const text = result.outcome.failureDetails.errorMessage;
  expect(text.startsWith(`Non-deterministic workflow detected: ${message}.${ADVICE}`)).toBe(true);
  expect(result.actions).toEqual([]);
  expect(result.runtimeStatus).toBe('Failed');
  expect(result.newHistory.map((e) => e.eventType)).toEqual([
    'OrchestratorStarted',
    'ExecutionCompleted',
    'OrchestratorCompleted',
  ]);
}

const steps = (...names: string[]): OrchestrationHandler =>
  function* (ctx: OrchestrationContext) {
    const out: unknown[] = [];
    for (const name of names) out.push(yield ctx.df.callActivity(name));
    return out;
  };

describe('nondeterminism', () => {
  it('renamed activity', () => {
    const r = changeCode(
      steps('Reserve', 'Pay', 'Charge'),
      steps('Reserve', 'Pay', 'Refund'),
      [[ev.completed(0)], [ev.completed(1)]],
      [ev.completed(2)],
    );
    expectNonDeterminism(r, "history has TaskScheduled #2 'Charge' but the code now calls activity 'Refund' at #2");
  });

  it('reordered calls', () => {
    const r = changeCode(steps('A', 'B'), steps('B', 'A'), [], [ev.completed(0)]);
    expectNonDeterminism(r, "history has TaskScheduled #0 'A' but the code now calls activity 'B' at #0");
  });

  it('removed yield: the code completes without the recorded action', () => {
    const r = changeCode(steps('A', 'B', 'C'), steps('A'), [[ev.completed(0)]], [ev.completed(1)]);
    expectNonDeterminism(
      r,
      "history has TaskScheduled #1 'B' but the code now completed without scheduling anything at #1",
    );
  });

  it('removed yield: the code blocks on other work without the recorded action', () => {
    const original = function* (ctx: OrchestrationContext) {
      yield ctx.df.Task.all([ctx.df.callActivity('A'), ctx.df.callActivity('B')]);
    };
    const changed = function* (ctx: OrchestrationContext) {
      yield ctx.df.callActivity('A');
    };
    const r = changeCode(original, changed, [], [ev.completed(0)]);
    expectNonDeterminism(
      r,
      "history has TaskScheduled #1 'B' but the code now waits for other work without scheduling anything at #1",
    );
  });

  it('a timer where an activity was', () => {
    const changed = function* (ctx: OrchestrationContext) {
      yield ctx.df.createTimer(new Date(Date.parse(at(50))));
    };
    const r = changeCode(steps('A'), changed, [], [ev.completed(0)]);
    expectNonDeterminism(
      r,
      `history has TaskScheduled #0 'A' but the code now creates a timer (fires at ${at(50)}) at #0`,
    );
  });

  it('an activity where a timer was', () => {
    const original = function* (ctx: OrchestrationContext) {
      yield ctx.df.createTimer(new Date(Date.parse(at(50))));
    };
    const r = changeCode(original, steps('A'), [], [ev.timerFired(0, at(50))]);
    expectNonDeterminism(
      r,
      `history has TimerCreated #0 (fires at ${at(50)}) but the code now calls activity 'A' at #0`,
    );
  });

  it('sub-orchestration name changed', () => {
    const sub = (name: string): OrchestrationHandler =>
      function* (ctx: OrchestrationContext) {
        return yield ctx.df.callSubOrchestrator(name);
      };
    const r = changeCode(sub('Child'), sub('Kid'), [], [ev.subCompleted(0)]);
    expectNonDeterminism(
      r,
      "history has SubOrchestrationInstanceCreated #0 'Child' but the code now calls sub-orchestration 'Kid' at #0",
    );
  });

  it('the code now fails before the recorded action', () => {
    const changed = function* (ctx: OrchestrationContext) {
      yield ctx.df.callActivity('A');
      throw new Error('new bug');
    };
    const r = changeCode(steps('A', 'B'), changed, [[ev.completed(0)]], [ev.completed(1)]);
    expectNonDeterminism(
      r,
      "history has TaskScheduled #1 'B' but the code now failed ('new bug') without scheduling anything at #1",
    );
  });

  it('is not flagged for a different case of the activity name, or for new steps past the history', () => {
    const r = changeCode(steps('Charge', 'Ship'), steps('charge', 'ship', 'Notify'), [], [ev.completed(0)]);
    expect(r.outcome.status).toBe('Running');
    const d = new Driver(steps('A'));
    d.start();
    const executor = createOrchestrationExecutor(steps('A', 'B'), { instanceId: 'test-instance', name: 'Test' });
    executor.replay(d.history);
    expect(executor.execute([ev.completed(0, 'a')], at(5)).actions).toEqual([
      { kind: 'ScheduleTask', sequenceId: 1, name: 'B' },
    ]);
  });

  it('replayHistory throws a TaskhubError with code NON_DETERMINISTIC, and replays good histories', () => {
    const d = new Driver(steps('A', 'B'));
    d.start();
    d.run(ev.completed(0, 1));
    d.run(ev.completed(1, 2));
    expect(outputOf(replayHistory(steps('A', 'B'), d.history))).toEqual([1, 2]);
    let thrown: unknown;
    try {
      replayHistory(steps('A', 'C'), d.history);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(NonDeterministicOrchestrationError);
    expect(isTaskhubError(thrown, 'NON_DETERMINISTIC')).toBe(true);
    expect((thrown as Error).message).toMatch(
      /^Non-deterministic workflow detected: history has TaskScheduled #1 'B' but the code now calls activity 'C' at #1\./,
    );
  });
});
