// CleanEntityStorage through the official SDK's client.cleanEntityStorage: entities emptied by their own 'delete'
// are removed, and a lock held for an orchestration that does not exist is released so the requests it held back run.
import { EntityInstanceId } from '@microsoft/durabletask-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { startHarness, type GrpcHarness } from './harness.js';
import { awaitApproval, registerAll } from './orchestrations.js';

let h: GrpcHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.worker(registerAll);
});

afterAll(async () => {
  await h.close();
});

const request = (body: object) => ({
  eventType: 'EventRaised' as const,
  eventId: -1,
  timestamp: new Date().toISOString(),
  name: 'op',
  input: JSON.stringify(body),
});

describe('CleanEntityStorage over gRPC', () => {
  it('removes empty entities and releases a lock whose orchestration is gone; the held-back request then runs', async () => {
    const empty = new EntityInstanceId('counter', 'cl-empty');
    await h.client.signalEntity(empty, 'add', 2);
    await until(async () => (await h.client.getEntity<number>(empty))?.state === 2, { what: 'cl-empty at 2' });
    await h.client.signalEntity(empty, 'delete');
    await until(async () => (await h.client.getEntity<number>(empty)) === undefined, { what: 'cl-empty deleted' });
    expect(await h.hub.store.getInstance('@counter@cl-empty')).toBeDefined();

    // A lock taken for 'ghost', an orchestration that never existed (as after a purge), holds back a signal.
    const locked = new EntityInstanceId('counter', 'cl-locked');
    await h.client.signalEntity(locked, 'add', 1);
    await until(async () => (await h.client.getEntity<number>(locked))?.state === 1, { what: 'cl-locked at 1' });
    await h.hub.store.enqueueMessages([
      {
        instanceId: '@counter@cl-locked',
        event: request({ id: 'ghost-lock', lockset: ['@counter@cl-locked'], pos: 0, parent: 'ghost' }),
      },
    ]);
    await until(async () => (await h.client.getEntity<number>(locked, false))?.lockedBy === 'ghost', {
      what: 'cl-locked held for ghost',
    });
    await h.client.signalEntity(locked, 'add', 5);
    await until(async () => (await h.client.getEntity<number>(locked, false))?.backlogQueueSize === 1, {
      what: 'the signal queued',
    });

    expect(await h.client.cleanEntityStorage()).toEqual({
      continuationToken: undefined,
      emptyEntitiesRemoved: 1,
      orphanedLocksReleased: 1,
    });
    expect(await h.hub.store.getInstance('@counter@cl-empty')).toBeUndefined();
    await until(async () => (await h.client.getEntity<number>(locked))?.state === 6, { what: 'the queued add ran' });
    const after = await h.client.getEntity<number>(locked, false);
    expect(after?.lockedBy).toBeUndefined();
    expect(after?.backlogQueueSize).toBe(0);

    // Nothing is left to clean; an entity with state is kept, and works as before.
    expect(await h.client.cleanEntityStorage()).toMatchObject({ emptyEntitiesRemoved: 0, orphanedLocksReleased: 0 });
    await h.client.signalEntity(locked, 'add', 1);
    await until(async () => (await h.client.getEntity<number>(locked))?.state === 7, { what: 'cl-locked at 7' });
  });

  it('keeps a lock whose orchestration is running, and pages with the continuation token', async () => {
    const ids = Array.from({ length: 130 }, (_, i) => `@counter@pg-${String(i).padStart(3, '0')}`);
    await h.hub.store.enqueueMessages(
      ids.map((instanceId, i) => ({ instanceId, event: request({ id: `d${i}`, op: 'delete', signal: true }) })),
    );
    await until(
      async () => {
        const page = await h.hub.store.queryInstances({ instanceIdPrefix: '@counter@pg-', pageSize: 1000 });
        return page.instances.filter((r) => r.entityState !== undefined).length === ids.length;
      },
      { what: 'every delete applied' },
    );
    // A running orchestration's lock is not orphaned.
    await h.client.scheduleNewOrchestration(awaitApproval, undefined, 'holder');
    await h.client.waitForOrchestrationStart('holder', false, 60);
    await h.hub.store.enqueueMessages([
      {
        instanceId: '@counter@cl-held',
        event: request({ id: 'holder-lock', lockset: ['@counter@cl-held'], pos: 0, parent: 'holder' }),
      },
    ]);
    await until(
      async () => (await h.hub.store.getInstance('@counter@cl-held'))?.entityState?.includes('holder') === true,
      {
        what: 'cl-held locked',
      },
    );

    const first = await h.client.cleanEntityStorage(undefined, false);
    expect(first.continuationToken).toBeTruthy();
    expect(first.orphanedLocksReleased).toBe(0);
    const rest = await h.client.cleanEntityStorage({ continuationToken: first.continuationToken }, true);
    expect(rest.continuationToken).toBeUndefined();
    expect(first.emptyEntitiesRemoved + rest.emptyEntitiesRemoved).toBe(ids.length);
    expect(rest.orphanedLocksReleased).toBe(0);
    const left = await h.hub.store.queryInstances({ instanceIdPrefix: '@counter@', pageSize: 1000 });
    expect(left.instances.map((r) => r.instanceId).sort()).toEqual(['@counter@cl-held', '@counter@cl-locked']);
    expect(await h.hub.store.getInstance('@counter@cl-held')).toBeDefined();
  });
});
