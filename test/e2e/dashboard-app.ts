// The app the dashboard's browser test drives: a pipeline with a chain, a fan-out, a sub-orchestration and a timer
// that then waits for an Approval event; a quick orchestration; one that fails, for the failure panel; a counter entity;
// the approval pattern (an event beats an hour's timer, which is cancelled); an activity that succeeds on its third
// attempt under a retry policy; one that waits on a long timer.
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';

df.app.activity('Step', {
  handler: async (n: number) => {
    await new Promise((r) => setTimeout(r, 20));
    return n * 2;
  },
});

df.app.orchestration('Child', function* (context: OrchestrationContext) {
  const n = context.df.getInput<number>();
  const a = (yield context.df.callActivity('Step', n)) as number;
  return yield context.df.callActivity('Step', a);
});

df.app.orchestration('Pipeline', function* (context: OrchestrationContext) {
  context.df.setCustomStatus({ stage: 'chain' });
  let n = 1;
  for (let i = 0; i < 3; i++) n = (yield context.df.callActivity('Step', n)) as number;
  context.df.setCustomStatus({ stage: 'fan-out' });
  const fanned = (yield context.df.Task.all([1, 2, 3, 4].map((k) => context.df.callActivity('Step', k)))) as number[];
  const child = (yield context.df.callSubOrchestrator('Child', n, `${context.df.instanceId}:child`)) as number;
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 300));
  context.df.setCustomStatus({ stage: 'awaiting approval' });
  const approval: unknown = yield context.df.waitForExternalEvent('Approval');
  return { n, fanned, child, approval };
});

df.app.orchestration('Quick', function* (context: OrchestrationContext) {
  return yield context.df.callActivity('Step', context.df.getInput<number>() ?? 0);
});

df.app.orchestration('Failing', function* (context: OrchestrationContext) {
  yield context.df.callActivity('Step', 1);
  throw new Error('The warehouse refused the order');
});

df.app.entity('Counter', (context) => {
  const value = Number(context.df.getState(() => 0) ?? 0);
  if (context.df.operationName === 'add') context.df.setState(value + (context.df.getInput<number>() ?? 0));
  else if (context.df.operationName === 'get') context.df.return(value);
});

df.app.orchestration('Approval', function* (context: OrchestrationContext) {
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
  const approval = context.df.waitForExternalEvent('Approval');
  const winner: unknown = yield context.df.Task.any([approval, timer]);
  if (winner !== approval) return 'expired';
  timer.cancel();
  return yield context.df.callActivity('Step', 21);
});

// Fails the first two calls for each input (the language worker keeps this map for its life), then succeeds.
const calls = new Map<string, number>();
df.app.activity('Flaky', {
  handler: (input: string) => {
    const n = (calls.get(input) ?? 0) + 1;
    calls.set(input, n);
    if (n < 3) throw new Error(`card declined (call ${n})`);
    return `charged ${input}`;
  },
});

df.app.orchestration('Retrying', function* (context: OrchestrationContext) {
  const input = context.df.getInput<string>();
  return yield context.df.callActivityWithRetry('Flaky', new df.RetryOptions(50, 3), input);
});

df.app.orchestration('Sleeper', function* (context: OrchestrationContext) {
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 86_400_000));
  return 'woke';
});
