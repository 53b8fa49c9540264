// Conformance: atomic episode commits (everything of an episode or nothing, a rejected episode beside committed ones)
// and idempotent activity completions.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import {
  claimOne,
  completed,
  episode,
  ids,
  newInstance,
  orchestratorStarted,
  raised,
  runTo,
  scheduled,
  started,
} from './conformance-helpers.js';

export function storeCommitTests(fresh: () => Promise<Store>): void {
  describe('episode commits', () => {
    it('commits history, status, messages, work items and sub-instances together', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('other'));
      await store.createInstance(newInstance('a'));
      const claimed = await claimOne(store, 'w1', 'a');
      const append = [...episode(claimed).append, scheduled(0), scheduled(1, 'Other')];
      const result = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(claimed, {
            append,
            customStatus: '"busy"',
            newWorkItems: [
              { taskScheduledId: 0, name: 'Act', input: '"i0"' },
              { taskScheduledId: 1, name: 'Other' },
            ],
            newMessages: [{ instanceId: 'other', event: raised('hello', '"hi"') }],
            newInstances: [newInstance('a:child', { parentInstanceId: 'a' })],
          }),
        ],
        activityCompletions: [],
      });
      expect(result.rejectedEpisodes).toEqual([]);
      expect(await store.getHistory('a')).toEqual(append);
      expect(await store.getInstance('a')).toMatchObject({
        runtimeStatus: 'Running',
        historyLength: append.length,
        customStatus: '"busy"',
      });
      const items = await store.claimWorkItems('w2', 10, 10_000);
      expect(
        items.map((w) => [w.instanceId, w.executionId, w.taskScheduledId, w.name, w.input, w.deliveryCount]),
      ).toEqual([
        ['a', 'a-e1', 0, 'Act', '"i0"', 0],
        ['a', 'a-e1', 1, 'Other', undefined, 0],
      ]);
      expect(await store.getInstance('a:child')).toMatchObject({ runtimeStatus: 'Pending', parentInstanceId: 'a' });
      const next = await store.claimOrchestrations('w2', 10, 10_000);
      // 'a' consumed its message; 'other' got the event; the child got its start.
      expect(ids(next)).toEqual(['a:child', 'other']);
      const other = next.find((c) => c.instance.instanceId === 'other');
      expect(other?.messages.map((m) => m.event.eventType)).toEqual(['ExecutionStarted', 'EventRaised']);
    });

    it('appends across episodes and finishes with output, clearing output while not terminal', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('a'));
      const first = await claimOne(store, 'w1', 'a');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(first, {
            append: [...episode(first).append, scheduled(0)],
            newWorkItems: [{ taskScheduledId: 0, name: 'Act' }],
          }),
        ],
        activityCompletions: [],
      });
      const [item] = await store.claimWorkItems('w1', 10, 10_000);
      expect(item).toBeDefined();
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [],
        activityCompletions: [{ workItem: item!, event: completed(0, '42') }],
      });
      const second = await claimOne(store, 'w1', 'a');
      expect(second.instance.historyLength).toBe(3);
      expect(second.messages.map((m) => m.event)).toEqual([completed(0, '42')]);
      const done = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(second, { runtimeStatus: 'Completed', output: '42' })],
        activityCompletions: [],
      });
      expect(done.rejectedEpisodes).toEqual([]);
      const history = await store.getHistory('a');
      expect(history.map((e) => e.eventType)).toEqual([
        'OrchestratorStarted',
        'ExecutionStarted',
        'TaskScheduled',
        'OrchestratorStarted',
        'TaskCompleted',
      ]);
      expect(await store.getInstance('a')).toMatchObject({
        runtimeStatus: 'Completed',
        output: '42',
        historyLength: 5,
      });
    });

    it('replaceHistory with newExecutionId starts a new execution (continue-as-new)', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('c'));
      const first = await claimOne(store, 'w1', 'c');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(first, {
            append: [...episode(first).append, scheduled(0)],
            newWorkItems: [{ taskScheduledId: 0, name: 'Act' }],
          }),
        ],
        activityCompletions: [],
      });
      await store.enqueueMessages([{ instanceId: 'c', event: raised('go') }]);
      const second = await claimOne(store, 'w1', 'c');
      const fresh2 = [orchestratorStarted('2024-01-01T00:00:01.000Z'), started('c', 'c-e2', '"again"')];
      const result = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(second, {
            append: fresh2,
            replaceHistory: true,
            newExecutionId: 'c-e2',
            input: '"again"',
            runtimeStatus: 'Running',
          }),
        ],
        activityCompletions: [],
      });
      expect(result.rejectedEpisodes).toEqual([]);
      expect(await store.getHistory('c')).toEqual(fresh2);
      expect(await store.getInstance('c')).toMatchObject({ executionId: 'c-e2', historyLength: 2, input: '"again"' });
      // Work items of the old execution are gone with it.
      expect(await store.claimWorkItems('w2', 10, 10_000)).toEqual([]);
    });

    it('rejects a stale or foreign episode and changes nothing for it, while the rest of the batch commits', async () => {
      const store = await fresh();
      for (const id of ['stale', 'foreign', 'good', 'target', 'item-owner'])
        await store.createInstance(newInstance(id));
      const foreign = await claimOne(store, 'w2', 'foreign');
      const mine = await store.claimOrchestrations('w1', 100, 10_000);
      const pick = (id: string) => mine.find((c) => c.instance.instanceId === id)!;
      const [stale, good, owner] = [pick('stale'), pick('good'), pick('item-owner')];
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(owner, {
            append: [...episode(owner).append, scheduled(0)],
            newWorkItems: [{ taskScheduledId: 0, name: 'Act' }],
          }),
        ],
        activityCompletions: [],
      });
      const [item] = await store.claimWorkItems('w1', 10, 10_000);
      const sideEffects = {
        newWorkItems: [{ taskScheduledId: 7, name: 'Act' }],
        newMessages: [{ instanceId: 'target', event: raised('side') }],
      };
      const result = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(stale, { expectedHistoryLength: 5, ...sideEffects, newInstances: [newInstance('stale:child')] }),
          episode(foreign, { ...sideEffects, runtimeStatus: 'Completed', output: '1' }),
          episode(good, { runtimeStatus: 'Completed', output: '"ok"' }),
        ],
        activityCompletions: [{ workItem: item!, event: completed(0) }],
      });
      expect([...result.rejectedEpisodes].sort()).toEqual(['foreign', 'stale']);
      for (const id of ['stale', 'foreign']) {
        expect(await store.getHistory(id)).toEqual([]);
        expect(await store.getInstance(id)).toMatchObject({ runtimeStatus: 'Pending', historyLength: 0 });
      }
      expect(await store.getInstance('stale:child')).toBeUndefined();
      expect(await store.getInstance('good')).toMatchObject({ runtimeStatus: 'Completed', output: '"ok"' });
      // No side effect of a rejected episode leaked: no work item 7, no event for 'target'.
      expect(await store.claimWorkItems('w3', 10, 10_000)).toEqual([]);
      await store.releaseLocks('w1');
      await store.releaseLocks('w2');
      const next = await store.claimOrchestrations('w3', 10, 10_000);
      expect(ids(next)).toEqual(['foreign', 'item-owner', 'stale', 'target']);
      for (const c of next) {
        const types = c.messages.map((m) => m.event.eventType);
        expect(types).toEqual(c.instance.instanceId === 'item-owner' ? ['TaskCompleted'] : ['ExecutionStarted']);
      }
    });

    it('drops messages an episode sends to unknown instances', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('a'));
      const claimed = await claimOne(store, 'w1', 'a');
      const result = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(claimed, { newMessages: [{ instanceId: 'ghost', event: raised('boo') }] })],
        activityCompletions: [],
      });
      expect(result.rejectedEpisodes).toEqual([]);
      expect(await store.claimOrchestrations('w1', 10, 10_000)).toEqual([]);
      expect(await store.getInstance('ghost')).toBeUndefined();
    });

    it('leaves a running sub-instance alone and replaces a finished one', async () => {
      const store = await fresh();
      await runTo(store, 'busy', 'Running');
      await runTo(store, 'old', 'Completed');
      await store.createInstance(newInstance('parent'));
      const claimed = await claimOne(store, 'w1', 'parent');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(claimed, {
            newInstances: [
              newInstance('busy', { executionId: 'busy-e2' }),
              newInstance('old', { executionId: 'old-e2' }),
            ],
          }),
        ],
        activityCompletions: [],
      });
      expect(await store.getInstance('busy')).toMatchObject({ executionId: 'busy-e1', runtimeStatus: 'Running' });
      expect(await store.getInstance('old')).toMatchObject({ executionId: 'old-e2', runtimeStatus: 'Pending' });
      expect(await store.getHistory('old')).toEqual([]);
    });
  });

  describe('activity completions', () => {
    it('drops the second completion of one work item', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('a'));
      const claimed = await claimOne(store, 'w1', 'a');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(claimed, {
            append: [...episode(claimed).append, scheduled(0), scheduled(1)],
            newWorkItems: [
              { taskScheduledId: 0, name: 'Act' },
              { taskScheduledId: 1, name: 'Act', lockedBy: 'w1' },
            ],
          }),
        ],
        activityCompletions: [],
      });
      const items = await store.claimWorkItems('w2', 10, 10_000);
      // The item locked for w1 by the commit (local fast path) is not claimable by others.
      expect(items.map((w) => w.taskScheduledId)).toEqual([0]);
      const key = { instanceId: 'a', executionId: 'a-e1', taskScheduledId: 0 };
      await store.commit({
        workerId: 'w2',
        leaseMs: 10_000,
        episodes: [],
        activityCompletions: [{ workItem: key, event: completed(0, '1') }],
      });
      await store.commit({
        workerId: 'w3',
        leaseMs: 10_000,
        episodes: [],
        activityCompletions: [{ workItem: key, event: completed(0, '2') }],
      });
      // Both in one batch: still one.
      const key1 = { ...key, taskScheduledId: 1 };
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [],
        activityCompletions: [
          { workItem: key1, event: completed(1, '3') },
          { workItem: key1, event: completed(1, '4') },
        ],
      });
      const next = await claimOne(store, 'w1', 'a');
      expect(next.messages.map((m) => m.event)).toEqual([completed(0, '1'), completed(1, '3')]);
    });

    it('drops a completion of a work item an episode already completed in memory', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('a'));
      const claimed = await claimOne(store, 'w1', 'a');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(claimed, {
            append: [...episode(claimed).append, scheduled(0)],
            newWorkItems: [{ taskScheduledId: 0, name: 'Act', lockedBy: 'w1' }],
            keepLock: true,
          }),
        ],
        activityCompletions: [],
      });
      const key = { instanceId: 'a', executionId: 'a-e1', taskScheduledId: 0 };
      const row = await store.getInstance('a');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          {
            ...episode(
              { instance: row!, messages: [], lockedUntil: '', deliveryCount: 1 },
              { append: [orchestratorStarted('2024-01-01T00:00:01.000Z'), completed(0)] },
            ),
            completedWorkItems: [key],
          },
        ],
        activityCompletions: [],
      });
      await store.commit({
        workerId: 'w2',
        leaseMs: 10_000,
        episodes: [],
        activityCompletions: [{ workItem: key, event: completed(0) }],
      });
      expect(await store.claimOrchestrations('w2', 10, 10_000)).toEqual([]);
      expect(await store.claimWorkItems('w2', 10, 10_000)).toEqual([]);
      expect((await store.getHistory('a')).filter((e) => e.eventType === 'TaskCompleted')).toHaveLength(1);
    });

    it('drops a completion for an instance that no longer exists', async () => {
      const store = await fresh();
      const key = { instanceId: 'gone', executionId: 'gone-e1', taskScheduledId: 0 };
      const result = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [],
        activityCompletions: [{ workItem: key, event: completed(0) }],
      });
      expect(result.rejectedEpisodes).toEqual([]);
      expect(await store.claimOrchestrations('w1', 10, 10_000)).toEqual([]);
    });
  });

  describe('entities', () => {
    it('the first message to an entity id creates its row; a commit stores and keeps its state', async () => {
      const store = await fresh();
      expect(await store.enqueueMessages([{ instanceId: '@counter@k1', event: raised('op', '1') }])).toBe(1);
      expect(await store.getInstance('@counter@k1')).toMatchObject({
        instanceId: '@counter@k1',
        name: 'counter',
        runtimeStatus: 'Running',
        historyLength: 0,
      });
      const claimed = await claimOne(store, 'w1', '@counter@k1');
      expect(claimed.messages.map((m) => m.event)).toEqual([raised('op', '1')]);
      const result = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(claimed, {
            append: [],
            entityState: '{"state":"1"}',
            newMessages: [
              { instanceId: '@counter@k2', event: raised('op', '2') },
              { instanceId: 'plain', event: raised('x') },
            ],
          }),
        ],
        activityCompletions: [],
      });
      expect(result.rejectedEpisodes).toEqual([]);
      expect((await store.getInstance('@counter@k1'))?.entityState).toBe('{"state":"1"}');
      // Sent from an episode: created as well; a plain unknown id is still dropped.
      expect(await store.getInstance('@counter@k2')).toMatchObject({ name: 'counter', runtimeStatus: 'Running' });
      expect(await store.getInstance('plain')).toBeUndefined();
      await store.enqueueMessages([{ instanceId: '@counter@k1', event: raised('op', '3') }]);
      const again = await claimOne(store, 'w1', '@counter@k1');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(again, { append: [] })],
        activityCompletions: [],
      });
      // An episode that leaves entityState undefined keeps the stored state.
      expect((await store.getInstance('@counter@k1'))?.entityState).toBe('{"state":"1"}');
    });
  });
}
