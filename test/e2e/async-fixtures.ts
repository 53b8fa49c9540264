// The async twins of the recorded fixtures' generators (test/fixtures/orchestrators.ts): every recorded history must
// replay against them unchanged. No imports of durable-functions here, so tests can import them in process.
import type { OrchestrationContext } from '../../src/core/context.js';
import { RetryOptions } from '../../src/core/retry-options.js';

export const asyncFixtureOrchestrators = {
  helloChain: async (ctx: OrchestrationContext): Promise<unknown> => {
    const out: unknown[] = [];
    for (const city of ['Tokyo', 'Seattle', 'Cairo']) out.push(await ctx.df.callActivity('SayHello', city));
    return out;
  },
  fanOut: async (ctx: OrchestrationContext): Promise<unknown> => {
    const n = ctx.df.getInput<number>();
    const tasks = [];
    for (let i = 0; i < n; i++) tasks.push(ctx.df.callActivity<number>('Double', i));
    const results = await Promise.all(tasks);
    return results.reduce((a, b) => a + b, 0);
  },
  retry: async (ctx: OrchestrationContext): Promise<unknown> => {
    const options = new RetryOptions(1000, 3);
    options.backoffCoefficient = 2;
    const first = await ctx.df.callActivityWithRetry('Flaky', options, 'first');
    try {
      await ctx.df.callActivityWithRetry('AlwaysFails', new RetryOptions(500, 2), 'second');
    } catch (err) {
      return { first, second: `gave up: ${(err as Error).message}` };
    }
    return { first };
  },
  timerRace: async (ctx: OrchestrationContext): Promise<unknown> => {
    const results: string[] = [];
    for (let round = 0; round < 2; round++) {
      const timer = ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 30_000));
      const work = ctx.df.callActivity('Work', round);
      const winner = await ctx.df.Task.any([work, timer]);
      if (winner === work) timer.cancel();
      results.push(winner === work ? `work ${String(work.result)}` : 'timeout');
    }
    return results;
  },
  continueAsNew: async (ctx: OrchestrationContext): Promise<unknown> => {
    const n = ctx.df.getInput<number>();
    const event = await ctx.df.waitForExternalEvent<number>('Add');
    await ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 10_000));
    ctx.df.continueAsNew(n + event, true);
    return undefined;
  },
  failure: async (ctx: OrchestrationContext): Promise<unknown> => {
    const order = await ctx.df.callActivity('Reserve', ctx.df.getInput<string>());
    ctx.df.setCustomStatus('charging');
    return ctx.df.callActivity('Charge', order);
  },
  subOrchestration: async (ctx: OrchestrationContext): Promise<unknown> => {
    const a = await ctx.df.callSubOrchestrator('Child', 'Ada');
    try {
      await ctx.df.callSubOrchestrator('Child', 'bad', `${ctx.df.instanceId}-bad`);
    } catch (err) {
      return [a, (err as Error).message];
    }
    return [a];
  },
  approval: async (ctx: OrchestrationContext): Promise<unknown> => {
    ctx.df.setCustomStatus(0);
    const id = ctx.df.newGuid();
    const first = await ctx.df.waitForExternalEvent('Approval');
    ctx.df.setCustomStatus('');
    const second = await ctx.df.waitForExternalEvent('Approval');
    ctx.df.setCustomStatus(false);
    return { id, first, second };
  },
  suspendResume: async (ctx: OrchestrationContext): Promise<unknown> => {
    const a = await ctx.df.callActivity('A');
    const b = await ctx.df.callActivity('B', a);
    return [a, b];
  },
};
