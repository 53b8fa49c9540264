// Local activities kept in the instance row (Store.localWorkInRow, migration 11), on a real SQLite file and a real
// PostgreSQL: a commit stores no work item for them, and every way a lock is given up or taken over turns them into
// ordinary unclaimed work items, once, with the delivery count a lost run deserves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { LocalWorkItem, Store, WorkItem } from '../../src/store/store.js';
import { until } from '../until.js';
import { claimOne, episode, newInstance, raised, scheduled } from './conformance-helpers.js';
import { startPgServer, type PgServer } from './pg-server.js';

const dir = mkdtempSync(join(tmpdir(), 'taskhub-local-work-'));
let server: PgServer | undefined;
const open: Store[] = [];
let hubs = 0;

beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  for (const s of open) await s.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const stores: [string, () => Store][] = [
  ['SQLite', () => openSqliteStore({ path: join(dir, `hub${++hubs}.db`) })],
  [
    'PostgreSQL',
    () => {
      if (!server) throw new Error('PostgreSQL did not start');
      return openPostgresStore({ connectionString: server.connectionString, hubName: `LocalWork${++hubs}` });
    },
  ],
];

const STEP: LocalWorkItem = { taskScheduledId: 0, name: 'Act', input: '{"n":1}' };

describe.each(stores)('local work in the instance row on %s', (_name, make) => {
  const fresh = async (): Promise<Store> => {
    const store = make();
    open.push(store);
    await store.migrate();
    expect(store.localWorkInRow).toBe(true);
    return store;
  };

  /** Creates `id` and commits a first episode by `worker` that starts `local` and keeps the lock for `leaseMs`. */
  async function running(store: Store, id: string, worker: string, local = [STEP], leaseMs = 10_000) {
    await store.createInstance(newInstance(id));
    const claimed = await claimOne(store, worker, id);
    const result = await store.commit({
      workerId: worker,
      leaseMs,
      episodes: [
        episode(claimed, {
          append: [...episode(claimed).append, ...local.map((w) => scheduled(w.taskScheduledId, w.name))],
          keepLock: true,
          localWork: local,
        }),
      ],
      activityCompletions: [],
    });
    expect(result.rejectedEpisodes).toEqual([]);
    return (await store.getInstance(id))!;
  }

  const claimItems = (store: Store, worker = 'runner'): Promise<WorkItem[]> =>
    store.claimWorkItems(worker, 100, 10_000);
  const summary = (items: readonly WorkItem[]) =>
    items.map((w) => ({ id: w.instanceId, task: w.taskScheduledId, name: w.name, input: w.input, n: w.deliveryCount }));

  it('a commit stores no work item for local work, and the next commit replaces the list', async () => {
    const store = await fresh();
    await running(store, 'a', 'w1', [STEP, { taskScheduledId: 1, name: 'Other' }]);
    expect((await store.backlog?.())?.workItems).toBe(0);
    expect(await claimItems(store)).toEqual([]);
    // Task 0's result consumed in memory: only task 1 is left in flight.
    const again = await claimOne(store, 'w1', 'a').catch(() => undefined);
    expect(again).toBeUndefined(); // no message: nothing to claim, the lock stays w1's
    const row = (await store.getInstance('a'))!;
    const result = await store.commit({
      workerId: 'w1',
      leaseMs: 10_000,
      episodes: [
        {
          ...episode({ instance: row, messages: [], lockedUntil: '', deliveryCount: 0 }),
          keepLock: true,
          localWork: [{ taskScheduledId: 1, name: 'Other' }],
        },
      ],
      activityCompletions: [],
    });
    expect(result.rejectedEpisodes).toEqual([]);
    await store.releaseLocks('w1');
    expect(summary(await claimItems(store))).toEqual([{ id: 'a', task: 1, name: 'Other', input: undefined, n: 1 }]);
  });

  it('releaseLocks turns local work into work items once, counting the lost delivery unless undelivered', async () => {
    const store = await fresh();
    await running(store, 'dead', 'w-dead');
    await running(store, 'stopped', 'w-stop');
    await store.releaseLocks('w-dead');
    await store.releaseLocks('w-stop', { undelivered: true });
    // Released twice: nothing is converted twice.
    await store.releaseLocks('w-dead');
    const items = summary(await claimItems(store)).sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(items).toEqual([
      { id: 'dead', task: 0, name: 'Act', input: '{"n":1}', n: 1 },
      { id: 'stopped', task: 0, name: 'Act', input: '{"n":1}', n: 0 },
    ]);
    expect(await store.lockHolders()).toEqual(['runner']);
  });

  it('releaseInstances turns the local work of the instances it frees into work items', async () => {
    const store = await fresh();
    await running(store, 'a', 'w1');
    await running(store, 'b', 'w1');
    await store.releaseInstances('w2', ['a']); // not the holder: nothing happens
    expect(await claimItems(store)).toEqual([]);
    await store.releaseInstances('w1', ['a']);
    expect(summary(await claimItems(store))).toEqual([{ id: 'a', task: 0, name: 'Act', input: '{"n":1}', n: 1 }]);
    expect(await store.lockHolders()).toEqual(expect.arrayContaining(['w1', 'runner']));
  });

  it('a claim that takes over an expired lock converts the old local work; the old owner is rejected', async () => {
    const store = await fresh();
    const before = await running(store, 'a', 'w1', [STEP], 1);
    await store.enqueueMessages([{ instanceId: 'a', event: raised('go') }]);
    let taken: Awaited<ReturnType<Store['claimOrchestrations']>> = [];
    await until(async () => (taken = await store.claimOrchestrations('w2', 10, 10_000)).length > 0, {
      what: "w1's lease to expire and w2 to claim",
    });
    expect(taken[0]?.deliveryCount).toBe(1);
    expect(summary(await claimItems(store))).toEqual([{ id: 'a', task: 0, name: 'Act', input: '{"n":1}', n: 1 }]);
    // The old owner's commit of its local result is rejected: it no longer holds the lock.
    const late = await store.commit({
      workerId: 'w1',
      leaseMs: 10_000,
      episodes: [{ ...episode({ instance: before, messages: [], lockedUntil: '', deliveryCount: 0 }), localWork: [] }],
      activityCompletions: [],
    });
    expect(late.rejectedEpisodes).toEqual(['a']);
    // The new owner's own commit writes its own list; the old one is not converted again.
    const claimed = taken[0]!;
    const ok = await store.commit({
      workerId: 'w2',
      leaseMs: 10_000,
      episodes: [episode(claimed, { localWork: [] })],
      activityCompletions: [],
    });
    expect(ok.rejectedEpisodes).toEqual([]);
    await store.releaseLocks('w2');
    expect(await claimItems(store, 'runner2')).toEqual([]);
  });

  it('recoverLocalWork frees expired locks with local work, and leaves live ones and its own alone', async () => {
    const store = await fresh();
    await running(store, 'expired', 'w1', [STEP], 1);
    await running(store, 'live', 'w1', [STEP], 60_000);
    await running(store, 'mine', 'w2', [STEP], 1);
    await until(async () => (await store.recoverLocalWork!('w2')) === 1, { what: "w1's short lease to expire" });
    expect(await store.recoverLocalWork!('w2')).toBe(0);
    expect(summary(await claimItems(store))).toEqual([{ id: 'expired', task: 0, name: 'Act', input: '{"n":1}', n: 1 }]);
    expect((await store.lockHolders()).sort()).toEqual(['runner', 'w1', 'w2']);
  });

  it('doctor: local work under a live lock is running; under an expired lock it is an expired lease, not stuck', async () => {
    const store = await fresh();
    await running(store, 'live', 'w1', [STEP], 60_000);
    await running(store, 'expired', 'w2', [STEP], 1);
    const options = {
      pendingOlderThanMs: 60_000,
      maxDeliveryCount: 5,
      maxHistoryEvents: 10_000,
      maxPayloadBytes: 1e6,
      limit: 100,
    };
    let scan = await store.doctorScan!(options);
    await until(async () => (scan = await store.doctorScan!(options)).expiredLeases.count > 0, {
      what: "w2's short lease to expire",
    });
    expect(scan.idle.rows.map((r) => r.instanceId)).toEqual([]);
    expect(scan.expiredLeases.rows.map((r) => [r.kind, r.instanceId, r.workerId])).toEqual([
      ['instance', 'expired', 'w2'],
    ]);
  });

  it('a recreated instance drops the local work of its earlier run', async () => {
    const store = await fresh();
    const row = await running(store, 'a', 'w1');
    const done = await store.commit({
      workerId: 'w1',
      leaseMs: 10_000,
      episodes: [
        {
          ...episode({ instance: row, messages: [], lockedUntil: '', deliveryCount: 0 }),
          runtimeStatus: 'Completed',
          output: '1',
          keepLock: true,
          localWork: [STEP],
        },
      ],
      activityCompletions: [],
    });
    expect(done.rejectedEpisodes).toEqual([]);
    await store.createInstance(newInstance('a', { executionId: 'a-e2' }));
    await store.releaseLocks('w1');
    expect(await claimItems(store)).toEqual([]);
  });
});
