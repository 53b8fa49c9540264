// End to end in one process on a real SQLite file: the Durable Functions patterns, driven through the DurableClient.
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { RetryOptions } from '../../src/core/index.js';
import type { FunctionRegistry } from '../../src/core/registry.js';
import { openTestHub, type TestHub } from './helpers.js';

let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

async function open(register: (r: FunctionRegistry) => void, worker = {}): Promise<TestHub> {
  hub = await openTestHub(register, worker);
  return hub;
}

function sayHello(r: FunctionRegistry): void {
  r.registerActivity('SayHello', (name) => `Hello ${String(name)}!`);
}

describe('patterns', () => {
  it('chains activities and records the history', async () => {
    const h = await open((r) => {
      sayHello(r);
      r.registerOrchestration('Hello', function* (ctx: OrchestrationContext) {
        const out: unknown[] = [];
        out.push(yield ctx.df.callActivity('SayHello', 'Tokyo'));
        out.push(yield ctx.df.callActivity('SayHello', 'Seattle'));
        out.push(yield ctx.df.callActivity('SayHello', 'London'));
        return out;
      });
    });
    const id = await h.client.startNew('Hello', { instanceId: 'chain-1' });
    expect(id).toBe('chain-1');
    const status = await h.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const history = await h.client.getHistory(id);
    const completed = history.filter((e) => e.eventType === 'TaskCompleted');
    expect(completed).toHaveLength(3);
    expect(history.at(-2)?.eventType).toBe('ExecutionCompleted');
  });

  it('fans out 500 activities and fans in their sum', async () => {
    const h = await open((r) => {
      r.registerActivity('Double', (n) => Number(n) * 2);
      r.registerOrchestration('FanOut', function* (ctx: OrchestrationContext) {
        const tasks = [];
        for (let i = 0; i < 500; i++) tasks.push(ctx.df.callActivity('Double', i));
        const results = (yield ctx.df.Task.all(tasks)) as number[];
        return results.reduce((a, b) => a + b, 0);
      });
    });
    const id = await h.client.startNew('FanOut');
    const status = await h.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
    expect(status.output).toBe(2 * ((499 * 500) / 2));
  });

  it('fans out async activities that finish while earlier results are being committed', async () => {
    const h = await open(
      (r) => {
        r.registerActivity('Slow', async (n) => {
          await new Promise((resolve) => setTimeout(resolve, 5 + (Number(n) % 7)));
          return Number(n) * 2;
        });
        r.registerOrchestration('AsyncFanOut', function* (ctx: OrchestrationContext) {
          const tasks = [];
          for (let i = 0; i < 50; i++) tasks.push(ctx.df.callActivity('Slow', i));
          const results = (yield ctx.df.Task.all(tasks)) as number[];
          return results.reduce((a, b) => a + b, 0);
        });
      },
      // Fewer local slots than activities: the rest run through the stored work-item path.
      { maxConcurrentActivities: 8 },
    );
    const id = await h.client.startNew('AsyncFanOut');
    // Generous: CI runs test files in parallel on two cores.
    const status = await h.client.waitForCompletion(id, { timeoutInMilliseconds: 30_000 });
    expect(status.output).toBe(2 * ((49 * 50) / 2));
    const completed = (await h.client.getHistory(id)).filter((e) => e.eventType === 'TaskCompleted');
    expect(completed).toHaveLength(50);
  });

  it('human interaction: the approval event wins against the timeout, or the timeout fires', async () => {
    const h = await open((r) => {
      r.registerOrchestration('Approval', function* (ctx: OrchestrationContext) {
        const timeoutMs = ctx.df.getInput<number>();
        const deadline = new Date(ctx.df.currentUtcDateTime.getTime() + timeoutMs);
        const timer = ctx.df.createTimer(deadline);
        const approval = ctx.df.waitForExternalEvent('Approval');
        const winner = yield ctx.df.Task.any([approval, timer]);
        if (winner === approval) {
          timer.cancel();
          return { approved: approval.result };
        }
        return 'timed out';
      });
    });
    const approved = await h.client.startNew('Approval', { input: 60_000 });
    await waitForStatus(h, approved, 'Running');
    await h.client.raiseEvent(approved, 'Approval', { by: 'ada' });
    const s1 = await h.client.waitForCompletion(approved, { timeoutInMilliseconds: 10_000 });
    expect(s1.output).toEqual({ approved: { by: 'ada' } });

    const timedOut = await h.client.startNew('Approval', { input: 300 });
    const s2 = await h.client.waitForCompletion(timedOut, { timeoutInMilliseconds: 10_000 });
    expect(s2.output).toBe('timed out');
  });

  it('monitor: a timer loop with continueAsNew keeps history short', async () => {
    const h = await open((r) => {
      r.registerOrchestration('Monitor', function* (ctx: OrchestrationContext) {
        const n = ctx.df.getInput<number>();
        yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 20));
        if (n >= 5) return n;
        ctx.df.continueAsNew(n + 1);
        return undefined;
      });
    });
    const id = await h.client.startNew('Monitor', { input: 0 });
    const status = await h.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBe(5);
    const history = await h.client.getHistory(id);
    expect(history.filter((e) => e.eventType === 'TimerFired')).toHaveLength(1);
  });

  it('sub-orchestrations return results, and their failures can be caught', async () => {
    const h = await open((r) => {
      sayHello(r);
      r.registerOrchestration('Child', function* (ctx: OrchestrationContext) {
        const name = ctx.df.getInput<string>();
        if (name === 'bad') throw new Error('child broke');
        return yield ctx.df.callActivity('SayHello', name);
      });
      r.registerOrchestration('Parent', function* (ctx: OrchestrationContext) {
        const a = yield ctx.df.callSubOrchestrator('Child', 'Ada');
        const b = yield ctx.df.callSubOrchestrator('Child', 'Bob', `${ctx.df.instanceId}-bob`);
        let caught = '';
        try {
          yield ctx.df.callSubOrchestrator('Child', 'bad');
        } catch (err) {
          caught = (err as Error).message;
        }
        return { a, b, caught };
      });
    });
    const id = await h.client.startNew('Parent', { instanceId: 'parent-1' });
    const status = await h.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    const out = status.output as { a: string; b: string; caught: string };
    expect(out.a).toBe('Hello Ada!');
    expect(out.b).toBe('Hello Bob!');
    expect(out.caught).toContain('child broke');
    const child = await h.client.getStatus('parent-1-bob');
    expect(child.runtimeStatus).toBe('Completed');
  });

  it('retries a flaky activity with timers between attempts, then gives up', async () => {
    const calls = new Map<string, number>();
    const h = await open((r) => {
      r.registerActivity('Flaky', (key) => {
        const n = (calls.get(String(key)) ?? 0) + 1;
        calls.set(String(key), n);
        if (key === 'always' || n < 3) throw new Error(`flake ${n}`);
        return n;
      });
      r.registerOrchestration('Retry', function* (ctx: OrchestrationContext) {
        const opts = new RetryOptions(10, 3);
        return yield ctx.df.callActivityWithRetry('Flaky', opts, ctx.df.getInput<string>());
      });
    });
    const ok = await h.client.startNew('Retry', { input: 'third-time' });
    const s1 = await h.client.waitForCompletion(ok, { timeoutInMilliseconds: 10_000 });
    expect(s1.output).toBe(3);
    const failing = await h.client.startNew('Retry', { input: 'always' });
    const s2 = await h.client.waitForCompletion(failing, { timeoutInMilliseconds: 10_000 });
    expect(s2.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(s2.output)).toContain('flake 3');
    expect(calls.get('always')).toBe(3);
  });

  it('terminates, suspends and resumes', async () => {
    const h = await open((r) => {
      r.registerOrchestration('Wait', function* (ctx: OrchestrationContext) {
        return yield ctx.df.waitForExternalEvent('Go');
      });
    });
    const t = await h.client.startNew('Wait');
    await waitForStatus(h, t, 'Running');
    await h.client.terminate(t, 'no longer needed');
    const st = await h.client.waitForCompletion(t, { timeoutInMilliseconds: 5_000 });
    expect(st.runtimeStatus).toBe('Terminated');
    expect(st.output).toBe('no longer needed');

    const s = await h.client.startNew('Wait');
    await waitForStatus(h, s, 'Running');
    await h.client.suspend(s, 'pause');
    await waitForStatus(h, s, 'Suspended');
    await h.client.raiseEvent(s, 'Go', 42);
    await new Promise((r) => setTimeout(r, 200));
    expect((await h.client.getStatus(s)).runtimeStatus).toBe('Suspended');
    await h.client.resume(s, 'continue');
    const done = await h.client.waitForCompletion(s, { timeoutInMilliseconds: 5_000 });
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toBe(42);
  });

  it('rewinds a failed instance: the failed activity runs again and the instance completes', async () => {
    let fail = true;
    const h = await open((r) => {
      r.registerActivity('Fragile', () => {
        if (fail) throw new Error('not yet');
        return 'fixed';
      });
      r.registerOrchestration('Rewindable', function* (ctx: OrchestrationContext) {
        const a = yield ctx.df.callActivity('Fragile');
        return a;
      });
    });
    const id = await h.client.startNew('Rewindable');
    const failed = await h.client.waitForCompletion(id, { timeoutInMilliseconds: 5_000 });
    expect(failed.runtimeStatus).toBe('Failed');
    fail = false;
    await h.client.rewind(id, 'fixed the bug');
    await waitForStatus(h, id, 'Completed');
    expect((await h.client.getStatus(id)).output).toBe('fixed');
  });

  it('restarts with a new id or the same id, and purges', async () => {
    const h = await open((r) => {
      sayHello(r);
      r.registerOrchestration('Once', function* (ctx: OrchestrationContext) {
        return yield ctx.df.callActivity('SayHello', ctx.df.getInput<string>());
      });
    });
    const id = await h.client.startNew('Once', { instanceId: 'once', input: 'Ada' });
    await h.client.waitForCompletion(id, { timeoutInMilliseconds: 5_000 });
    const again = await h.client.restart(id, true);
    expect(again).not.toBe(id);
    expect((await h.client.waitForCompletion(again, { timeoutInMilliseconds: 5_000 })).output).toBe('Hello Ada!');
    const same = await h.client.restart(id, false);
    expect(same).toBe(id);
    expect((await h.client.waitForCompletion(same, { timeoutInMilliseconds: 5_000 })).output).toBe('Hello Ada!');
    expect((await h.client.purgeInstanceHistory(id)).instancesDeleted).toBe(1);
    await expect(h.client.getStatus(id)).rejects.toMatchObject({ code: 'INSTANCE_NOT_FOUND' });
  });
});

async function waitForStatus(h: TestHub, id: string, status: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await h.client.getStatus(id).catch(() => undefined);
    if (s?.runtimeStatus === status) return;
    if (Date.now() > deadline) throw new Error(`instance ${id} never reached ${status} (is ${s?.runtimeStatus})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
