// Async/await orchestrators on the replay engine: each scenario is written twice, as a function* and as an async
// function, and both must take the same actions and record the same history, episode by episode; a fresh executor
// replaying the stored history must reach the same episode as the live one (what the worker's cache relies on).
import { describe, expect, it, vi } from 'vitest';
import '../../src/worker/async-context.js';
import type {
  AsyncOrchestrationHandler,
  OrchestrationContext,
  OrchestrationGenerator,
  OrchestrationHandler,
  Task,
} from '../../src/core/context.js';
import { activityCallable, orchestrator } from '../../src/core/df-app.js';
import { EntityId } from '../../src/core/entity-id.js';
import type { EpisodeResult } from '../../src/core/episode.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { createOrchestrationExecutor, type AsyncOrchestrationExecutor } from '../../src/core/replay.js';
import { checkReplay, replayHistory } from '../../src/core/replayer.js';
import { RetryOptions } from '../../src/core/retry-options.js';
import { until } from '../until.js';
import { at, describeActions, Driver, ev, outputOf, withoutStackFrames } from './history-builder.js';

/** The async twin of history-builder's Driver: a live executor, checked against a fresh replay at every episode. */
class AsyncDriver {
  readonly history: HistoryEvent[] = [];
  readonly results: EpisodeResult[] = [];
  readonly #handler: AsyncOrchestrationHandler;
  readonly #live: AsyncOrchestrationExecutor;

  constructor(handler: AsyncOrchestrationHandler) {
    this.#handler = handler;
    this.#live = this.#executor();
  }

  #executor(): AsyncOrchestrationExecutor {
    return createOrchestrationExecutor(this.#handler, { instanceId: 'test-instance', name: 'Test' });
  }

  start(input?: unknown): Promise<EpisodeResult> {
    return this.run(ev.started('Test', input, { instanceId: 'test-instance' }));
  }

  async run(...events: HistoryEvent[]): Promise<EpisodeResult> {
    const now = at(this.results.length);
    const stored = [...this.history];
    const result = await this.#live.execute(events, now);
    const fresh = this.#executor();
    await fresh.replay(stored);
    expect(withoutStackFrames(await fresh.execute(events, now))).toEqual(withoutStackFrames(result));
    this.history.push(...result.newHistory);
    this.results.push(result);
    return result;
  }
}

type Step = (last: EpisodeResult) => HistoryEvent[];

/** Runs both forms through the same episodes; every episode must be identical. Returns the async form's results. */
async function twins(
  generator: OrchestrationHandler,
  asyncForm: AsyncOrchestrationHandler,
  steps: Step[],
  input?: unknown,
): Promise<EpisodeResult[]> {
  const g = new Driver(generator);
  const a = new AsyncDriver(asyncForm);
  let last = g.start(input);
  expect(withoutStackFrames(await a.start(input))).toEqual(withoutStackFrames(last));
  for (const step of steps) {
    const events = step(last);
    last = g.run(...events);
    expect(withoutStackFrames(await a.run(...events))).toEqual(withoutStackFrames(last));
  }
  expect(a.history).toEqual(g.history);
  return a.results;
}

const requestId = (r: EpisodeResult, index = 0): string => {
  const sends = r.actions.filter((x) => x.kind === 'SendEvent');
  return (JSON.parse((sends[index] as { input: string }).input) as { id: string }).id;
};

describe('async orchestrators take the actions and record the history of their generator twins', () => {
  it('a chain of activities', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        const out: unknown[] = [];
        for (const city of ['Tokyo', 'Seattle', 'Cairo']) out.push(yield ctx.df.callActivity('SayHello', city));
        return out;
      },
      async (ctx) => {
        const out: string[] = [];
        for (const city of ['Tokyo', 'Seattle', 'Cairo']) out.push(await ctx.df.callActivity<string>('SayHello', city));
        return out;
      },
      [
        () => [ev.completed(0, 'Hello Tokyo')],
        () => [ev.completed(1, 'Hello Seattle')],
        () => [ev.completed(2, 'Hello Cairo')],
      ],
    );
    expect(results.map(describeActions)).toEqual([
      ['ScheduleTask#0 SayHello'],
      ['ScheduleTask#1 SayHello'],
      ['ScheduleTask#2 SayHello'],
      [],
    ]);
    expect(outputOf(results[3] as EpisodeResult)).toEqual(['Hello Tokyo', 'Hello Seattle', 'Hello Cairo']);
  });

  it('Promise.all over tasks is Task.all: one episode schedules all, results in input order', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        const items = (yield ctx.df.callActivity('List')) as string[];
        const sizes = (yield ctx.df.Task.all(items.map((i) => ctx.df.callActivity('Size', i)))) as number[];
        return sizes.reduce((x, y) => x + y, 0);
      },
      async (ctx) => {
        const items = await ctx.df.callActivity<string[]>('List');
        const sizes = await Promise.all(items.map((i) => ctx.df.callActivity<number>('Size', i)));
        return sizes.reduce((x, y) => x + y, 0);
      },
      [
        () => [ev.completed(0, ['a', 'b', 'c'])],
        () => [ev.completed(3, 30), ev.completed(1, 10)],
        () => [ev.completed(2, 20)],
      ],
    );
    expect(describeActions(results[1] as EpisodeResult)).toEqual([
      'ScheduleTask#1 Size',
      'ScheduleTask#2 Size',
      'ScheduleTask#3 Size',
    ]);
    expect(outputOf(results[3] as EpisodeResult)).toBe(60);
  });

  it('Promise.all fails with the first failure, as Task.all does, and try/catch sees the activity error', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        try {
          yield ctx.df.Task.all([ctx.df.callActivity('A'), ctx.df.callActivity('B')]);
          return 'no';
        } catch (err) {
          return (err as Error).message;
        }
      },
      async (ctx) => {
        try {
          await Promise.all([ctx.df.callActivity('A'), ctx.df.callActivity('B')]);
          return 'no';
        } catch (err) {
          return (err as Error).message;
        }
      },
      [() => [ev.failed(1, 'B broke', 'B')]],
    );
    expect(outputOf(results[1] as EpisodeResult)).toBe("Activity function 'B' failed: B broke");
  });

  it('a timeout: await Task.any gives the winning task itself, the timer is cancelled', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        const timeout = ctx.df.createTimer(new Date(Date.parse(at(0)) + 60_000));
        const approval = ctx.df.waitForExternalEvent('Approval');
        const winner = yield ctx.df.Task.any([approval, timeout]);
        if (winner === timeout) return 'timed out';
        timeout.cancel();
        return [approval.result, winner === approval];
      },
      async (ctx) => {
        const timeout = ctx.df.createTimer(new Date(Date.parse(at(0)) + 60_000));
        const approval = ctx.df.waitForExternalEvent<string>('Approval');
        const winner = await ctx.df.Task.any([approval, timeout]);
        if (winner === timeout) return 'timed out';
        timeout.cancel();
        return [approval.result, winner === approval];
      },
      [() => [ev.raised('Approval', 'yes')], () => [ev.timerFired(1, at(60))]],
    );
    expect(outputOf(results[1] as EpisodeResult)).toEqual(['yes', true]);
    // The timer's late firing is accepted and ignored.
    expect(results[2]?.actions).toEqual([]);
  });

  it('Promise.race over tasks schedules as Task.any and gives the first value', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        const first = (yield ctx.df.Task.any([ctx.df.callActivity('Slow'), ctx.df.callActivity('Fast')])) as Task;
        return first.result;
      },
      async (ctx) => Promise.race([ctx.df.callActivity('Slow'), ctx.df.callActivity('Fast')]),
      [() => [ev.completed(1, 'fast'), ev.completed(0, 'slow')]],
    );
    expect(outputOf(results[1] as EpisodeResult)).toBe('fast');
  });

  it('events raised before the code waits are buffered; timers give deterministic time', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        yield ctx.df.createTimer(new Date(Date.parse(at(0)) + 5_000));
        const a = yield ctx.df.waitForExternalEvent('A');
        const b = yield ctx.df.waitForExternalEvent('B');
        return [a, b, ctx.df.currentUtcDateTime.toISOString()];
      },
      async (ctx) => {
        await ctx.df.createTimer(new Date(Date.parse(at(0)) + 5_000));
        const a = await ctx.df.waitForExternalEvent('A');
        const b = await ctx.df.waitForExternalEvent('B');
        return [a, b, ctx.df.currentUtcDateTime.toISOString()];
      },
      [() => [ev.raised('B', 2), ev.raised('A', 1)], () => [ev.timerFired(0, at(5))]],
    );
    expect(outputOf(results[2] as EpisodeResult)).toEqual([1, 2, at(2)]);
  });

  it('callActivityWithRetry: a durable timer after the failed attempt, then the next attempt', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        return yield ctx.df.callActivityWithRetry('Flaky', new RetryOptions(1000, 3), 'x');
      },
      async (ctx) => ctx.df.callActivityWithRetry('Flaky', new RetryOptions(1000, 3), 'x'),
      [() => [ev.failed(0, 'flaked', 'Flaky')], () => [ev.timerFired(1, at(2))], () => [ev.completed(2, 'ok')]],
    );
    expect(results[1]?.actions).toEqual([{ kind: 'CreateTimer', sequenceId: 1, fireAt: at(2) }]);
    expect(outputOf(results[3] as EpisodeResult)).toBe('ok');
  });

  it('sub-orchestrations, their failures, custom status and continueAsNew', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        const n = ctx.df.getInput<number>();
        ctx.df.setCustomStatus({ round: n });
        try {
          yield ctx.df.callSubOrchestrator('Child', n);
        } catch (err) {
          ctx.df.setCustomStatus({ round: n, error: (err as Error).message });
        }
        ctx.df.continueAsNew(n + 1);
        return 'ignored';
      },
      async (ctx) => {
        const n = ctx.df.getInput<number>();
        ctx.df.setCustomStatus({ round: n });
        try {
          await ctx.df.callSubOrchestrator('Child', n);
        } catch (err) {
          ctx.df.setCustomStatus({ round: n, error: (err as Error).message });
        }
        ctx.df.continueAsNew(n + 1);
        return 'ignored';
      },
      [() => [ev.subFailed(0, 'child broke')]],
      7,
    );
    expect(results[0]?.actions).toEqual([
      { kind: 'CreateSubOrchestration', sequenceId: 0, name: 'Child', instanceId: 'test-instance:0', input: '7' },
    ]);
    expect(results[1]?.outcome).toEqual({ status: 'ContinuedAsNew', input: '8', carryoverEvents: [] });
    expect(JSON.parse(results[1]?.customStatus ?? '')).toEqual({
      round: 7,
      error: "Sub orchestrator function 'Child' failed: child broke",
    });
  });

  it('entities: signalEntity, a critical section with callEntity, and the lock released', async () => {
    const counter = new EntityId('Counter', 'c1');
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        ctx.df.signalEntity(new EntityId('Log', 'l'), 'append', 'start');
        const lock = yield ctx.df.lock(counter);
        const value = (yield ctx.df.callEntity(counter, 'get')) as number;
        (lock as { release(): void }).release();
        return value;
      },
      async (ctx) => {
        ctx.df.signalEntity(new EntityId('Log', 'l'), 'append', 'start');
        const lock = await ctx.df.lock(counter);
        const value = await ctx.df.callEntity<number>(counter, 'get');
        lock.release();
        return value;
      },
      [
        (r) => [ev.raised(requestId(r, 1), { result: JSON.stringify('granted') })],
        (r) => [ev.raised(requestId(r), { result: JSON.stringify(41) })],
      ],
    );
    expect(outputOf(results[2] as EpisodeResult)).toBe(41);
    const release = results[2]?.actions ?? [];
    expect(release).toHaveLength(1);
    expect(JSON.parse((release[0] as { input: string }).input)).toMatchObject({
      release: true,
      parent: 'test-instance',
    });
  });

  it('messages held while suspended are delivered one by one on resume: the first of a race wins', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        const a = ctx.df.callActivity('A');
        const b = ctx.df.callActivity('B');
        yield ctx.df.Task.any([a, b]);
        // Created after A's result was delivered: B or C, whichever was delivered first, wins.
        const c = ctx.df.waitForExternalEvent('C');
        const winner = yield ctx.df.Task.any([b, c]);
        return winner === b ? 'B' : 'C';
      },
      async (ctx) => {
        const a = ctx.df.callActivity('A');
        const b = ctx.df.callActivity('B');
        await ctx.df.Task.any([a, b]);
        const c = ctx.df.waitForExternalEvent('C');
        const winner = await ctx.df.Task.any([b, c]);
        return winner === b ? 'B' : 'C';
      },
      [() => [ev.suspended()], () => [ev.completed(0), ev.raised('C'), ev.completed(1)], () => [ev.resumed()]],
    );
    expect(results[2]?.runtimeStatus).toBe('Suspended');
    expect(outputOf(results[3] as EpisodeResult)).toBe('C');
  });

  it('callHttp: the built-in HTTP activity, its response as the result', async () => {
    const response = { statusCode: 200, content: '{"ok":true}', headers: { 'content-type': 'application/json' } };
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        const r = (yield ctx.df.callHttp({ method: 'GET', url: 'https://example.com/x' })) as { content: string };
        return JSON.parse(r.content) as unknown;
      },
      async (ctx) => {
        const r = await ctx.df.callHttp({ method: 'GET', url: 'https://example.com/x' });
        return JSON.parse(r.content ?? '') as unknown;
      },
      [() => [ev.completed(0, response)]],
    );
    expect(results[0]?.actions[0]).toMatchObject({ kind: 'ScheduleTask', name: 'BuiltIn::HttpActivity' });
    expect(outputOf(results[1] as EpisodeResult)).toEqual({ ok: true });
  });

  it('an uncaught activity failure fails the orchestration with that error', async () => {
    const results = await twins(
      function* (ctx: OrchestrationContext): OrchestrationGenerator {
        return yield ctx.df.callActivity('A');
      },
      async (ctx) => ctx.df.callActivity('A'),
      [() => [ev.failed(0, 'boom', 'A')]],
    );
    const outcome = results[1]?.outcome;
    expect(outcome?.status === 'Failed' && outcome.failureDetails.errorMessage).toBe(
      "Activity function 'A' failed: boom",
    );
  });
});

describe('async orchestrators: what only they can get wrong', () => {
  it('runs the code once across episodes: the live executor continues, it does not replay from the start', async () => {
    let starts = 0;
    const executor = createOrchestrationExecutor(
      async (ctx: OrchestrationContext) => {
        starts++;
        let total = 0;
        for (let i = 0; i < 20; i++) total += await ctx.df.callActivity<number>('Step', i);
        return total;
      },
      { instanceId: 'live', name: 'Chain' },
    );
    let result = await executor.execute([ev.started('Chain')], at(0));
    for (let i = 0; i < 20; i++) result = await executor.execute([ev.completed(i, i)], at(i + 1));
    expect(outputOf(result)).toBe(190);
    expect(starts).toBe(1);
  });

  it('awaiting something that is not a durable task fails the instance, naming the orchestrator and the line', async () => {
    const executor = createOrchestrationExecutor(
      async (ctx: OrchestrationContext) => {
        await ctx.df.callActivity('A');
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        return 'never';
      },
      { instanceId: 'i', name: 'Sleepy' },
    );
    await executor.execute([ev.started('Sleepy')], at(0));
    const result = await executor.execute([ev.completed(0)], at(1));
    expect(result.outcome.status).toBe('Failed');
    const failure = result.outcome.status === 'Failed' ? result.outcome.failureDetails : undefined;
    expect(failure?.errorType).toBe('NonDurableAwaitError');
    expect(failure?.errorMessage).toMatch(
      /^The orchestrator 'Sleepy' awaits something that is not a durable task \(after its durable call at .*async-orchestrators\.test\.ts:\d+:\d+\): a fetch/,
    );
    expect(result.actions).toEqual([]);
  });

  it('code resumed between episodes by a non-durable promise fails the instance at its next episode', async () => {
    let wake!: () => void;
    const gate = new Promise<void>((resolve) => (wake = resolve));
    let resumed = false;
    const executor = createOrchestrationExecutor(
      async (ctx: OrchestrationContext) => {
        await Promise.race([ctx.df.waitForExternalEvent('Go'), gate]);
        resumed = true;
        return ctx.df.callActivity('AfterGate');
      },
      { instanceId: 'i', name: 'Gated' },
    );
    const first = await executor.execute([ev.started('Gated')], at(0));
    expect(first.outcome.status).toBe('Running');
    wake(); // as a fetch answering between episodes would
    await until(() => resumed, { what: 'the code to run on' });
    const next = await executor.execute([ev.raised('Go')], at(1));
    expect(next.outcome.status === 'Failed' && next.outcome.failureDetails.errorMessage).toMatch(
      /^The orchestrator 'Gated' ran on between episodes: it awaited something that is not a durable task/,
    );
    expect(next.actions).toEqual([]);
  });

  it('a non-durable await before any durable call is reported as such', async () => {
    const executor = createOrchestrationExecutor(
      async () => {
        await new Promise(() => undefined);
      },
      { instanceId: 'i', name: 'Stuck' },
    );
    const result = await executor.execute([ev.started('Stuck')], at(0));
    expect(result.outcome.status === 'Failed' && result.outcome.failureDetails.errorMessage).toMatch(
      /^The orchestrator 'Stuck' awaits something that is not a durable task \(before any durable call\)/,
    );
  });

  it('awaiting promises that settle without I/O (async helpers, Promise.resolve, queueMicrotask, thenables, nextTick) is fine', async () => {
    const helper = async (ctx: OrchestrationContext, x: number): Promise<number> => {
      await Promise.resolve();
      // Settled by plain microtasks, a thenable and a tick: none of them is a promise reaction.
      await new Promise((resolve) => queueMicrotask(() => queueMicrotask(() => resolve(undefined))));
      await { then: (resolve: (value: number) => void) => queueMicrotask(() => resolve(0)) };
      await new Promise((resolve) => process.nextTick(resolve));
      return (await ctx.df.callActivity<number>('Double', x)) + (await Promise.resolve(0));
    };
    const d = new AsyncDriver(async (ctx) => {
      const [a, b] = await Promise.all([helper(ctx, 1), helper(ctx, 2)]);
      return a + b;
    });
    expect(describeActions(await d.start())).toEqual(['ScheduleTask#0 Double', 'ScheduleTask#1 Double']);
    expect(outputOf(await d.run(ev.completed(1, 4), ev.completed(0, 2)))).toBe(6);
  });

  it("runs under fake timers that fake queueMicrotask (Jest's default fakes it and nextTick)", async () => {
    vi.useFakeTimers({ toFake: ['queueMicrotask', 'setImmediate', 'setTimeout'] });
    try {
      const executor = createOrchestrationExecutor(
        async (ctx: OrchestrationContext) => (await ctx.df.callActivity<number>('Double', 1)) + 1,
        { instanceId: 'i', name: 'Faked' },
      );
      expect(describeActions(await executor.execute([ev.started('Faked')], at(0)))).toEqual(['ScheduleTask#0 Double']);
      expect(outputOf(await executor.execute([ev.completed(0, 2)], at(1)))).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('code changed under a history recorded by the generator form gets the same nondeterminism report', async () => {
    const g = new Driver(function* (ctx: OrchestrationContext): OrchestrationGenerator {
      yield ctx.df.callActivity('Charge');
      return yield ctx.df.callActivity('Ship');
    });
    g.start();
    g.run(ev.completed(0));
    const changed = async (ctx: OrchestrationContext): Promise<unknown> => {
      await ctx.df.callActivity('Charge');
      return ctx.df.callActivity('Refund');
    };
    const report = await checkReplay(changed, g.history);
    expect(report.ok).toBe(false);
    if (report.ok) return;
    expect(report.divergence).toMatchObject({
      sequenceId: 1,
      history: "TaskScheduled #1 'Ship'",
      code: "calls activity 'Refund'",
    });
    expect(report.divergence.location).toMatch(/async-orchestrators\.test\.ts:\d+:\d+$/);
    await expect(replayHistory(changed, g.history)).rejects.toMatchObject({ code: 'NON_DETERMINISTIC' });
    // The unchanged async form replays the generator's history.
    const same = await checkReplay(async (ctx: OrchestrationContext) => {
      await ctx.df.callActivity('Charge');
      return ctx.df.callActivity('Ship');
    }, g.history);
    expect(same.ok && describeActions(same.result)).toEqual([]);
  });

  it('df.app callables find their own orchestration across awaits while instances interleave', async () => {
    const step = activityCallable('Step');
    const handler = async (ctx: OrchestrationContext): Promise<unknown> => {
      const first = await step(ctx.df.instanceId);
      const second = await step(`${String(first)}+`);
      return second;
    };
    const one = createOrchestrationExecutor(handler, { instanceId: 'one', name: 'X' });
    const two = createOrchestrationExecutor(handler, { instanceId: 'two', name: 'X' });
    const [a0, b0] = await Promise.all([
      one.execute([ev.started('X', undefined, { instanceId: 'one' })], at(0)),
      two.execute([ev.started('X', undefined, { instanceId: 'two' })], at(0)),
    ]);
    expect(a0.actions).toEqual([{ kind: 'ScheduleTask', sequenceId: 0, name: 'Step', input: '"one"' }]);
    expect(b0.actions).toEqual([{ kind: 'ScheduleTask', sequenceId: 0, name: 'Step', input: '"two"' }]);
    const [a1, b1] = await Promise.all([
      one.execute([ev.completed(0, 'one!')], at(1)),
      two.execute([ev.completed(0, 'two!')], at(1)),
    ]);
    expect(a1.actions).toEqual([{ kind: 'ScheduleTask', sequenceId: 1, name: 'Step', input: '"one!+"' }]);
    expect(b1.actions).toEqual([{ kind: 'ScheduleTask', sequenceId: 1, name: 'Step', input: '"two!+"' }]);
  });

  it('df.orchestrator wraps an async function too; an async function* is refused with what to write', async () => {
    const wrapped = orchestrator(
      async (ctx: OrchestrationContext) => `hello ${await ctx.df.callActivity<string>('Name', ctx.df.getInput())}`,
    );
    const executor = createOrchestrationExecutor(wrapped, { instanceId: 'i', name: 'W' });
    await executor.execute([ev.started('W', 'you')], at(0));
    expect(outputOf(await executor.execute([ev.completed(0, 'you')], at(1)))).toBe('hello you');
    const asyncGenerator = async function* () {
      await Promise.resolve();
    };
    expect(() => orchestrator(asyncGenerator as never)).toThrow(
      /is an async generator \(async function\*\): write either an async function that awaits tasks .* or a generator that yields them/,
    );
    // Registered some other way, it fails the instance with the same advice.
    const direct = createOrchestrationExecutor(asyncGenerator as never, {
      instanceId: 'i',
      name: 'G',
    });
    const failed = direct.execute([ev.started('G')], at(0));
    expect(failed.outcome.status === 'Failed' && failed.outcome.failureDetails.errorMessage).toMatch(
      /^The orchestrator 'G' is an async generator/,
    );
  });

  it('await gives the task its result type (checked by tsc), and Task.any the winning task', async () => {
    const d = new AsyncDriver(async (ctx) => {
      const n: number = await ctx.df.callActivity<number>('N');
      // @ts-expect-error the result of a Task<number> is not a string
      const s: string = await ctx.df.callActivity<number>('N');
      const [a, b] = await Promise.all([ctx.df.callActivity<number>('N'), ctx.df.callActivity<string>('S')]);
      const timer = ctx.df.createTimer(new Date(Date.parse(at(0)) + 1000));
      const winner = await ctx.df.Task.any([timer, ctx.df.waitForExternalEvent<boolean>('E')]);
      const sameTask: boolean = winner === timer;
      return [n + a, b.length, s, sameTask];
    });
    await d.start();
    await d.run(ev.completed(0, 1));
    await d.run(ev.completed(1, 'x'));
    await d.run(ev.completed(2, 2), ev.completed(3, 'abc'));
    expect(outputOf(await d.run(ev.timerFired(4, at(1))))).toEqual([3, 3, 'x', true]);
  });

  it('a task awaited outside an async orchestrator rejects with what to do', async () => {
    let task: Task | undefined;
    const d = new Driver(function* (ctx: OrchestrationContext): OrchestrationGenerator {
      task = ctx.df.callActivity('A');
      return 'done';
    });
    d.start();
    await expect(Promise.resolve(task)).rejects.toThrow(
      /A durable task can be awaited only inside an async orchestrator .* In a function\*, yield it instead\./,
    );
  });
});
