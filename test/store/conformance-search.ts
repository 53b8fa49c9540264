// Conformance: the dashboard's search and counts (optional in the Store contract; both stores implement them).
import { describe, expect, it } from 'vitest';
import type { InstanceSearch, Store } from '../../src/store/store.js';
import { claimOne, episode, newInstance, runTo } from './conformance-helpers.js';

const day = (d: number): string => `2024-04-${String(d).padStart(2, '0')}T12:00:00.000Z`;

async function all(store: Store, query: InstanceSearch): Promise<string[]> {
  if (!store.searchInstances) throw new Error('no search');
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.searchInstances({ pageSize: 2, ...query, ...(token ? { continuationToken: token } : {}) });
    out.push(...page.instances.map((i) => i.instanceId));
    token = page.continuationToken;
  } while (token);
  return out;
}

/** Five instances: names, statuses, created times and one custom status to search on. */
async function seed(store: Store): Promise<void> {
  await runTo(store, 'i1', 'Completed', { name: 'ProcessOrder', createdTime: day(1) });
  await runTo(store, 'i2', 'Failed', { name: 'processorder', createdTime: day(2) });
  await runTo(store, 'i3', 'Running', { name: 'Billing', createdTime: day(3) });
  await store.createInstance(newInstance('i4', { name: 'Billing', createdTime: day(4) }));
  await store.createInstance(newInstance('i5', { name: '100%_Done', createdTime: day(5) }));
  const claimed = await claimOne(store, 'w', 'i5');
  await store.commit({
    workerId: 'w',
    leaseMs: 10_000,
    episodes: [episode(claimed, { customStatus: JSON.stringify({ stage: 'Awaiting Approval' }) })],
    activityCompletions: [],
  });
}

export function storeSearchTests(fresh: () => Promise<Store>): void {
  describe('dashboard search', () => {
    it('filters by name and custom-status text (case-insensitive, % and _ literal) beside the management filters', async () => {
      const store = await fresh();
      await seed(store);
      expect(await all(store, {})).toEqual(['i1', 'i2', 'i3', 'i4', 'i5']);
      expect(await all(store, { name: 'ORDER' })).toEqual(['i1', 'i2']);
      expect(await all(store, { name: '%_' })).toEqual(['i5']);
      expect(await all(store, { name: 'bill', runtimeStatus: ['Pending'] })).toEqual(['i4']);
      expect(await all(store, { customStatusText: 'awaiting approval' })).toEqual(['i5']);
      expect(await all(store, { name: 'order', createdTimeFrom: day(2) })).toEqual(['i2']);
      expect(await all(store, { instanceIdPrefix: 'i', name: 'nothing' })).toEqual([]);
    });

    it('pages in every order, both directions, without gaps or duplicates', async () => {
      const store = await fresh();
      await seed(store);
      const byId = ['i1', 'i2', 'i3', 'i4', 'i5'];
      expect(await all(store, { orderBy: 'instanceId', descending: true })).toEqual([...byId].reverse());
      expect(await all(store, { orderBy: 'createdTime', descending: true })).toEqual([...byId].reverse());
      const byStatus = await all(store, { orderBy: 'runtimeStatus' });
      expect([...byStatus].sort()).toEqual(byId);
      // Equal values (two 'Billing') are split across pages by the instance id, in the same direction.
      const names = await all(store, { orderBy: 'name', descending: true, pageSize: 1 });
      expect([...names].sort()).toEqual(byId);
      expect(names.indexOf('i3')).toBe(names.indexOf('i4') + 1);
      const updated = await all(store, { orderBy: 'lastUpdatedTime' });
      expect([...updated].sort()).toEqual(byId);
      await expect(store.searchInstances?.({ continuationToken: 'garbage' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    });

    it('counts per runtime status under the same filters', async () => {
      const store = await fresh();
      await seed(store);
      expect(await store.countInstances?.({})).toEqual({ Completed: 1, Failed: 1, Running: 2, Pending: 1 });
      expect(await store.countInstances?.({ name: 'order' })).toEqual({ Completed: 1, Failed: 1 });
      expect(await store.countInstances?.({ createdTimeFrom: day(4) })).toEqual({ Pending: 1, Running: 1 });
    });
  });
}
