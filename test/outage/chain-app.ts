// The app of the store-outage tests: short chains (five activities) whose output tells whether every step ran once
// in order, so a lost, duplicated or reordered step shows in the result.
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { step, STEPS } from './chain-output.js';

df.app.activity('Step', {
  handler: async (input: { acc: number; i: number }) => {
    // Long enough that outages land while chains are half done.
    await new Promise((r) => setTimeout(r, 5));
    return step(input.acc, input.i);
  },
});

df.app.orchestration('Chain', function* (context: OrchestrationContext) {
  let acc = context.df.getInput<number>();
  for (let i = 0; i < STEPS; i++) acc = (yield context.df.callActivity('Step', { acc, i })) as number;
  return acc;
});
