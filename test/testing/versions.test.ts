// The test hub with an instance of a version the app does not run: waits say so at once, and waits on the other
// instances of the hub go on as if it were not there.
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';

let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

function* order(ctx: OrchestrationContext): OrchestrationGenerator {
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 3_600_000));
  return `order ${ctx.df.version ?? 'unversioned'}`;
}

describe('a version the test hub does not run', () => {
  // A settle timeout far past the test's own: a wait that spins until it would fail the test by timing out.
  const settleTimeoutMs = 120_000;

  it('fails its own wait at once with what it waits for; other waits are unaffected', async () => {
    const registry = new FunctionRegistry();
    registry.registerOrchestration('Order', order, '1.0');
    registry.registerOrchestration('Order', order, '2.0');
    hub = await createTestHub({ registry, autoAdvance: true, settleTimeoutMs });
    const future = await hub.client.startNew('Order', { instanceId: 'future', version: '9.9' });
    const current = await hub.client.startNew('Order', { instanceId: 'current', version: '1.0' });
    // The runnable one completes (autoAdvance skips its hour-long timer) while 9.9 waits.
    expect(await hub.waitForCompletion(current)).toMatchObject({ runtimeStatus: 'Completed', output: 'order 1.0' });
    await hub.waitForIdle();
    await expect(hub.waitForCompletion(future)).rejects.toThrow(
      "Instance 'future' is Pending and waits for a worker that runs version 9.9 of Order, which this test hub does " +
        "not have. The orchestration 'Order' was started with version '9.9'",
    );
    // A start after it, with the newest version, still runs.
    const newest = await hub.client.startNew('Order');
    expect(await hub.waitForCompletion(newest)).toMatchObject({ output: 'order 2.0', version: '2.0' });
    expect((await hub.client.getStatus(future)).runtimeStatus).toBe('Pending');
  });
});
