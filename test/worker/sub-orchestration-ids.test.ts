// Sub-orchestrations started with an instance id already in use, on a real SQLite file: Durable Functions refuses
// them (the parent's own id fails the parent; another running instance's id is a failure the parent can catch).
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import type { FunctionRegistry } from '../../src/core/registry.js';
import { until } from '../until.js';
import { openTestHub, type TestHub } from './helpers.js';

let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

function register(r: FunctionRegistry): void {
  r.registerOrchestration('Waiter', function* (ctx: OrchestrationContext) {
    return yield ctx.df.waitForExternalEvent('go');
  });
  r.registerOrchestration('Parent', function* (ctx: OrchestrationContext) {
    const childId = ctx.df.getInput<string>();
    try {
      return yield ctx.df.callSubOrchestrator('Waiter', null, childId);
    } catch (err) {
      return `caught: ${(err as Error).message}`;
    }
  });
  r.registerOrchestration('Self', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callSubOrchestrator('Waiter', null, ctx.df.instanceId);
  });
}

describe('sub-orchestration instance ids in use', () => {
  it('the id of another running instance fails the call, and the parent catches it', async () => {
    hub = await openTestHub(register);
    await hub.client.startNew('Waiter', { instanceId: 'busy' });
    const h = hub;
    await until(async () => (await h.client.getStatus('busy')).runtimeStatus === 'Running', {
      what: 'busy running',
    });
    const id = await hub.client.startNew('Parent', { input: 'busy' });
    const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    expect(status.runtimeStatus).toBe('Completed');
    expect(String(status.output)).toContain("caught: Sub orchestrator function 'Waiter' failed: ");
    expect(String(status.output)).toContain("'busy' is already running");
    // The running instance is left alone.
    expect((await hub.client.getStatus('busy')).runtimeStatus).toBe('Running');
  });

  it("the parent's own id fails the parent with a message saying so", async () => {
    hub = await openTestHub(register);
    const id = await hub.client.startNew('Self', { instanceId: 'self-1' });
    const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    expect(status.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(status.output)).toContain("cannot have the instance id 'self-1'");
  });
});
