// The store conformance suite: one factory, written only against the Store interface, that every backend runs
// unchanged (invariant 7). `makeStore` returns a store on a fresh, empty task hub each call; two calls give two hubs
// in the same database. Leases are short and waited for for real, so expiry is tested as it happens in production.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/history.js';
import type { NewInstance, Store } from '../../src/store/store.js';
import { storeBacklogTests } from './conformance-backlog.js';
import { storeClaimTests } from './conformance-claims.js';
import { storeCommitTests } from './conformance-commits.js';
import { storeEntityTests } from './conformance-entities.js';
import { storeLeaseTests } from './conformance-leases.js';
import { storeQueryTests } from './conformance-queries.js';
import { storeSearchTests } from './conformance-search.js';
import { storeTimerTests } from './conformance-timers.js';
import { claimOne, episode, newInstance, orchestratorStarted, raised, runTo, started } from './conformance-helpers.js';

export type MakeStore = () => Promise<Store>;

export function storeConformance(name: string, makeStore: MakeStore, cleanup?: () => Promise<void>): void {
  describe(`Store conformance: ${name}`, () => {
    const open: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const store = await makeStore();
      await store.migrate();
      open.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });
    if (cleanup) afterAll(cleanup);

    describe('instances', () => {
      it('creates an instance with its start message and reads it back', async () => {
        const store = await fresh();
        await store.createInstance(newInstance('a', { createdTime: '2024-05-01T00:00:00.000Z' }));
        const row = await store.getInstance('a');
        expect(row).toMatchObject({
          instanceId: 'a',
          executionId: 'a-e1',
          name: 'Orch',
          runtimeStatus: 'Pending',
          input: '"in"',
          createdTime: '2024-05-01T00:00:00.000Z',
          historyLength: 0,
        });
        expect(await store.getInstance('nope')).toBeUndefined();
        expect(await store.getHistory('a')).toEqual([]);
        const [claimed] = await store.claimOrchestrations('w1', 10, 10_000);
        expect(claimed?.messages.map((m) => m.event)).toEqual([started('a', 'a-e1', '"in"')]);
        expect(claimed?.messages[0]?.executionId).toBe('a-e1');
      });

      it('refuses to create over a Pending or Running instance with INSTANCE_EXISTS', async () => {
        const store = await fresh();
        await store.createInstance(newInstance('p'));
        await expect(store.createInstance(newInstance('p', { executionId: 'p-e2' }))).rejects.toMatchObject({
          code: 'INSTANCE_EXISTS',
        });
        await runTo(store, 'r', 'Running');
        await expect(store.createInstance(newInstance('r', { executionId: 'r-e2' }))).rejects.toMatchObject({
          code: 'INSTANCE_EXISTS',
        });
        expect((await store.getInstance('p'))?.executionId).toBe('p-e1');
        expect((await store.getInstance('r'))?.runtimeStatus).toBe('Running');
      });

      it('replaces a finished instance: new execution, empty history, old messages and work items gone', async () => {
        const store = await fresh();
        await store.createInstance(newInstance('x'));
        const claimed = await claimOne(store, 'w1', 'x');
        await store.commit({
          workerId: 'w1',
          leaseMs: 10_000,
          episodes: [
            episode(claimed, {
              runtimeStatus: 'Completed',
              output: '"old"',
              newWorkItems: [{ taskScheduledId: 0, name: 'Act' }],
            }),
          ],
          activityCompletions: [],
        });
        expect(await store.enqueueMessages([{ instanceId: 'x', event: raised('late') }])).toBe(1);
        await store.createInstance(newInstance('x', { executionId: 'x-e2', input: '"new"' }));
        const row = await store.getInstance('x');
        expect(row).toMatchObject({ executionId: 'x-e2', runtimeStatus: 'Pending', input: '"new"', historyLength: 0 });
        expect(row?.output).toBeUndefined();
        expect(await store.getHistory('x')).toEqual([]);
        expect(await store.claimWorkItems('w1', 10, 10_000)).toEqual([]);
        const again = await claimOne(store, 'w1', 'x');
        expect(again.messages.map((m) => m.event.eventType)).toEqual(['ExecutionStarted']);
      });

      /** The claimed form of a local start's first episode (no messages: the start was never stored). */
      const localFirst = (instance: NewInstance) => ({
        instance: {
          instanceId: instance.instanceId,
          executionId: instance.executionId,
          name: instance.name,
          runtimeStatus: 'Pending' as const,
          createdTime: '2024-05-01T00:00:00.000Z',
          lastUpdatedTime: '2024-05-01T00:00:00.000Z',
          historyLength: 0,
        },
        messages: [],
        lockedUntil: '',
        deliveryCount: 1,
      });

      it('creates an instance inside an episode commit (local start): row, history and work, no start message', async () => {
        const store = await fresh();
        const instance = newInstance('l');
        const first = localFirst(instance);
        const result = await store.commit({
          workerId: 'w1',
          leaseMs: 10_000,
          episodes: [
            episode(first, {
              append: [orchestratorStarted(), instance.startEvent],
              create: { instance, replaceableStatuses: ['Completed', 'Failed', 'Terminated'] },
              newWorkItems: [{ taskScheduledId: 0, name: 'Act', lockedBy: 'w1' }],
              keepLock: true,
            }),
          ],
          activityCompletions: [],
        });
        expect(result.rejectedEpisodes).toEqual([]);
        expect(await store.getInstance('l')).toMatchObject({
          executionId: 'l-e1',
          runtimeStatus: 'Running',
          historyLength: 2,
        });
        expect(await store.getHistory('l')).toEqual([orchestratorStarted(), instance.startEvent]);
        // Locked for its worker: nobody else claims it, and the start was consumed in memory, never stored.
        expect(await store.claimOrchestrations('w2', 10, 10_000)).toEqual([]);
        expect(await store.claimOrchestrations('w1', 10, 10_000)).toEqual([]);
      });

      it('a local start replaces a finished instance of its id beside a new one: history, input and tags are its own', async () => {
        const store = await fresh();
        await runTo(store, 'done', 'Completed');
        const replacing = newInstance('done', { executionId: 'done-e2', input: '"again"', tags: { team: 'a' } });
        const fresh2 = newInstance('new', { input: '"first"' });
        const result = await store.commit({
          workerId: 'w1',
          leaseMs: 10_000,
          episodes: [replacing, fresh2].map((i) =>
            episode(localFirst(i), {
              append: [orchestratorStarted(), i.startEvent],
              create: { instance: i, replaceableStatuses: ['Completed', 'Failed', 'Terminated'] },
              runtimeStatus: 'Completed',
              output: `"out of ${i.instanceId}"`,
            }),
          ),
          activityCompletions: [],
        });
        expect(result.rejectedEpisodes).toEqual([]);
        expect(result.instanceExists ?? []).toEqual([]);
        for (const i of [replacing, fresh2]) {
          expect(await store.getInstance(i.instanceId)).toMatchObject({
            executionId: i.executionId,
            runtimeStatus: 'Completed',
            input: i.input,
            output: `"out of ${i.instanceId}"`,
            historyLength: 2,
          });
          expect(await store.getHistory(i.instanceId)).toEqual([orchestratorStarted(), i.startEvent]);
        }
        expect((await store.getInstance('done'))?.tags).toEqual({ team: 'a' });
      });

      it("a local start's first episode keeps the timer it sets for itself", async () => {
        const store = await fresh();
        const instance = newInstance('t');
        const fireAt = new Date(Date.now() + 60_000).toISOString();
        const timer: HistoryEvent = { eventId: -1, eventType: 'TimerFired', timestamp: fireAt, timerId: 0, fireAt };
        const result = await store.commit({
          workerId: 'w1',
          leaseMs: 10_000,
          episodes: [
            episode(localFirst(instance), {
              append: [orchestratorStarted(), instance.startEvent],
              create: { instance, replaceableStatuses: [] },
              newMessages: [{ instanceId: 't', executionId: 't-e1', event: timer, visibleAt: fireAt }],
            }),
          ],
          activityCompletions: [],
        });
        expect(result.rejectedEpisodes).toEqual([]);
        expect(await store.nextVisibleAt()).toBe(fireAt);
      });

      it('a local start over a running instance is rejected as existing; the batch and the instance are untouched', async () => {
        const store = await fresh();
        await runTo(store, 'r', 'Running');
        const before = await store.getInstance('r');
        await store.createInstance(newInstance('other'));
        const other = await claimOne(store, 'w1', 'other');
        const again = newInstance('r', { executionId: 'r-e2' });
        const row = {
          instanceId: 'r',
          executionId: 'r-e2',
          name: 'Orch',
          runtimeStatus: 'Pending' as const,
          createdTime: '2024-05-01T00:00:00.000Z',
          lastUpdatedTime: '2024-05-01T00:00:00.000Z',
          historyLength: 0,
        };
        const result = await store.commit({
          workerId: 'w1',
          leaseMs: 10_000,
          episodes: [
            episode(
              { instance: row, messages: [], lockedUntil: '', deliveryCount: 1 },
              {
                append: [orchestratorStarted(), again.startEvent],
                create: { instance: again, replaceableStatuses: ['Completed', 'Failed', 'Terminated'] },
              },
            ),
            episode(other, { runtimeStatus: 'Completed', output: '1' }),
          ],
          activityCompletions: [],
        });
        expect(result.rejectedEpisodes).toEqual(['r']);
        expect(result.instanceExists).toEqual(['r']);
        expect(await store.getInstance('r')).toEqual(before);
        expect((await store.getInstance('other'))?.runtimeStatus).toBe('Completed');
      });

      it('replaces a Pending instance when the caller allows it', async () => {
        const store = await fresh();
        await store.createInstance(newInstance('p'));
        await store.createInstance(newInstance('p', { executionId: 'p-e2' }), { replaceableStatuses: ['Pending'] });
        expect((await store.getInstance('p'))?.executionId).toBe('p-e2');
        const claimed = await claimOne(store, 'w1', 'p');
        expect(claimed.messages).toHaveLength(1);
      });
    });

    storeCommitTests(fresh);

    describe('messages', () => {
      it('counts each of several enqueues issued together, and keeps their arrival order', async () => {
        const store = await fresh();
        await store.createInstance(newInstance('a'));
        const counts = await Promise.all([
          store.enqueueMessages([{ instanceId: 'a', event: raised('e1', '1') }]),
          store.enqueueMessages([{ instanceId: 'ghost', event: raised('lost') }]),
          store.enqueueMessages([
            { instanceId: 'a', event: raised('e2', '2') },
            { instanceId: 'ghost', event: raised('lost') },
            { instanceId: 'a', event: raised('e3', '3') },
          ]),
        ]);
        expect(counts).toEqual([1, 0, 2]);
        const claimed = await claimOne(store, 'w1', 'a');
        expect(claimed.messages.map((m) => m.event)).toEqual([
          started('a', 'a-e1', '"in"'),
          raised('e1', '1'),
          raised('e2', '2'),
          raised('e3', '3'),
        ]);
      });

      it('enqueues to known instances only and counts what it enqueued', async () => {
        const store = await fresh();
        await store.createInstance(newInstance('a'));
        const n = await store.enqueueMessages([
          { instanceId: 'a', event: raised('e1', '1') },
          { instanceId: 'ghost', event: raised('e2') },
          { instanceId: 'a', event: raised('e3', '3') },
        ]);
        expect(n).toBe(2);
        const claimed = await claimOne(store, 'w1', 'a');
        expect(claimed.messages.map((m) => m.event)).toEqual([
          started('a', 'a-e1', '"in"'),
          raised('e1', '1'),
          raised('e3', '3'),
        ]);
        // Ids increase in arrival order; a client event names no execution.
        const msgIds = claimed.messages.map((m) => m.id);
        expect([...msgIds].sort((x, y) => x - y)).toEqual(msgIds);
        expect(claimed.messages[1]?.executionId).toBeUndefined();
        expect(await store.claimOrchestrations('w2', 10, 10_000)).toEqual([]);
      });

      it('keeps a future message invisible until due and reports it in nextVisibleAt', async () => {
        const store = await fresh();
        await runTo(store, 'a', 'Running');
        expect(await store.nextVisibleAt()).toBeUndefined();
        const due = new Date(Date.now() + 300).toISOString();
        await store.enqueueMessages([{ instanceId: 'a', event: raised('timer'), visibleAt: due }]);
        expect(await store.claimOrchestrations('w1', 10, 10_000)).toEqual([]);
        expect(await store.nextVisibleAt()).toBe(due);
        await new Promise((r) => setTimeout(r, 350));
        const claimed = await claimOne(store, 'w1', 'a');
        expect(claimed.messages.map((m) => [m.event.eventType, m.visibleAt])).toEqual([['EventRaised', due]]);
        expect(await store.nextVisibleAt()).toBeUndefined();
      });

      it('delays a scheduled start until its visibleAt', async () => {
        const store = await fresh();
        // Far enough ahead that a busy machine still claims before it is due; then wait for the due time itself.
        const due = Date.now() + 1500;
        await store.createInstance(newInstance('later', { visibleAt: new Date(due).toISOString() }));
        expect(await store.claimOrchestrations('w1', 10, 10_000)).toEqual([]);
        expect(await store.nextVisibleAt()).toBeDefined();
        while (Date.now() <= due) await new Promise((r) => setTimeout(r, due + 1 - Date.now()));
        await claimOne(store, 'w1', 'later');
      });

      it('a claim takes only due messages and leaves future ones for later', async () => {
        const store = await fresh();
        await runTo(store, 'a', 'Running');
        await store.enqueueMessages([
          { instanceId: 'a', event: raised('now') },
          { instanceId: 'a', event: raised('later'), visibleAt: new Date(Date.now() + 60_000).toISOString() },
        ]);
        const claimed = await claimOne(store, 'w1', 'a');
        expect(claimed.messages.map((m) => m.event)).toEqual([raised('now')]);
      });
    });

    storeClaimTests(fresh);
    storeEntityTests(fresh);
    storeLeaseTests(fresh);
    storeQueryTests(fresh);
    storeSearchTests(fresh);
    storeTimerTests(fresh);
    storeBacklogTests(fresh);

    it('keeps two task hubs in one database apart', async () => {
      const one = await fresh();
      const two = await fresh();
      expect(one.hubName).not.toBe(two.hubName);
      await one.createInstance(newInstance('same'));
      await two.createInstance(newInstance('same', { executionId: 'same-two' }));
      await runTo(one, 'only-one', 'Completed');
      const claimed = await claimOne(one, 'w1', 'same');
      await one.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(claimed, { runtimeStatus: 'Completed' })],
        activityCompletions: [],
      });
      expect(await two.getInstance('same')).toMatchObject({ executionId: 'same-two', runtimeStatus: 'Pending' });
      expect(await two.getInstance('only-one')).toBeUndefined();
      expect(await two.getHistory('same')).toEqual([]);
      expect((await two.queryInstances({})).instances.map((i) => i.instanceId)).toEqual(['same']);
      expect(await two.purgeInstances({})).toBe(0);
      expect(await one.lockHolders()).toEqual([]);
      const [other] = await two.claimOrchestrations('w2', 10, 10_000);
      expect(other?.instance.executionId).toBe('same-two');
      expect(await one.lockHolders()).toEqual([]);
      expect(await two.lockHolders()).toEqual(['w2']);
      expect(await one.purgeInstances({})).toBe(2);
      expect(await two.getInstance('same')).toBeDefined();
    });
  });
}
