// Conformance: locks with leases on instances and work items (invariant 5). Leases are 50-200 ms and the tests wait
// for them for real: a lock must hold until its expiry and be free after it.
import { describe, expect, it } from 'vitest';
import type { Store, WorkItemKey } from '../../src/store/store.js';
import { claimOne, episode, ids, newInstance, raised, scheduled, sleep } from './conformance-helpers.js';

/** Creates `id` and commits a first episode that schedules one unlocked work item (task 0). */
async function withWorkItem(store: Store, id: string): Promise<WorkItemKey> {
  await store.createInstance(newInstance(id));
  const claimed = await claimOne(store, 'setup', id);
  const result = await store.commit({
    workerId: 'setup',
    leaseMs: 10_000,
    episodes: [
      episode(claimed, {
        append: [...episode(claimed).append, scheduled(0)],
        newWorkItems: [{ taskScheduledId: 0, name: 'Act' }],
      }),
    ],
    activityCompletions: [],
  });
  expect(result.rejectedEpisodes).toEqual([]);
  return { instanceId: id, executionId: `${id}-e1`, taskScheduledId: 0 };
}

export function storeLeaseTests(fresh: () => Promise<Store>): void {
  describe('leases', () => {
    it('a second worker cannot claim a locked instance until the lease expires, then can', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('a'));
      const first = await claimOne(store, 'w1', 'a', 150);
      expect(Date.parse(first.lockedUntil)).toBeGreaterThan(Date.now());
      expect(Date.parse(first.lockedUntil)).toBeLessThanOrEqual(Date.now() + 150);
      await store.enqueueMessages([{ instanceId: 'a', event: raised('more') }]);
      expect(await store.claimOrchestrations('w2', 10, 10_000)).toEqual([]);
      await sleep(200);
      const taken = await claimOne(store, 'w2', 'a');
      expect(taken.messages.map((m) => m.event.eventType)).toEqual(['ExecutionStarted', 'EventRaised']);
      // The old holder's commit is now rejected: it lost the lock.
      const late = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(first)],
        activityCompletions: [],
      });
      expect(late.rejectedEpisodes).toEqual(['a']);
      expect(await store.getHistory('a')).toEqual([]);
    });

    it('the holder may claim its locked instance again; exclude skips instances', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('a'));
      await store.createInstance(newInstance('b'));
      expect(ids(await store.claimOrchestrations('w1', 10, 10_000))).toEqual(['a', 'b']);
      expect(ids(await store.claimOrchestrations('w1', 10, 10_000, new Set(['a'])))).toEqual(['b']);
      expect(ids(await store.claimOrchestrations('w1', 10, 10_000))).toEqual(['a', 'b']);
      expect(await store.claimOrchestrations('w2', 10, 10_000)).toEqual([]);
    });

    it('claims at most `limit` instances', async () => {
      const store = await fresh();
      for (const id of ['a', 'b', 'c', 'd', 'e']) await store.createInstance(newInstance(id));
      await store.enqueueMessages([
        { instanceId: 'a', event: raised('x') },
        { instanceId: 'a', event: raised('y') },
      ]);
      const first = await store.claimOrchestrations('w1', 2, 10_000);
      expect(first).toHaveLength(2);
      const rest = await store.claimOrchestrations('w2', 10, 10_000);
      expect([...ids(first), ...ids(rest)].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('a second worker cannot claim a locked work item until the lease expires, then can', async () => {
      const store = await fresh();
      const key = await withWorkItem(store, 'a');
      const [first] = await store.claimWorkItems('w1', 10, 150);
      expect(first).toMatchObject({ ...key, deliveryCount: 0 });
      expect(await store.claimWorkItems('w2', 10, 10_000)).toEqual([]);
      await sleep(200);
      const [again] = await store.claimWorkItems('w2', 10, 10_000);
      expect(again).toMatchObject({ ...key, deliveryCount: 1 });
    });

    it('renewLocks extends every lock of the worker', async () => {
      const store = await fresh();
      await withWorkItem(store, 'a');
      await store.createInstance(newInstance('b'));
      await claimOne(store, 'w1', 'b', 150);
      expect(await store.claimWorkItems('w1', 10, 150)).toHaveLength(1);
      await sleep(50);
      await store.renewLocks('w1', 400);
      await sleep(200);
      expect(await store.claimOrchestrations('w2', 10, 10_000)).toEqual([]);
      expect(await store.claimWorkItems('w2', 10, 10_000)).toEqual([]);
      await sleep(300);
      expect(ids(await store.claimOrchestrations('w2', 10, 10_000))).toEqual(['b']);
      expect(await store.claimWorkItems('w2', 10, 10_000)).toHaveLength(1);
    });

    it('releaseLocks frees every lock of one worker at once', async () => {
      const store = await fresh();
      await withWorkItem(store, 'a');
      await store.createInstance(newInstance('b'));
      await store.createInstance(newInstance('c'));
      await claimOne(store, 'w1', 'b');
      await claimOne(store, 'w3', 'c');
      await store.claimWorkItems('w1', 10, 10_000);
      expect((await store.lockHolders()).sort()).toEqual(['w1', 'w3']);
      await store.releaseLocks('w1');
      expect(await store.lockHolders()).toEqual(['w3']);
      expect(ids(await store.claimOrchestrations('w2', 10, 10_000))).toEqual(['b']);
      expect(await store.claimWorkItems('w2', 10, 10_000)).toHaveLength(1);
    });

    it('releaseInstances frees only the named instances the worker holds', async () => {
      const store = await fresh();
      for (const id of ['a', 'b', 'c']) await store.createInstance(newInstance(id));
      await claimOne(store, 'w3', 'c');
      expect(ids(await store.claimOrchestrations('w1', 10, 10_000))).toEqual(['a', 'b']);
      await store.releaseInstances('w1', ['a', 'c']);
      expect(ids(await store.claimOrchestrations('w2', 10, 10_000))).toEqual(['a']);
      await store.releaseInstances('w1', []);
    });

    it('abandonWorkItem frees the item for another worker; only the holder can abandon', async () => {
      const store = await fresh();
      const key = await withWorkItem(store, 'a');
      await store.claimWorkItems('w1', 10, 10_000);
      await store.abandonWorkItem('w2', key);
      expect(await store.claimWorkItems('w2', 10, 10_000)).toEqual([]);
      await store.abandonWorkItem('w1', key);
      const [again] = await store.claimWorkItems('w2', 10, 10_000);
      expect(again).toMatchObject({ ...key, deliveryCount: 1 });
    });

    it('keepLock keeps the instance with the committing worker for a fresh lease; otherwise it is released', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('kept'));
      await store.createInstance(newInstance('freed'));
      const claimed = await store.claimOrchestrations('w1', 10, 100);
      const kept = claimed.find((c) => c.instance.instanceId === 'kept')!;
      const freed = claimed.find((c) => c.instance.instanceId === 'freed')!;
      const result = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(kept, { keepLock: true }), episode(freed, { keepLock: false })],
        activityCompletions: [],
      });
      expect(result.rejectedEpisodes).toEqual([]);
      await store.enqueueMessages([
        { instanceId: 'kept', event: raised('x') },
        { instanceId: 'freed', event: raised('y') },
      ]);
      await sleep(150);
      // The commit's lease (10 s) replaced the claim's (100 ms).
      expect(ids(await store.claimOrchestrations('w2', 10, 10_000))).toEqual(['freed']);
      expect(await store.lockHolders()).toContain('w1');
      expect(ids(await store.claimOrchestrations('w1', 10, 10_000))).toEqual(['kept']);
    });

    it('a work item locked by its episode (local fast path) is held under the batch lease', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('a'));
      const claimed = await claimOne(store, 'w1', 'a');
      await store.commit({
        workerId: 'w1',
        leaseMs: 100,
        episodes: [
          episode(claimed, {
            append: [...episode(claimed).append, scheduled(0)],
            newWorkItems: [{ taskScheduledId: 0, name: 'Act', lockedBy: 'w1' }],
          }),
        ],
        activityCompletions: [],
      });
      expect(await store.lockHolders()).toEqual(['w1']);
      expect(await store.claimWorkItems('w2', 10, 10_000)).toEqual([]);
      await sleep(150);
      expect(await store.claimWorkItems('w2', 10, 10_000)).toHaveLength(1);
    });

    it('lockHolders is empty when nothing is locked', async () => {
      const store = await fresh();
      expect(await store.lockHolders()).toEqual([]);
      await withWorkItem(store, 'a');
      expect(await store.lockHolders()).toEqual([]);
    });
  });
}
