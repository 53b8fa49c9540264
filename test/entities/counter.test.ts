// Entities on a real SQLite file: a counter driven by clients and orchestrations, rollback of failed operations,
// destructOnExit, entity-to-entity signals, dedupe of redelivered requests, and listing.
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import type { FunctionRegistry } from '../../src/core/registry.js';
import { openTestHub, type TestHub } from '../worker/helpers.js';
import { counter } from './counter-entity.js';

const hubs: TestHub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.close();
});

async function open(register: (r: FunctionRegistry) => void = () => undefined): Promise<TestHub> {
  const hub = await openTestHub((r) => {
    r.registerEntity('Counter', counter);
    register(r);
  });
  hubs.push(hub);
  return hub;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('entities', () => {
  it('a client signals a counter; readEntityState sees the committed state', async () => {
    const hub = await open();
    const id = new EntityId('Counter', 'c1');
    expect(await hub.client.readEntityState(id)).toEqual({ entityExists: false });
    for (let i = 1; i <= 5; i++) await hub.client.signalEntity(id, 'add', i);
    const state = await until(
      () => hub.client.readEntityState<number>(id),
      (s) => s.entityState === 15,
    );
    expect(state).toEqual({ entityExists: true, entityState: 15 });
  });

  it('orchestrations call and signal entities; a failed operation is rolled back and fails the call', async () => {
    const hub = await open((r) => {
      r.registerOrchestration('UseCounter', function* (ctx: OrchestrationContext) {
        const id = new EntityId('Counter', 'o1');
        ctx.df.signalEntity(id, 'add', 2);
        yield ctx.df.callEntity(id, 'add', 3);
        let error = '';
        try {
          yield ctx.df.callEntity(id, 'addThenFail');
        } catch (err) {
          error = (err as Error).message;
        }
        const value = (yield ctx.df.callEntity(id, 'get')) as number;
        return { value, error };
      });
    });
    const instanceId = await hub.client.startNew('UseCounter');
    const status = await hub.client.waitForCompletion(instanceId);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual({ value: 5, error: 'refused' });
    // The failed operation's signal was never sent.
    expect(await hub.client.readEntityState(new EntityId('Counter', 'shadow'))).toEqual({ entityExists: false });
  });

  it('entities signal entities; destructOnExit deletes; listEntities lists existing ones with their state', async () => {
    const hub = await open();
    const a = new EntityId('Counter', 'a');
    const b = new EntityId('Counter', 'b');
    await hub.client.signalEntity(a, 'add', 7);
    await hub.client.signalEntity(a, 'forward', 'b');
    await until(
      () => hub.client.readEntityState<number>(b),
      (s) => s.entityState === 7,
    );
    const page = await hub.client.listEntities({ entityName: 'counter', fetchState: true });
    expect(page.entities.map((e) => [e.entityId.key, e.state]).sort()).toEqual([
      ['a', 7],
      ['b', 7],
    ]);
    await hub.client.signalEntity(a, 'delete');
    await until(
      () => hub.client.readEntityState(a),
      (s) => !s.entityExists,
    );
    expect((await hub.client.listEntities()).entities.map((e) => e.entityId.key)).toEqual(['b']);
    // Entities do not show up as orchestrations.
    expect(await hub.client.getStatusAll()).toEqual([]);
  });

  it('a request delivered twice is applied once', async () => {
    const hub = await open();
    const request = JSON.stringify({ id: 'req-1', op: 'add', signal: true, input: '5' });
    const message = {
      instanceId: '@counter@dup',
      event: {
        eventType: 'EventRaised' as const,
        eventId: -1,
        timestamp: new Date().toISOString(),
        name: 'op',
        input: request,
      },
    };
    await hub.store.enqueueMessages([message, message]);
    hub.worker?.notify();
    await until(
      () => hub.client.readEntityState<number>(new EntityId('Counter', 'dup')),
      (s) => s.entityState !== undefined,
    );
    await hub.store.enqueueMessages([message]);
    await hub.client.signalEntity(new EntityId('Counter', 'dup'), 'add', 1);
    const state = await until(
      () => hub.client.readEntityState<number>(new EntityId('Counter', 'dup')),
      (s) => s.entityState === 6,
    );
    expect(state.entityState).toBe(6);
  });
});
