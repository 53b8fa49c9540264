// A small app under test: the Durable Functions patterns, registered on a registry of their own.
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { RetryOptions } from '../../src/core/retry-options.js';

export const registry = new FunctionRegistry();

/** Human interaction: approved by an event, or escalated after 24 hours. */
registry.registerOrchestration('Approval', function* (ctx: OrchestrationContext): OrchestrationGenerator {
  const deadline = new Date(ctx.df.currentUtcDateTime.getTime() + 24 * 3_600_000);
  const timeout = ctx.df.createTimer(deadline);
  const approved = ctx.df.waitForExternalEvent<boolean>('Approved');
  const winner = yield ctx.df.Task.any([approved, timeout]);
  if (winner === approved) {
    timeout.cancel();
    return approved.result ? 'approved' : 'rejected';
  }
  return yield ctx.df.callActivity('Escalate', ctx.df.getInput());
});

registry.registerOrchestration('Chain', function* (ctx: OrchestrationContext): OrchestrationGenerator {
  const out: unknown[] = [];
  for (const city of ['Tokyo', 'Seattle', 'Cairo']) out.push(yield ctx.df.callActivity('SayHello', city));
  return out;
});

registry.registerOrchestration('FanOut', function* (ctx: OrchestrationContext): OrchestrationGenerator {
  const n = ctx.df.getInput<number>();
  const tasks = Array.from({ length: n }, (_, i) => ctx.df.callActivity('Double', i));
  const results = (yield ctx.df.Task.all(tasks)) as number[];
  return results.reduce((a, b) => a + b, 0);
});

/** Monitor: polls every hour until the job is done, one execution per poll (continueAsNew keeps history short). */
registry.registerOrchestration('Monitor', function* (ctx: OrchestrationContext): OrchestrationGenerator {
  const polls = ctx.df.getInput<number>();
  const done = (yield ctx.df.callActivity('CheckJob', polls)) as boolean;
  if (done) return { polls, at: ctx.df.currentUtcDateTime.toISOString() };
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 3_600_000));
  ctx.df.continueAsNew(polls + 1);
  return undefined;
});

registry.registerOrchestration('Parent', function* (ctx: OrchestrationContext): OrchestrationGenerator {
  const a = yield ctx.df.callSubOrchestrator('Chain');
  const b = yield ctx.df.callSubOrchestrator('FanOut', 3);
  return { a, b };
});

registry.registerOrchestration('Retry', function* (ctx: OrchestrationContext): OrchestrationGenerator {
  const options = new RetryOptions(60_000, 4);
  options.backoffCoefficient = 2;
  return yield ctx.df.callActivityWithRetry('Flaky', options);
});

registry.registerActivity('SayHello', (city) => `Hello ${String(city)}!`);
registry.registerActivity('Double', (n) => (n as number) * 2);
registry.registerActivity('Escalate', () => 'escalated');
registry.registerActivity('CheckJob', () => false);
registry.registerActivity('Flaky', () => {
  throw new Error('always down in production');
});
