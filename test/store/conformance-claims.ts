// Conformance: what a claim hands out and what a commit keeps. Claim order and fairness, every visible message of an
// instance, FIFO work items with delivery counts, fields an episode leaves alone, failure details, messages of an
// ended instance, rewind (history replaced within one execution), and one failing call among concurrent ones.
import { describe, expect, it } from 'vitest';
import type { FailureDetails } from '../../src/core/history.js';
import type { NewWorkItem, Store } from '../../src/store/store.js';
import {
  claimOne,
  completed,
  episode,
  ids,
  newInstance,
  raised,
  runTo,
  scheduled,
  sleep,
} from './conformance-helpers.js';

const boom: FailureDetails = {
  errorType: 'TypeError',
  errorMessage: 'boom',
  stackTrace: 'TypeError: boom\n    at act (act.js:1:1)',
  details: '{"code":42}',
  innerFailure: { errorType: 'Error', errorMessage: 'cause' },
  isNonRetriable: true,
};

/** Commits one episode for `instanceId` (claimed by `workerId`) with the given fields. */
async function commitEpisode(
  store: Store,
  instanceId: string,
  extra: Parameters<typeof episode>[1] = {},
  workerId = 'w1',
): Promise<readonly string[]> {
  const claimed = await claimOne(store, workerId, instanceId);
  const result = await store.commit({
    workerId,
    leaseMs: 10_000,
    episodes: [episode(claimed, extra)],
    activityCompletions: [],
  });
  return result.rejectedEpisodes;
}

/**
 * Creates `instanceId`, claims it as w1 and commits an episode that schedules `items`: the starting point of the
 * work-item tests.
 */
async function scheduleWorkItems(
  store: Store,
  instanceId: string,
  items: readonly NewWorkItem[],
  leaseMs = 10_000,
): Promise<void> {
  await store.createInstance(newInstance(instanceId));
  const claimed = await claimOne(store, 'w1', instanceId);
  await store.commit({
    workerId: 'w1',
    leaseMs,
    episodes: [
      episode(claimed, {
        append: [...episode(claimed).append, ...items.map((w) => scheduled(w.taskScheduledId))],
        newWorkItems: items,
      }),
    ],
    activityCompletions: [],
  });
}

/**
 * Claims with `claim` until it returns something: a lease held by a worker that "died" expires on the store's clock,
 * so the test waits for that state instead of sleeping for the lease and hoping.
 */
async function claimOnceExpired<T>(claim: () => Promise<readonly T[]>): Promise<readonly T[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const claimed = await claim();
    if (claimed.length > 0) return claimed;
    if (Date.now() > deadline) throw new Error('the lease never expired');
    await sleep(20);
  }
}

export function storeClaimTests(fresh: () => Promise<Store>): void {
  describe('claims', () => {
    it('hands out instances oldest message first, each with all its visible messages in arrival order', async () => {
      const store = await fresh();
      for (const id of ['b', 'a', 'c']) await store.createInstance(newInstance(id));
      const events = Array.from({ length: 40 }, (_, i) => raised(`e${i}`, String(i)));
      expect(await store.enqueueMessages(events.map((event) => ({ instanceId: 'a', event })))).toBe(40);
      const [first] = await store.claimOrchestrations('w1', 1, 10_000);
      expect(first?.instance.instanceId).toBe('b');
      const rest = await store.claimOrchestrations('w1', 10, 10_000, new Set(['b']));
      expect(ids(rest)).toEqual(['a', 'c']);
      const a = rest.find((c) => c.instance.instanceId === 'a');
      expect(a?.messages.map((m) => m.event)).toEqual([a?.messages[0]?.event, ...events]);
      expect(a?.messages[0]?.event.eventType).toBe('ExecutionStarted');
      const msgIds = a?.messages.map((m) => m.id) ?? [];
      expect(new Set(msgIds).size).toBe(41);
      expect([...msgIds].sort((x, y) => x - y)).toEqual(msgIds);
    });

    it('an excluded instance with a long backlog does not hide the instances behind it', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('hot'));
      // The worker holds 'hot' (an episode in flight) while events keep arriving for it.
      await claimOne(store, 'w1', 'hot');
      const backlog = Array.from({ length: 300 }, (_, i) => ({ instanceId: 'hot', event: raised(`e${i}`) }));
      expect(await store.enqueueMessages(backlog)).toBe(300);
      await store.createInstance(newInstance('cold1'));
      await store.createInstance(newInstance('cold2'));
      const busy = new Set(['hot']);
      expect(ids(await store.claimOrchestrations('w1', 1, 10_000, busy))).toEqual(['cold1']);
      await store.releaseInstances('w1', ['cold1']);
      expect(ids(await store.claimOrchestrations('w1', 5, 10_000, busy))).toEqual(['cold1', 'cold2']);
      // Without the exclusion the holder gets 'hot' again, with the whole backlog.
      const [hot] = await store.claimOrchestrations('w1', 1, 10_000);
      expect(hot?.instance.instanceId).toBe('hot');
      expect(hot?.messages).toHaveLength(301);
    });

    it('work items are claimed first in, first out; deliveryCount counts earlier deliveries', async () => {
      const store = await fresh();
      await scheduleWorkItems(
        store,
        'a',
        [2, 0, 1].map((taskScheduledId) => ({ taskScheduledId, name: `Act${taskScheduledId}` })),
      );
      const first = await store.claimWorkItems('w1', 2, 80);
      expect(first.map((w) => [w.taskScheduledId, w.name, w.deliveryCount])).toEqual([
        [2, 'Act2', 0],
        [0, 'Act0', 0],
      ]);
      expect((await store.claimWorkItems('w2', 10, 80)).map((w) => w.taskScheduledId)).toEqual([1]);
      await sleep(120);
      const second = await store.claimWorkItems('w3', 10, 80);
      expect(second.map((w) => w.taskScheduledId).sort()).toEqual([0, 1, 2]);
      expect(second.every((w) => w.deliveryCount === 1)).toBe(true);
      await sleep(120);
      expect((await store.claimWorkItems('w4', 10, 10_000)).map((w) => w.deliveryCount)).toEqual([2, 2, 2]);
    });

    it('counts the owners an instance had since its last committed episode (poison detection)', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('p'));
      const [first] = await store.claimOrchestrations('w1', 10, 80);
      expect(first?.deliveryCount).toBe(1);
      // The same worker claiming again what it holds is not a new delivery.
      await store.enqueueMessages([{ instanceId: 'p', event: raised('again', '1') }]);
      expect((await store.claimOrchestrations('w1', 10, 80))[0]?.deliveryCount).toBe(1);
      // w1 died without committing: w2 is the second owner, then w3 the third.
      expect((await claimOnceExpired(() => store.claimOrchestrations('w2', 10, 80)))[0]?.deliveryCount).toBe(2);
      const third = await claimOnceExpired(() => store.claimOrchestrations('w3', 10, 10_000));
      expect(third[0]?.deliveryCount).toBe(3);
      await store.commit({ workerId: 'w3', leaseMs: 10_000, episodes: [episode(third[0]!)], activityCompletions: [] });
      await store.enqueueMessages([{ instanceId: 'p', event: raised('later', '2') }]);
      expect((await store.claimOrchestrations('w4', 10, 10_000))[0]?.deliveryCount).toBe(1);
    });

    it('a terminated instance drops its work items, queued or claimed; a late completion is then dropped', async () => {
      const store = await fresh();
      await scheduleWorkItems(
        store,
        't',
        [0, 1].map((taskScheduledId) => ({ taskScheduledId, name: 'Act' })),
      );
      const [running] = await store.claimWorkItems('w2', 1, 10_000);
      expect(running?.taskScheduledId).toBe(0);
      await store.enqueueMessages([{ instanceId: 't', event: raised('stop', '1') }]);
      const again = await claimOne(store, 'w1', 't');
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          { ...episode(again), runtimeStatus: 'Terminated', deletePendingMessages: true, deleteWorkItems: true },
        ],
        activityCompletions: [],
      });
      await store.commit({
        workerId: 'w2',
        leaseMs: 10_000,
        episodes: [],
        activityCompletions: [{ workItem: running!, event: completed(0, '"late"') }],
      });
      expect(await store.claimWorkItems('w3', 10, 10_000)).toEqual([]);
      expect(await store.claimOrchestrations('w3', 10, 10_000)).toEqual([]);
    });

    it('work items of a suspended instance wait until it is resumed', async () => {
      const store = await fresh();
      await scheduleWorkItems(store, 's', [{ taskScheduledId: 0, name: 'Act' }]);
      await store.enqueueMessages([{ instanceId: 's', event: raised('pause', '1') }]);
      const running = await claimOne(store, 'w1', 's');
      const setStatus = (status: 'Suspended' | 'Running', from: typeof running): Promise<unknown> =>
        store.commit({
          workerId: 'w1',
          leaseMs: 10_000,
          episodes: [{ ...episode(from), runtimeStatus: status }],
          activityCompletions: [],
        });
      await setStatus('Suspended', running);
      expect(await store.claimWorkItems('w2', 10, 10_000)).toEqual([]);
      await store.enqueueMessages([{ instanceId: 's', event: raised('resume', '2') }]);
      await setStatus('Running', await claimOne(store, 'w1', 's'));
      expect((await store.claimWorkItems('w2', 10, 10_000)).map((w) => w.taskScheduledId)).toEqual([0]);
    });

    it('a work item handed back as undelivered does not count that claim', async () => {
      const store = await fresh();
      await scheduleWorkItems(store, 'u', [{ taskScheduledId: 0, name: 'Act' }]);
      const [first] = await store.claimWorkItems('w1', 10, 10_000);
      await store.abandonWorkItem('w1', first!, { undelivered: true });
      const [second] = await store.claimWorkItems('w2', 10, 10_000);
      expect(second?.deliveryCount).toBe(0);
      await store.abandonWorkItem('w2', second!);
      expect((await store.claimWorkItems('w3', 10, 10_000))[0]?.deliveryCount).toBe(1);
    });

    it('counts a work item stored locked for its worker (a local run) as delivered once', async () => {
      const store = await fresh();
      await scheduleWorkItems(store, 'a', [{ taskScheduledId: 0, name: 'Act', lockedBy: 'w1' }], 80);
      // w1 died during its local run: once its lease is over, the next delivery reports one before it.
      const next = await claimOnceExpired(() => store.claimWorkItems('w2', 10, 10_000));
      expect(next.map((w) => w.deliveryCount)).toEqual([1]);
    });

    it('an activity completion reaches the instance as a message of the work item execution', async () => {
      const store = await fresh();
      await scheduleWorkItems(store, 'a', [{ taskScheduledId: 0, name: 'Act' }]);
      const [item] = await store.claimWorkItems('w2', 10, 10_000);
      expect(item).toBeDefined();
      await store.commit({
        workerId: 'w2',
        leaseMs: 10_000,
        episodes: [],
        activityCompletions: [{ workItem: item!, event: completed(0, '"r"') }],
      });
      const next = await claimOne(store, 'w1', 'a');
      expect(next.messages.map((m) => [m.executionId, m.event])).toEqual([['a-e1', completed(0, '"r"')]]);
      expect(await store.lockHolders()).toEqual(['w1']);
    });
  });

  describe('episode fields', () => {
    it('keeps input and custom status an episode leaves undefined; stores failure details intact', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('a'));
      expect(await commitEpisode(store, 'a', { customStatus: '{"step":1}' })).toEqual([]);
      await store.enqueueMessages([{ instanceId: 'a', event: raised('go') }]);
      expect(await commitEpisode(store, 'a')).toEqual([]);
      expect(await store.getInstance('a')).toMatchObject({ input: '"in"', customStatus: '{"step":1}' });
      await store.enqueueMessages([{ instanceId: 'a', event: raised('fail') }]);
      expect(await commitEpisode(store, 'a', { runtimeStatus: 'Failed', failureDetails: boom })).toEqual([]);
      const row = await store.getInstance('a');
      expect(row?.runtimeStatus).toBe('Failed');
      expect(row?.failureDetails).toEqual(boom);
      expect(row?.output).toBeUndefined();
      expect(row?.customStatus).toBe('{"step":1}');
      expect(Date.parse(row?.lastUpdatedTime ?? '')).toBeGreaterThanOrEqual(Date.parse(row?.createdTime ?? ''));
      const [queried] = (await store.queryInstances({ instanceIdPrefix: 'a' })).instances;
      expect(queried?.failureDetails).toEqual(boom);
    });

    it('deletePendingMessages drops what arrived for an ended instance, timers included', async () => {
      const store = await fresh();
      await runTo(store, 'a', 'Running');
      await store.enqueueMessages([{ instanceId: 'a', event: raised('x') }]);
      const claimed = await claimOne(store, 'w1', 'a');
      // Arrive while the episode runs: an event, and a timer that will never be wanted.
      await store.enqueueMessages([
        { instanceId: 'a', event: raised('y') },
        { instanceId: 'a', event: raised('t'), visibleAt: new Date(Date.now() + 60_000).toISOString() },
      ]);
      expect(await store.nextVisibleAt()).toBeDefined();
      const result = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [episode(claimed, { runtimeStatus: 'Completed', output: '1', deletePendingMessages: true })],
        activityCompletions: [],
      });
      expect(result.rejectedEpisodes).toEqual([]);
      expect(await store.claimOrchestrations('w2', 10, 10_000)).toEqual([]);
      expect(await store.nextVisibleAt()).toBeUndefined();
      expect(await store.getInstance('a')).toMatchObject({ runtimeStatus: 'Completed', output: '1' });
    });

    it('replaceHistory without a new execution rewrites the history of the same execution (rewind)', async () => {
      const store = await fresh();
      await runTo(store, 'r', 'Failed');
      expect((await store.getHistory('r')).length).toBe(2);
      await store.enqueueMessages([{ instanceId: 'r', event: raised('rewind') }]);
      const claimed = await claimOne(store, 'w1', 'r');
      const rewritten = [...episode(claimed).append, scheduled(0)];
      const result = await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(claimed, {
            append: rewritten,
            replaceHistory: true,
            runtimeStatus: 'Running',
            newWorkItems: [{ taskScheduledId: 0, name: 'Act' }],
          }),
        ],
        activityCompletions: [],
      });
      expect(result.rejectedEpisodes).toEqual([]);
      expect(await store.getHistory('r')).toEqual(rewritten);
      const row = await store.getInstance('r');
      expect(row).toMatchObject({ executionId: 'r-e1', runtimeStatus: 'Running', historyLength: rewritten.length });
      expect(row?.output).toBeUndefined();
      expect(row?.failureDetails).toBeUndefined();
      expect((await store.claimWorkItems('w1', 10, 10_000)).map((w) => [w.executionId, w.taskScheduledId])).toEqual([
        ['r-e1', 0],
      ]);
    });
  });

  describe('concurrent calls', () => {
    it('one failing call rejects alone; the calls issued beside it take effect', async () => {
      const store = await fresh();
      await store.createInstance(newInstance('taken'));
      const outcomes = await Promise.allSettled([
        store.createInstance(newInstance('b')),
        store.createInstance(newInstance('taken', { executionId: 'taken-e2' })),
        store.createInstance(newInstance('c')),
        store.enqueueMessages([{ instanceId: 'taken', event: raised('still') }]),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const failed = outcomes[1];
      expect(failed?.status === 'rejected' ? failed.reason : undefined).toMatchObject({ code: 'INSTANCE_EXISTS' });
      expect(String((failed as PromiseRejectedResult).reason)).toMatch(/taken.*Pending/);
      expect((await store.getInstance('taken'))?.executionId).toBe('taken-e1');
      expect(ids(await store.claimOrchestrations('w1', 10, 10_000))).toEqual(['b', 'c', 'taken']);
    });
  });
}
