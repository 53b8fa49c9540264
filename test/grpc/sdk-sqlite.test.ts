// The official Durable Task SDK (@microsoft/durabletask-js) as client and worker of a Taskhub hub on SQLite, over
// Taskhub's gRPC endpoint; the same instances seen through the HTTP management API.
import * as grpc from '@grpc/grpc-js';
import {
  EntityInstanceId,
  OrchestrationStatus,
  PurgeInstanceCriteria,
  terminateOptions,
} from '@microsoft/durabletask-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidecarClientConstructor } from '../../src/grpc/proto.js';
import { until } from '../until.js';
import { startHarness, type GrpcHarness } from './harness.js';
import {
  approvalTree,
  awaitApproval,
  countdown,
  countingOrchestration,
  failingOrchestration,
  helloCities,
  lockedRead,
  lockedTransfer,
  notifier,
  parentOfCities,
  registerAll,
  retrying,
  rewindable,
  throwsOnce,
  timerThenApproval,
  versioned,
} from './orchestrations.js';

const CITIES = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!', 'Hello Paris!', 'Hello Oslo!', 'Hello Lima!'];

let h: GrpcHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.worker(registerAll);
});

afterAll(async () => {
  await h.close();
});

async function httpStatus(instanceId: string, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.http.url}/runtime/webhooks/durabletask/instances/${instanceId}${query}`);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('the official SDK against a Taskhub hub over gRPC (SQLite)', () => {
  it('runs a chain and a fan-out of activities, and the HTTP management API shows the same instance', async () => {
    const id = await h.client.scheduleNewOrchestration(helloCities, undefined, 'cities-1');
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toEqual(CITIES);

    const { status, body } = await httpStatus(id, '?showHistory=true');
    expect(status).toBe(200);
    expect(body.runtimeStatus).toBe('Completed');
    expect(body.name).toBe('helloCities');
    expect(body.output).toEqual(CITIES);
    const history = body.historyEvents as { EventType: string }[];
    expect(history.filter((e) => e.EventType === 'TaskCompleted')).toHaveLength(6);
  });

  it('runs sub-orchestrations under their parent, with a custom status', async () => {
    const id = await h.client.scheduleNewOrchestration(parentOfCities, undefined, 'parent-1');
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe(12);
    expect(JSON.parse(state?.serializedCustomStatus ?? 'null')).toBe('halfway');
    const child = await httpStatus('parent-1-b');
    expect(child.body.runtimeStatus).toBe('Completed');
    expect(child.body.output).toEqual(CITIES);
    expect((await h.hub.store.getInstance('parent-1-a'))?.parentInstanceId).toBe('parent-1');
  });

  it('continues as new until done, keeping the instance id', async () => {
    const id = await h.client.scheduleNewOrchestration(countdown, 3, 'countdown-1');
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe('liftoff');
    expect(JSON.parse(state?.serializedInput ?? 'null')).toBe(0);
  });

  it('retries a failing activity with the retry policy of the SDK', async () => {
    const id = await h.client.scheduleNewOrchestration(retrying);
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe('succeeded on attempt 3');
    const history = await h.hub.store.getHistory(id);
    expect(history.filter((e) => e.eventType === 'TaskFailed')).toHaveLength(2);
  });

  it('delivers an event one orchestration sends to another', async () => {
    const target = await h.client.scheduleNewOrchestration(awaitApproval);
    await h.client.waitForOrchestrationStart(target, false, 60);
    const sender = await h.client.scheduleNewOrchestration(notifier, target);
    const state = await h.client.waitForOrchestrationCompletion(target, true, 60);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe('from the notifier');
    expect((await h.client.waitForOrchestrationCompletion(sender, true, 60))?.runtimeStatus).toBe(
      OrchestrationStatus.COMPLETED,
    );
  });

  it('records the version an orchestration is started with, for the SDK to read', async () => {
    const id = await h.client.scheduleNewOrchestration(versioned, undefined, { version: '2.1' });
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe('2.1');
  });

  it('fires a durable timer and delivers an external event raised by the client', async () => {
    const id = await h.client.scheduleNewOrchestration(timerThenApproval, 300);
    // The event may arrive before the orchestration waits for it: Durable Task buffers it.
    await h.client.waitForOrchestrationStart(id, false, 60);
    await h.client.raiseOrchestrationEvent(id, 'approve', { by: 'ada' });
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    const output = JSON.parse(state?.serializedOutput ?? 'null') as { approval: unknown; waitedMs: number };
    expect(output.approval).toEqual({ by: 'ada' });
    expect(output.waitedMs).toBeGreaterThanOrEqual(300);
    const history = await h.hub.store.getHistory(id);
    expect(history.filter((e) => e.eventType === 'TimerFired')).toHaveLength(1);
  });

  it('terminates a waiting instance with a reason', async () => {
    const id = await h.client.scheduleNewOrchestration(awaitApproval);
    await h.client.waitForOrchestrationStart(id, false, 60);
    await h.client.terminateOrchestration(id, 'no longer needed');
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.TERMINATED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe('no longer needed');
    expect((await httpStatus(id)).body.runtimeStatus).toBe('Terminated');
  });

  it('suspends an instance (an event waits in its history) and resumes it', async () => {
    const id = await h.client.scheduleNewOrchestration(awaitApproval);
    await until(async () => (await h.client.getOrchestrationState(id))?.runtimeStatus === OrchestrationStatus.RUNNING, {
      what: 'the instance running',
    });
    await h.client.suspendOrchestration(id);
    await until(
      async () => (await h.client.getOrchestrationState(id))?.runtimeStatus === OrchestrationStatus.SUSPENDED,
      { what: 'the instance suspended' },
    );
    expect((await httpStatus(id)).body.runtimeStatus).toBe('Suspended');
    await h.client.raiseOrchestrationEvent(id, 'approve', 'yes');
    // The event is delivered and recorded, but a suspended orchestration does not act on it.
    await until(async () => (await h.hub.store.getHistory(id)).some((e) => e.eventType === 'EventRaised'), {
      what: 'the event recorded in the history',
    });
    expect((await h.client.getOrchestrationState(id))?.runtimeStatus).toBe(OrchestrationStatus.SUSPENDED);
    await h.client.resumeOrchestration(id);
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe('yes');
  });

  it('fails the instance when an activity throws, with the error in status over gRPC and HTTP', async () => {
    const id = await h.client.scheduleNewOrchestration(failingOrchestration);
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.FAILED);
    expect(state?.failureDetails?.message).toContain('cannot charge the card');
    const { body } = await httpStatus(id);
    expect(body.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(body.output)).toContain('cannot charge the card');
  });

  it('rewinds a failed instance: the failed activity runs again and the instance completes', async () => {
    const id = await h.client.scheduleNewOrchestration(rewindable);
    const failed = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(failed?.runtimeStatus).toBe(OrchestrationStatus.FAILED);
    await h.client.rewindInstance(id, 'fixed the bug');
    // RewindInstance answers once the rewind took effect, so the next wait does not see the old failure.
    expect((await h.hub.store.getInstance(id))?.runtimeStatus).not.toBe('Failed');
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toEqual(['Hello before!', 'attempt 2']);
    const history = await h.hub.store.getHistory(id);
    // The activity that succeeded before the failure is not run again.
    expect(history.filter((e) => e.eventType === 'TaskScheduled')).toHaveLength(2);
  });

  it('runs an SDK entity on signals from the client, and reads its state', async () => {
    const counter = new EntityInstanceId('counter', 'c1');
    await h.client.signalEntity(counter, 'add', 5);
    await h.client.signalEntity(counter, 'add', 7);
    await until(async () => (await h.client.getEntity<number>(counter))?.state === 12, {
      what: 'the counter at 12',
    });
    // The same entity as Taskhub stores it (the HTTP API's and the dashboard's view).
    const res = await fetch(`${h.http.url}/runtime/webhooks/durabletask/entities/counter/c1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toBe(12);
  });

  it('lets an SDK orchestration call an SDK entity and signal it', async () => {
    const id = await h.client.scheduleNewOrchestration(countingOrchestration, 'c2');
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe(3);
    await until(async () => (await h.client.getEntity<number>(new EntityInstanceId('counter', 'c2')))?.state === 4, {
      what: 'the signal applied',
    });
    // The history streams with the entity events the SDK replays.
    const history = await h.client.getOrchestrationHistory(id);
    expect(history.length).toBe((await h.hub.store.getHistory(id)).length);
  });

  it('runs a critical section of an SDK orchestration: locked entities queue other requests until it releases', async () => {
    const a = new EntityInstanceId('counter', 'lk-a');
    const b = new EntityInstanceId('counter', 'lk-b');
    await h.client.signalEntity(a, 'add', 10);
    await until(async () => (await h.client.getEntity<number>(a))?.state === 10, { what: 'lk-a at 10' });

    const transfer = await h.client.scheduleNewOrchestration(lockedTransfer, 'lk', 'transfer-1');
    await until(async () => (await h.client.getEntity<number>(a, false))?.lockedBy === transfer, {
      what: 'lk-a locked by the transfer',
    });
    // While the section holds the locks, a client's signal and another orchestration's lock request wait in the queue.
    await h.client.signalEntity(a, 'add', 5);
    const reader = await h.client.scheduleNewOrchestration(lockedRead, 'lk', 'reader-1');
    await until(async () => (await h.client.getEntity<number>(a, false))?.backlogQueueSize === 2, {
      what: 'the signal and the lock request queued at lk-a',
    });
    expect((await h.client.getEntity<number>(a))?.state).toBe(10);
    expect((await h.client.getOrchestrationState(reader))?.runtimeStatus).toBe(OrchestrationStatus.RUNNING);

    await h.client.raiseOrchestrationEvent(transfer, 'go');
    const moved = await h.client.waitForOrchestrationCompletion(transfer, true, 60);
    expect(moved?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(moved?.serializedOutput ?? 'null')).toBe(10);
    // Released: the queued signal runs (0 + 5), then the reader's section, which sees it.
    const read = await h.client.waitForOrchestrationCompletion(reader, true, 60);
    expect(read?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(read?.serializedOutput ?? 'null')).toBe(5);
    expect((await h.client.getEntity<number>(b))?.state).toBe(10);
    await until(async () => (await h.client.getEntity<number>(a, false))?.lockedBy === undefined, {
      what: 'lk-a released',
    });
    // The history the SDK replays streams back with the lock events.
    const history = await h.client.getOrchestrationHistory(transfer);
    expect(history.length).toBe((await h.hub.store.getHistory(transfer)).length);
  });

  it('releases the locks of an SDK orchestration that ends inside its critical section', async () => {
    const a = new EntityInstanceId('counter', 'lk2-a');
    await h.client.signalEntity(a, 'add', 7);
    await until(async () => (await h.client.getEntity<number>(a))?.state === 7, { what: 'lk2-a at 7' });
    const held = await h.client.scheduleNewOrchestration(lockedTransfer, 'lk2', 'transfer-2');
    await until(async () => (await h.client.getEntity<number>(a, false))?.lockedBy === held, { what: 'lk2-a locked' });
    await h.client.terminateOrchestration(held, 'stop');
    expect((await h.client.waitForOrchestrationCompletion(held, false, 60))?.runtimeStatus).toBe(
      OrchestrationStatus.TERMINATED,
    );
    await until(async () => (await h.client.getEntity<number>(a, false))?.lockedBy === undefined, {
      what: 'lk2-a released by the termination',
    });
    const reader = await h.client.scheduleNewOrchestration(lockedRead, 'lk2', 'reader-2');
    expect(JSON.parse((await h.client.waitForOrchestrationCompletion(reader, true, 60))?.serializedOutput ?? '0')).toBe(
      7,
    );
  });

  it('rewinds an instance whose orchestrator code failed: the code runs again', async () => {
    const id = await h.client.scheduleNewOrchestration(throwsOnce);
    expect((await h.client.waitForOrchestrationCompletion(id, true, 60))?.runtimeStatus).toBe(
      OrchestrationStatus.FAILED,
    );
    await h.client.rewindInstance(id, 'try again');
    // RewindInstance answers once the rewind took effect, so the next wait does not see the old failure.
    expect((await h.hub.store.getInstance(id))?.runtimeStatus).not.toBe('Failed');
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe('recovered');
  });

  it('pages through a query and purges by id and by filter', async () => {
    const ids = ['page-1', 'page-2', 'page-3', 'page-4', 'page-5'];
    const since = new Date(Date.now() - 1000);
    for (const id of ids) await h.client.scheduleNewOrchestration(helloCities, undefined, id);
    for (const id of ids) await h.client.waitForOrchestrationCompletion(id, false, 60);

    const pageSizes: number[] = [];
    const seen: string[] = [];
    for await (const page of h.client.getAllInstances({ instanceIdPrefix: 'page-', pageSize: 2 }).asPages()) {
      pageSizes.push(page.values.length);
      seen.push(...page.values.map((s) => s.instanceId));
    }
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen.sort()).toEqual(ids);

    expect((await h.client.purgeOrchestration('page-1'))?.deletedInstanceCount).toBe(1);
    expect(await h.client.getOrchestrationState('page-1')).toBeUndefined();
    expect((await httpStatus('page-1')).status).toBe(404);

    const criteria = new PurgeInstanceCriteria();
    criteria.setCreatedTimeFrom(since);
    criteria.setRuntimeStatusList([OrchestrationStatus.COMPLETED]);
    const purged = await h.client.purgeOrchestration(criteria);
    expect(purged?.deletedInstanceCount).toBeGreaterThanOrEqual(4);
    for (const id of ids) expect(await h.client.getOrchestrationState(id)).toBeUndefined();
  });

  it('lists instance ids page by page, by status and by completed time', async () => {
    const before = new Date(Date.now() - 1000);
    const ids = ['ids-1', 'ids-2', 'ids-3'];
    for (const id of ids) await h.client.scheduleNewOrchestration(helloCities, undefined, id);
    for (const id of ids) await h.client.waitForOrchestrationCompletion(id, false, 60);
    await h.client.scheduleNewOrchestration(awaitApproval, undefined, 'ids-waiting');
    await h.client.waitForOrchestrationStart('ids-waiting', false, 60);

    const listed: string[] = [];
    const sizes: number[] = [];
    let key: string | undefined;
    do {
      const page = await h.client.listInstanceIds({
        runtimeStatus: [OrchestrationStatus.COMPLETED],
        pageSize: 2,
        ...(key ? { lastInstanceKey: key } : {}),
      });
      sizes.push(page.values.length);
      listed.push(...page.values);
      key = page.continuationToken;
    } while (key);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed).toEqual(expect.arrayContaining(ids));
    expect(listed).not.toContain('ids-waiting');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);

    const running = await h.client.listInstanceIds({ runtimeStatus: [OrchestrationStatus.RUNNING], pageSize: 100 });
    expect(running.values).toContain('ids-waiting');
    expect(running.values).not.toContain('ids-1');

    const inRange = await h.client.listInstanceIds({
      completedTimeFrom: before,
      completedTimeTo: new Date(Date.now() + 1000),
      pageSize: 1000,
    });
    expect(inRange.values).toEqual(expect.arrayContaining(ids));
    expect(inRange.values).not.toContain('ids-waiting');
    const future = await h.client.listInstanceIds({ completedTimeFrom: new Date(Date.now() + 60_000), pageSize: 1000 });
    expect(future.values).toEqual([]);
    await h.client.terminateOrchestration('ids-waiting', 'done');
  });

  it('terminates and purges recursively: the sub-orchestrations at every depth too', async () => {
    // Without recursive: only the named instance ends; its child keeps running.
    await h.client.scheduleNewOrchestration(approvalTree, 1, 'flat');
    await until(
      async () => (await h.client.getOrchestrationState('flat-sub'))?.runtimeStatus === OrchestrationStatus.RUNNING,
      { what: 'flat-sub running' },
    );
    await h.client.terminateOrchestration('flat', 'stop');
    await h.client.waitForOrchestrationCompletion('flat', false, 60);
    expect((await h.client.getOrchestrationState('flat-sub'))?.runtimeStatus).toBe(OrchestrationStatus.RUNNING);
    await h.client.terminateOrchestration('flat-sub', 'stop');

    await h.client.scheduleNewOrchestration(approvalTree, 2, 'tree');
    await until(
      async () => (await h.client.getOrchestrationState('tree-sub-sub'))?.runtimeStatus === OrchestrationStatus.RUNNING,
      { what: 'tree-sub-sub running' },
    );
    await h.client.terminateOrchestration('tree', terminateOptions({ output: 'stop all', recursive: true }));
    for (const id of ['tree', 'tree-sub', 'tree-sub-sub']) {
      const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
      expect(state?.runtimeStatus).toBe(OrchestrationStatus.TERMINATED);
    }
    expect(JSON.parse((await h.client.getOrchestrationState('tree-sub-sub'))?.serializedOutput ?? 'null')).toBe(
      'stop all',
    );

    // Purge: without recursive the children stay; with it, the whole tree goes.
    await h.client.waitForOrchestrationCompletion('flat-sub', false, 60);
    expect((await h.client.purgeOrchestration('flat'))?.deletedInstanceCount).toBe(1);
    expect(await h.client.getOrchestrationState('flat-sub')).toBeDefined();
    expect((await h.client.purgeOrchestration('tree', { recursive: true }))?.deletedInstanceCount).toBe(3);
    for (const id of ['tree', 'tree-sub', 'tree-sub-sub'])
      expect(await h.client.getOrchestrationState(id)).toBeUndefined();

    const id = await h.client.scheduleNewOrchestration(parentOfCities, undefined, 'purge-filter');
    await h.client.waitForOrchestrationCompletion(id, false, 60);
    const criteria = new PurgeInstanceCriteria();
    criteria.setCreatedTimeFrom(new Date((await h.hub.store.getInstance(id))!.createdTime));
    criteria.setCreatedTimeTo(new Date(Date.parse((await h.hub.store.getInstance(id))!.createdTime) + 1));
    expect((await h.client.purgeOrchestration(criteria, { recursive: true }))?.deletedInstanceCount).toBe(3);
    expect(await h.hub.store.getInstance('purge-filter-a')).toBeUndefined();
    expect(await h.hub.store.getInstance('purge-filter-b')).toBeUndefined();
  });

  it('streams an instance history and restarts a finished instance', async () => {
    const id = await h.client.scheduleNewOrchestration(helloCities, undefined, 'restart-me');
    await h.client.waitForOrchestrationCompletion(id, false, 60);
    const history = await h.client.getOrchestrationHistory(id);
    expect(history.length).toBe((await h.hub.store.getHistory(id)).length);
    const again = await h.client.restartOrchestration(id, true);
    expect(again).not.toBe(id);
    const state = await h.client.waitForOrchestrationCompletion(again, true, 60);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toEqual(CITIES);
  });

  it('answers UNIMPLEMENTED, with the reason, to an RPC it does not serve', async () => {
    const Client = sidecarClientConstructor();
    const raw = new Client(h.grpc.address, grpc.credentials.createInsecure()) as grpc.Client &
      Record<string, (req: object, cb: (err: grpc.ServiceError | null) => void) => void>;
    const err = await new Promise<grpc.ServiceError | null>((resolve) => raw.CreateTaskHub?.({}, resolve));
    raw.close();
    expect(err?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(err?.details).toContain('does not implement');
  });

  it('refuses a completion for a work item it never handed out', async () => {
    const Client = sidecarClientConstructor();
    const raw = new Client(h.grpc.address, grpc.credentials.createInsecure()) as grpc.Client &
      Record<string, (req: object, cb: (err: grpc.ServiceError | null) => void) => void>;
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.CompleteActivityTask?.({ instanceId: 'x', taskId: 1, completionToken: 'forged' }, resolve),
    );
    raw.close();
    expect(err?.code).toBe(grpc.status.NOT_FOUND);
  });
});
