// Store conformance for entities: an entity is an instance row created by the first message sent to its id
// ('@name@key'), whether a client enqueues it or an episode sends it; its record (entity state) commits with an
// episode and is read back; messages to unknown orchestration ids are still dropped.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { claimOne, episode, raised, runTo } from './conformance-helpers.js';

export function storeEntityTests(fresh: () => Promise<Store>): void {
  describe('entities', () => {
    it('a message to an unknown entity id creates the entity; to an unknown orchestration id it is dropped', async () => {
      const store = await fresh();
      const count = await store.enqueueMessages([
        { instanceId: '@counter@k1', event: raised('op', '{"id":"r1","op":"add"}') },
        { instanceId: '@counter@k1', event: raised('op', '{"id":"r2","op":"add"}') },
        { instanceId: 'nobody', event: raised('op') },
      ]);
      expect(count).toBe(2);
      expect(await store.getInstance('nobody')).toBeUndefined();
      const row = await store.getInstance('@counter@k1');
      expect(row).toMatchObject({ instanceId: '@counter@k1', name: 'counter', runtimeStatus: 'Running' });
      expect(row?.entityState).toBeUndefined();
      const claimed = await claimOne(store, 'w1', '@counter@k1');
      expect(claimed.messages.map((m) => m.event)).toEqual([
        raised('op', '{"id":"r1","op":"add"}'),
        raised('op', '{"id":"r2","op":"add"}'),
      ]);
    });

    it('commits the entity record with the consumed messages; an episode without one leaves it as it is', async () => {
      const store = await fresh();
      await store.enqueueMessages([{ instanceId: '@counter@k2', event: raised('op', '{"id":"r1"}') }]);
      const first = await claimOne(store, 'w1', '@counter@k2');
      const commit = (entityState?: string) =>
        store.commit({
          workerId: 'w1',
          leaseMs: 10_000,
          episodes: [{ ...episode(first, { append: [] }), ...(entityState === undefined ? {} : { entityState }) }],
          activityCompletions: [],
        });
      expect((await commit('{"exists":true,"state":"1"}')).rejectedEpisodes).toEqual([]);
      const row = await store.getInstance('@counter@k2');
      expect(row?.entityState).toBe('{"exists":true,"state":"1"}');
      expect(row?.historyLength).toBe(0);
      expect(await store.claimOrchestrations('w1', 10, 10_000)).toEqual([]);

      await store.enqueueMessages([{ instanceId: '@counter@k2', event: raised('op', '{"id":"r2"}') }]);
      const second = await claimOne(store, 'w1', '@counter@k2');
      expect(second.instance.entityState).toBe('{"exists":true,"state":"1"}');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(second, { append: [] })],
        activityCompletions: [],
      });
      expect((await store.getInstance('@counter@k2'))?.entityState).toBe('{"exists":true,"state":"1"}');
    });

    it('deletes an idle entity only while its record is the one seen, no message waits and no worker holds it', async () => {
      const store = await fresh();
      await store.enqueueMessages([{ instanceId: '@counter@gone', event: raised('op', '{"id":"r1"}') }]);
      expect(await store.deleteEntityIfIdle('@counter@gone', undefined)).toBe(false); // r1 waits for it
      const claimed = await claimOne(store, 'w1', '@counter@gone');
      const empty = '{"exists":false,"recent":["r1"]}';
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [{ ...episode(claimed, { append: [] }), entityState: empty, keepLock: true }],
        activityCompletions: [],
      });
      expect(await store.deleteEntityIfIdle('@counter@gone', empty)).toBe(false); // w1 still holds it
      await store.releaseInstances('w1', ['@counter@gone']);
      expect(await store.deleteEntityIfIdle('@counter@gone', '{"exists":true,"state":"1"}')).toBe(false);
      expect(await store.deleteEntityIfIdle('nobody', undefined)).toBe(false);
      await runTo(store, 'plain', 'Completed');
      expect(await store.deleteEntityIfIdle('plain', undefined)).toBe(false); // not an entity
      expect(await store.getInstance('plain')).toBeDefined();

      expect(await store.deleteEntityIfIdle('@counter@gone', empty)).toBe(true);
      expect(await store.getInstance('@counter@gone')).toBeUndefined();
      expect(await store.getHistory('@counter@gone')).toEqual([]);
      // A later request creates the entity afresh.
      await store.enqueueMessages([{ instanceId: '@counter@gone', event: raised('op', '{"id":"r2"}') }]);
      expect((await store.getInstance('@counter@gone'))?.entityState).toBeUndefined();
      expect((await claimOne(store, 'w2', '@counter@gone')).messages).toHaveLength(1);
    });

    it("an episode's messages to an unknown entity create it, in the same commit", async () => {
      const store = await fresh();
      await runTo(store, 'o', 'Running');
      await store.enqueueMessages([{ instanceId: 'o', event: raised('go') }]);
      const claimed = await claimOne(store, 'w1', 'o');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(claimed, { newMessages: [{ instanceId: '@acct@a', event: raised('op', '{"id":"x"}') }] })],
        activityCompletions: [],
      });
      expect((await store.getInstance('@acct@a'))?.name).toBe('acct');
      const entity = await claimOne(store, 'w2', '@acct@a');
      expect(entity.messages.map((m) => m.event)).toEqual([raised('op', '{"id":"x"}')]);
    });
  });
}
