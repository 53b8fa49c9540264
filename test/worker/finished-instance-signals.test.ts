// The client an app's functions get treats an instance that already finished as durable-functions does (its 410 is
// success): raiseEvent, terminate, suspend and resume return quietly. The hub's own client, behind the HTTP API's 410,
// still says the instance finished.
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableHttpClient } from '../../src/app/durable-http-client.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { openTestHub, type TestHub } from './helpers.js';

let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('signals to a finished instance', () => {
  it('the app client returns quietly; the hub client throws INSTANCE_FINISHED; unknown ids still throw', async () => {
    hub = await openTestHub((r) => {
      r.registerOrchestration('Quick', function* (_ctx: OrchestrationContext) {
        return 'done';
      });
    });
    const id = await hub.client.startNew('Quick');
    expect((await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 })).runtimeStatus).toBe('Completed');

    const app = createDurableHttpClient(hub.client, { origin: 'http://127.0.0.1:7071', taskHubName: 'TestHub' });
    await expect(app.raiseEvent(id, 'late', 1)).resolves.toBeUndefined();
    await expect(app.terminate(id, 'too late')).resolves.toBeUndefined();
    await expect(app.suspend(id, 'too late')).resolves.toBeUndefined();
    await expect(app.resume(id, 'too late')).resolves.toBeUndefined();
    expect((await hub.client.getStatus(id)).runtimeStatus).toBe('Completed');

    await expect(hub.client.raiseEvent(id, 'late', 1)).rejects.toMatchObject({ code: 'INSTANCE_FINISHED' });
    await expect(hub.client.terminate(id)).rejects.toMatchObject({ code: 'INSTANCE_FINISHED' });
    await expect(app.raiseEvent('nobody', 'late')).rejects.toMatchObject({ code: 'INSTANCE_NOT_FOUND' });
  });
});
