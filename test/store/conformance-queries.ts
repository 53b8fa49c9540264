// Conformance: instance queries (every filter, showInput, keyset continuation) and purge.
import { describe, expect, it } from 'vitest';
import type { InstanceQuery, Store } from '../../src/store/store.js';
import { claimOne, episode, newInstance, raised, runTo, scheduled } from './conformance-helpers.js';

const day = (d: number): string => `2024-03-${String(d).padStart(2, '0')}T12:00:00.000Z`;

async function all(store: Store, query: InstanceQuery): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.queryInstances({ ...query, ...(token ? { continuationToken: token } : {}) });
    out.push(...page.instances.map((i) => i.instanceId));
    token = page.continuationToken;
  } while (token);
  return out;
}

export function storeQueryTests(fresh: () => Promise<Store>): void {
  describe('queries', () => {
    it('filters by created range, statuses and id prefix (with % and _ taken literally)', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('a%1', { createdTime: day(1) }));
      await store.createInstance(newInstance('a_2', { createdTime: day(2) }));
      await store.createInstance(newInstance('ab3', { createdTime: day(3) }));
      await store.createInstance(newInstance('a%%4', { createdTime: day(4) }));
      await runTo(store, 'b5', 'Running', { createdTime: day(5) });
      await runTo(store, 'b6', 'Completed', { createdTime: day(6) });
      await runTo(store, 'b7', 'Failed', { createdTime: day(7) });
      expect(await all(store, {})).toEqual(['a%1', 'a_2', 'ab3', 'a%%4', 'b5', 'b6', 'b7']);
      expect(await all(store, { createdTimeFrom: day(2), createdTimeTo: day(5) })).toEqual([
        'a_2',
        'ab3',
        'a%%4',
        'b5',
      ]);
      expect(await all(store, { createdTimeFrom: day(6) })).toEqual(['b6', 'b7']);
      expect(await all(store, { createdTimeTo: day(1) })).toEqual(['a%1']);
      expect(await all(store, { runtimeStatus: ['Completed', 'Failed'] })).toEqual(['b6', 'b7']);
      expect(await all(store, { runtimeStatus: ['Pending'] })).toEqual(['a%1', 'a_2', 'ab3', 'a%%4']);
      expect(await all(store, { runtimeStatus: [] })).toHaveLength(7);
      expect(await all(store, { instanceIdPrefix: 'a%' })).toEqual(['a%1', 'a%%4']);
      expect(await all(store, { instanceIdPrefix: 'a_' })).toEqual(['a_2']);
      expect(await all(store, { instanceIdPrefix: 'a' })).toEqual(['a%1', 'a_2', 'ab3', 'a%%4']);
      expect(await all(store, { instanceIdPrefix: 'zz' })).toEqual([]);
      expect(
        await all(store, { instanceIdPrefix: 'b', runtimeStatus: ['Running', 'Completed'], createdTimeFrom: day(6) }),
      ).toEqual(['b6']);
    });

    it('returns inputs only when showInput is not false, and the stored fields', async () => {
      const store = await fresh();
      await runTo(store, 'done', 'Completed');
      const [withInput] = (await store.queryInstances({})).instances;
      expect(withInput).toMatchObject({
        instanceId: 'done',
        input: '"in"',
        output: '"done"',
        runtimeStatus: 'Completed',
      });
      expect(withInput?.historyLength).toBeGreaterThan(0);
      const [without] = (await store.queryInstances({ showInput: false })).instances;
      expect(without?.input).toBeUndefined();
      expect(without?.output).toBe('"done"');
    });

    it('keeps the tags an instance was created with, through its episodes, and replaces them with the instance', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('tagged', { tags: { team: 'billing', 'cost-center': '42' } }));
      await store.createInstance(newInstance('untagged'));
      expect((await store.getInstance('tagged'))?.tags).toEqual({ team: 'billing', 'cost-center': '42' });
      expect((await store.getInstance('untagged'))?.tags).toBeUndefined();
      const claimed = await claimOne(store, 'w1', 'tagged');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(claimed, { runtimeStatus: 'Completed', output: '1' })],
        activityCompletions: [],
      });
      const page = await store.queryInstances({ instanceIdPrefix: 'tagged', showInput: false });
      expect(page.instances.map((r) => [r.runtimeStatus, r.tags])).toEqual([
        ['Completed', { team: 'billing', 'cost-center': '42' }],
      ]);
      await store.createInstance(newInstance('tagged', { executionId: 'e2', tags: { team: 'ops' } }));
      expect((await store.getInstance('tagged'))?.tags).toEqual({ team: 'ops' });
      await store.createInstance(newInstance('untagged', { executionId: 'e2' }), { replaceableStatuses: ['Pending'] });
      expect((await store.getInstance('untagged'))?.tags).toBeUndefined();
    });

    it('pages through results without duplicates or gaps, also with equal created times', async () => {
      const store = await fresh();
      const expected: string[] = [];
      for (let i = 0; i < 23; i++) {
        const id = `i${String(i).padStart(2, '0')}`;
        expected.push(id);
        // Groups of equal created times, so the keyset must break ties by id.
        await store.createInstance(newInstance(id, { createdTime: day(1 + Math.floor(i / 5)) }));
      }
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await store.queryInstances({ pageSize: 4, ...(token ? { continuationToken: token } : {}) });
        expect(page.instances.length).toBeLessThanOrEqual(4);
        seen.push(...page.instances.map((i) => i.instanceId));
        token = page.continuationToken;
        pages++;
      } while (token);
      expect(seen).toEqual(expected);
      expect(pages).toBe(6);
      // An exact multiple of the page size ends without an empty extra page.
      const four = await store.queryInstances({ pageSize: 23 });
      expect(four.instances).toHaveLength(23);
      expect(four.continuationToken).toBeUndefined();
      // Filters hold on later pages too.
      expect(await all(store, { pageSize: 2, createdTimeFrom: day(2), createdTimeTo: day(3) })).toEqual(
        expected.slice(5, 15),
      );
    });
  });

  describe('purge', () => {
    it('purges one finished instance with its history, messages and work items; never a running one', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('done'));
      const claimed = await claimOne(store, 'w1', 'done');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(claimed, {
            append: [...episode(claimed).append, scheduled(0)],
            newWorkItems: [{ taskScheduledId: 0, name: 'Act' }],
            runtimeStatus: 'Completed',
          }),
        ],
        activityCompletions: [],
      });
      await store.enqueueMessages([{ instanceId: 'done', event: raised('late') }]);
      await runTo(store, 'running', 'Running');
      await store.createInstance(newInstance('pending'));

      expect(await store.purgeInstance('running')).toBe(0);
      expect(await store.purgeInstance('pending')).toBe(0);
      expect(await store.purgeInstance('ghost')).toBe(0);
      expect(await store.purgeInstance('done')).toBe(1);
      expect(await store.getInstance('done')).toBeUndefined();
      expect(await store.getHistory('done')).toEqual([]);
      expect(await store.claimWorkItems('w2', 10, 10_000)).toEqual([]);
      expect((await store.getHistory('running')).length).toBeGreaterThan(0);
      // Re-created under the same id, it sees only its own start message: the late event went with the purge.
      await store.createInstance(newInstance('done', { executionId: 'done-e2' }));
      const again = await claimOne(store, 'w2', 'done');
      expect(again.messages.map((m) => m.event.eventType)).toEqual(['ExecutionStarted']);
      expect(await store.purgeInstance('done')).toBe(0);
    });

    it('purges by filter, only instances in a terminal status', async () => {
      const store = await fresh();
      await runTo(store, 'x1', 'Completed', { createdTime: day(1) });
      await runTo(store, 'x2', 'Failed', { createdTime: day(2) });
      await runTo(store, 'x3', 'Terminated', { createdTime: day(3) });
      await runTo(store, 'x4', 'Running', { createdTime: day(4) });
      await runTo(store, 'y5', 'Completed', { createdTime: day(5) });
      await store.createInstance(newInstance('x6', { createdTime: day(6) }));
      expect(await store.purgeInstances({ instanceIdPrefix: 'x', runtimeStatus: ['Failed'] })).toBe(1);
      expect(await store.purgeInstances({ createdTimeFrom: day(3), createdTimeTo: day(4) })).toBe(1);
      expect(await all(store, {})).toEqual(['x1', 'x4', 'y5', 'x6']);
      expect(await store.purgeInstances({ runtimeStatus: ['Running', 'Pending'] })).toBe(0);
      expect(await store.purgeInstances({})).toBe(2);
      expect(await all(store, {})).toEqual(['x4', 'x6']);
      expect(await store.getHistory('x1')).toEqual([]);
    });
  });
}
