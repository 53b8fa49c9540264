// Writes a task hub the way crashes and neglect leave one, through the Store contract only (so SQLite and PostgreSQL
// get the same rows): an instance never started, one stuck on a work item that was lost, one waiting for an event
// nobody raises, leases of a worker that died, a work item that kept ending its worker, an entity locked by an
// orchestration that is gone, an oversized input, and a healthy one waiting for a timer (which must not be reported).
import type { HistoryEvent } from '../../src/core/history.js';
import type { Store } from '../../src/store/store.js';

export const IDS = {
  neverStarted: 'never-started',
  stuck: 'stuck-greet',
  waiting: 'waits-for-go',
  timer: 'waits-for-timer',
  deadLease: 'dead-lease',
  poisoned: 'poisoned',
  big: 'big-input',
  entity: '@counter@locked',
  lockOwner: 'gone-owner',
  lockId: 'lock-1',
} as const;

const iso = () => new Date().toISOString();

function started(name: string, instanceId: string, input?: unknown): HistoryEvent {
  return {
    eventType: 'ExecutionStarted',
    eventId: -1,
    timestamp: iso(),
    name,
    instanceId,
    executionId: `${instanceId}-x`,
    ...(input === undefined ? {} : { input: JSON.stringify(input) }),
  };
}

export async function create(store: Store, name: string, instanceId: string, input?: unknown): Promise<void> {
  await store.createInstance({
    instanceId,
    executionId: `${instanceId}-x`,
    name,
    ...(input === undefined ? {} : { input: JSON.stringify(input) }),
    startEvent: started(name, instanceId, input),
  });
}

/** Claims `instanceId` for `worker` and commits one episode: `append` after the start, with what it leaves behind. */
export async function episode(
  store: Store,
  worker: string,
  instanceId: string,
  append: readonly HistoryEvent[],
  extra: { newWorkItems?: { taskScheduledId: number; name: string; input?: string }[]; timerAt?: string } = {},
): Promise<void> {
  const claimed = await store.claimOrchestrations(worker, 50, 60_000);
  const mine = claimed.find((c) => c.instance.instanceId === instanceId);
  if (!mine) throw new Error(`could not claim ${instanceId}`);
  const others = claimed.filter((c) => c !== mine).map((c) => c.instance.instanceId);
  if (others.length > 0) await store.releaseInstances(worker, others);
  const events = [
    { eventType: 'OrchestratorStarted', eventId: -1, timestamp: iso() } as HistoryEvent,
    ...mine.messages.map((m) => m.event),
    ...append,
  ];
  await store.commit({
    workerId: worker,
    leaseMs: 60_000,
    activityCompletions: [],
    episodes: [
      {
        instanceId,
        executionId: mine.instance.executionId,
        expectedHistoryLength: mine.instance.historyLength,
        append: events,
        runtimeStatus: 'Running',
        consumedMessageIds: mine.messages.map((m) => m.id),
        completedWorkItems: [],
        newWorkItems: extra.newWorkItems ?? [],
        newMessages: extra.timerAt
          ? [
              {
                instanceId,
                executionId: mine.instance.executionId,
                visibleAt: extra.timerAt,
                event: { eventType: 'TimerFired', eventId: -1, timestamp: iso(), timerId: 1, fireAt: extra.timerAt },
              },
            ]
          : [],
        newInstances: [],
        keepLock: false,
      },
    ],
  });
}

/** Every condition doctor looks for, in one hub. The input of IDS.big is `bigBytes` long. */
export async function writeCrashedHub(store: Store, bigBytes = 4096): Promise<void> {
  // Stuck: Greet scheduled SayHello, and the work item was lost (the commit that made it never reached the store
  // whole, or the row was deleted): its history waits for an answer nothing will ever send.
  await create(store, 'Greet', IDS.stuck, 'ann');
  await episode(store, 'w-1', IDS.stuck, [
    { eventType: 'TaskScheduled', eventId: 0, timestamp: iso(), name: 'SayHello', input: '"ann"' },
  ]);

  // Waiting for an event: Waits ran its first episode (waitForExternalEvent records nothing) and nobody raised Go.
  await create(store, 'Waits', IDS.waiting);
  await episode(store, 'w-1', IDS.waiting, []);

  // Healthy: a timer due in an hour (its TimerFired message is stored).
  const fireAt = new Date(Date.now() + 3_600_000).toISOString();
  await create(store, 'Waits', IDS.timer);
  await episode(store, 'w-1', IDS.timer, [{ eventType: 'TimerCreated', eventId: 0, timestamp: iso(), fireAt }], {
    timerAt: fireAt,
  });

  // A work item delivered 5 times, each delivery ending its worker (claimed, never completed).
  await create(store, 'Greet', IDS.poisoned, 'bob');
  await episode(
    store,
    'w-1',
    IDS.poisoned,
    [{ eventType: 'TaskScheduled', eventId: 0, timestamp: iso(), name: 'SayHello', input: '"bob"' }],
    { newWorkItems: [{ taskScheduledId: 0, name: 'SayHello', input: '"bob"' }] },
  );
  for (let i = 0; i < 5; i++) {
    const [item] = await store.claimWorkItems(`crashing-${i}`, 1, 60_000);
    if (!item) throw new Error('no work item to claim');
    await store.abandonWorkItem(`crashing-${i}`, item);
  }

  // An entity whose lock belongs to an orchestration that no longer exists (purged while it held the lock).
  await store.enqueueMessages([
    {
      instanceId: IDS.entity,
      event: {
        eventType: 'EventRaised',
        eventId: -1,
        timestamp: iso(),
        name: 'op',
        input: JSON.stringify({ id: 'signal-1', op: 'add', signal: true, input: '1' }),
      },
    },
  ]);
  const claimedEntity = (await store.claimOrchestrations('w-1', 50, 60_000)).find(
    (c) => c.instance.instanceId === IDS.entity,
  );
  if (!claimedEntity) throw new Error('could not claim the entity');
  await store.commit({
    workerId: 'w-1',
    leaseMs: 60_000,
    activityCompletions: [],
    episodes: [
      {
        instanceId: IDS.entity,
        executionId: claimedEntity.instance.executionId,
        expectedHistoryLength: claimedEntity.instance.historyLength,
        append: [],
        runtimeStatus: 'Running',
        entityState: JSON.stringify({
          exists: true,
          state: '1',
          lock: { owner: IDS.lockOwner, id: IDS.lockId },
          recent: ['signal-1'],
        }),
        consumedMessageIds: claimedEntity.messages.map((m) => m.id),
        completedWorkItems: [],
        newWorkItems: [],
        newMessages: [],
        newInstances: [],
        keepLock: false,
      },
    ],
  });
  await store.releaseLocks('w-1');

  // An oversized input (Pending, started in the future so it is not "never started" too).
  await store.createInstance({
    instanceId: IDS.big,
    executionId: `${IDS.big}-x`,
    name: 'Greet',
    input: JSON.stringify('x'.repeat(bigBytes)),
    startEvent: started('Greet', IDS.big, 'big'),
    visibleAt: new Date(Date.now() + 3_600_000).toISOString(),
  });

  // A worker that died holding a lease: it claimed with a 1 ms lease and was never heard of again.
  await create(store, 'Greet', IDS.deadLease, 'dan');
  const claimed = await store.claimOrchestrations('dead-worker', 50, 1);
  if (claimed.map((c) => c.instance.instanceId).join() !== IDS.deadLease) throw new Error('unexpected claim');

  // Pending: created, and no worker ever ran its start message (created last, so no claim above saw it).
  await create(store, 'Greet', IDS.neverStarted, 'nobody');
}

/** Only a Waits instance that ran its first episode and waits for Go. */
export async function writeWaitingInstance(store: Store): Promise<void> {
  await create(store, 'Waits', IDS.waiting);
  await episode(store, 'w-1', IDS.waiting, []);
}
