// Durable timers of SDK orchestrations fire when due, not at the dispatcher's next poll: with a poll interval of a
// minute, a 300 ms timer still ends its orchestration within seconds.
import { OrchestrationStatus } from '@microsoft/durabletask-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type GrpcHarness } from './harness.js';
import { registerAll, timerThenApproval } from './orchestrations.js';

let h: GrpcHarness;

beforeAll(async () => {
  h = await startHarness({ pollMs: 60_000 });
  await h.worker(registerAll);
});

afterAll(async () => {
  await h.close();
});

it('wakes the dispatcher for a timer that comes due', async () => {
  const id = await h.client.scheduleNewOrchestration(timerThenApproval, 300);
  await h.client.waitForOrchestrationStart(id, false, 30);
  await h.client.raiseOrchestrationEvent(id, 'approve', 'ok');
  // Far below the 60 s poll: only a wake-up at the timer's due time completes it in time.
  const state = await h.client.waitForOrchestrationCompletion(id, true, 20);
  expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
});
