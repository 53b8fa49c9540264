// Orchestration tags through the official SDK: given at start (StartOrchestrationOptions.tags), returned by
// getOrchestrationState and getAllInstances, kept when the instance finishes and when it is restarted.
import { OrchestrationStatus } from '@microsoft/durabletask-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type GrpcHarness } from './harness.js';
import { helloCities, registerAll } from './orchestrations.js';

let h: GrpcHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.worker(registerAll);
});

afterAll(async () => {
  await h.close();
});

describe('orchestration tags over gRPC', () => {
  it('returns the tags an instance was started with, from a get, a query and after a restart', async () => {
    const tags = { team: 'billing', 'cost-center': '42' };
    const id = await h.client.scheduleNewOrchestration(helloCities, undefined, { instanceId: 'tagged-1', tags });
    const plain = await h.client.scheduleNewOrchestration(helloCities, undefined, 'untagged-1');
    const done = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(done?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(done?.tags).toEqual(tags);
    await h.client.waitForOrchestrationCompletion(plain, false, 60);
    expect((await h.client.getOrchestrationState(plain))?.tags ?? {}).toEqual({});

    const found: Record<string, Record<string, string> | undefined> = {};
    for await (const state of h.client.getAllInstances({ instanceIdPrefix: 'tagged-' })) {
      found[state.instanceId] = state.tags;
    }
    expect(found).toEqual({ 'tagged-1': tags });

    const again = await h.client.restartOrchestration(id, true);
    expect((await h.client.waitForOrchestrationCompletion(again, false, 60))?.tags).toEqual(tags);
  });
});
