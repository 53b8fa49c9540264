// TaskHubClient on a real SQLite store: queries with filters and paging, purge, restart, waitForCompletion.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompletionWaiter } from '../../src/client/completion-waiter.js';
import { TaskHubClient } from '../../src/client/durable-client.js';
import { isTaskhubError } from '../../src/core/errors.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore, runEpisode, type TestStore } from './fake-worker.js';

let hub: TestStore;
let store: Store;
let client: TaskHubClient;

beforeEach(async () => {
  hub = await openTestStore();
  store = hub.store;
  client = new TaskHubClient({ store });
});
afterEach(async () => {
  await hub.dispose();
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

const ids = (statuses: readonly { instanceId: string }[]): string[] => statuses.map((s) => s.instanceId).sort();

/** a-1, a-2, a-3 Completed; b-1 Running; b-2 Pending. */
async function seed(): Promise<void> {
  for (const id of ['a-1', 'a-2', 'a-3', 'b-1', 'b-2']) await client.startNew('Hello', { instanceId: id, input: id });
  for (const id of ['a-1', 'a-2', 'a-3']) await runEpisode(store, id, { status: 'Completed', output: id });
  await runEpisode(store, 'b-1', { status: 'Running' });
}

describe('queries', () => {
  it('getStatusAll returns every instance', async () => {
    await seed();
    const all = await client.getStatusAll();
    expect(ids(all)).toEqual(['a-1', 'a-2', 'a-3', 'b-1', 'b-2']);
    expect(all.find((s) => s.instanceId === 'a-2')).toMatchObject({
      runtimeStatus: 'Completed',
      input: 'a-2',
      output: 'a-2',
    });
  });

  it('getStatusBy filters by status, prefix and created time (3.x filter and 2.x positional)', async () => {
    const before = new Date(Date.now() - 1000);
    await seed();
    const after = new Date(Date.now() + 1000);
    expect(ids(await client.getStatusBy({ runtimeStatus: ['Completed'] }))).toEqual(['a-1', 'a-2', 'a-3']);
    expect(ids(await client.getStatusBy({ runtimeStatus: ['Running', 'Pending'] }))).toEqual(['b-1', 'b-2']);
    expect(ids(await client.getStatusBy({ instanceIdPrefix: 'b-' }))).toEqual(['b-1', 'b-2']);
    expect(ids(await client.getStatusBy({ createdTimeFrom: before, createdTimeTo: after }))).toHaveLength(5);
    expect(await client.getStatusBy({ createdTimeFrom: after })).toEqual([]);
    expect(ids(await client.getStatusBy(before, after, ['Pending']))).toEqual(['b-2']);
    expect(ids(await client.getStatusBy())).toHaveLength(5);
  });

  it('getStatusBy follows continuation tokens; listInstances returns one page', async () => {
    await seed();
    expect(ids(await client.getStatusBy({ pageSize: 2 }))).toEqual(['a-1', 'a-2', 'a-3', 'b-1', 'b-2']);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.listInstances({ pageSize: 2, continuationToken: token });
      expect(page.instances.length).toBeLessThanOrEqual(2);
      seen.push(...page.instances.map((s) => s.instanceId));
      token = page.continuationToken;
      pages++;
    } while (token !== undefined && pages < 10);
    expect(seen.sort()).toEqual(['a-1', 'a-2', 'a-3', 'b-1', 'b-2']);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('hides inputs when asked', async () => {
    await seed();
    const page = await client.listInstances({ showInput: false, instanceIdPrefix: 'a-' });
    expect(page.instances).toHaveLength(3);
    expect(page.instances.every((s) => s.input === null)).toBe(true);
  });
});

describe('purge', () => {
  it('purges finished instances only', async () => {
    await seed();
    expect(await client.purgeInstanceHistory('b-1')).toEqual({ instancesDeleted: 0 });
    expect(await client.purgeInstanceHistory('nobody')).toEqual({ instancesDeleted: 0 });
    expect(await client.purgeInstanceHistory('a-1')).toEqual({ instancesDeleted: 1 });
    expect(isTaskhubError(await caught(client.getStatus('a-1')), 'INSTANCE_NOT_FOUND')).toBe(true);
    expect(await client.purgeInstanceHistoryBy({ instanceIdPrefix: 'b-' })).toEqual({ instancesDeleted: 0 });
    expect(await client.purgeInstanceHistoryBy({ runtimeStatus: ['Completed'] })).toEqual({ instancesDeleted: 2 });
    expect(ids(await client.getStatusAll())).toEqual(['b-1', 'b-2']);
  });

  it('filters purges by created time', async () => {
    await seed();
    const future = new Date(Date.now() + 60_000);
    expect(await client.purgeInstanceHistoryBy({ createdTimeFrom: future })).toEqual({ instancesDeleted: 0 });
    expect(await client.purgeInstanceHistoryBy({ createdTimeFrom: new Date(0) })).toEqual({ instancesDeleted: 3 });
  });
});

describe('restart', () => {
  it('starts the same orchestration and input under a new id by default', async () => {
    await client.startNew('Hello', { instanceId: 'orig', input: { n: 1 } });
    await runEpisode(store, 'orig', { status: 'Completed', output: 1 });
    const id = await client.restart('orig');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await client.getStatus(id)).toMatchObject({ name: 'Hello', runtimeStatus: 'Pending', input: { n: 1 } });
    expect((await client.getStatus('orig')).runtimeStatus).toBe('Completed');
  });

  it('reuses the id only when the instance is no longer running', async () => {
    await client.startNew('Hello', { instanceId: 'same', input: 'in' });
    expect(isTaskhubError(await caught(client.restart('same', false)), 'INSTANCE_EXISTS')).toBe(true);
    await runEpisode(store, 'same', { status: 'Failed', failureDetails: { errorType: 'Error', errorMessage: 'x' } });
    expect(await client.restart('same', false)).toBe('same');
    expect(await client.getStatus('same')).toMatchObject({ runtimeStatus: 'Pending', input: 'in', output: null });
    expect(isTaskhubError(await caught(client.restart('nobody')), 'INSTANCE_NOT_FOUND')).toBe(true);
  });
});

describe('waitForCompletion', () => {
  it('times out with TIMEOUT', async () => {
    await client.startNew('Hello', { instanceId: 'slow' });
    const started = Date.now();
    const error = await caught(
      client.waitForCompletion('slow', { timeoutInMilliseconds: 150, retryIntervalInMilliseconds: 20 }),
    );
    expect(isTaskhubError(error, 'TIMEOUT')).toBe(true);
    expect((error as Error).message).toContain('Pending');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('returns at once for a finished instance and throws for an unknown one', async () => {
    await client.startNew('Hello', { instanceId: 'done' });
    await runEpisode(store, 'done', { status: 'Completed', output: 7 });
    expect(await client.waitForCompletion('done')).toMatchObject({ runtimeStatus: 'Completed', output: 7 });
    expect(isTaskhubError(await caught(client.waitForCompletion('nobody')), 'INSTANCE_NOT_FOUND')).toBe(true);
  });

  it('wakes on the in-process waiter without polling', async () => {
    const waitHub = new CompletionWaiter();
    const local = new TaskHubClient({ store, waitHub });
    await local.startNew('Hello', { instanceId: 'w' });
    const started = Date.now();
    // The poll interval is far beyond the test's patience: only the waiter can end this wait in time.
    const waiting = local.waitForCompletion('w', {
      timeoutInMilliseconds: 20_000,
      retryIntervalInMilliseconds: 20_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(waitHub.waiting('w')).toBe(1);
    await runEpisode(store, 'w', { status: 'Completed', output: 'ok' });
    waitHub.notifyCompleted('w');
    expect(await waiting).toMatchObject({ runtimeStatus: 'Completed', output: 'ok' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(waitHub.waiting()).toBe(0);
  });

  it('leaves no waiter behind when a wait times out or names an unknown instance', async () => {
    const waitHub = new CompletionWaiter();
    const local = new TaskHubClient({ store, waitHub });
    await local.startNew('Hello', { instanceId: 'slow' });
    const timedOut = await caught(local.waitForCompletion('slow', { timeoutInMilliseconds: 30 }));
    expect(isTaskhubError(timedOut, 'TIMEOUT')).toBe(true);
    expect(isTaskhubError(await caught(local.waitForCompletion('nobody')), 'INSTANCE_NOT_FOUND')).toBe(true);
    expect(waitHub.waiting()).toBe(0);
  });

  it('polls the store for work finished elsewhere', async () => {
    await client.startNew('Hello', { instanceId: 'p' });
    const waiting = client.waitForCompletion('p', { timeoutInMilliseconds: 5_000, retryIntervalInMilliseconds: 20 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await runEpisode(store, 'p', { status: 'Failed', failureDetails: { errorType: 'Error', errorMessage: 'no' } });
    expect(await waiting).toMatchObject({
      runtimeStatus: 'Failed',
      output: "Orchestrator function 'Hello' failed: no",
    });
  });
});
