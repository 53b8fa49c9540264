// TaskHubClient on a real SQLite store: starting, status, events and control requests (queries, purge, restart and
// waiting are in client-queries.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskHubClient } from '../../src/client/durable-client.js';
import type { TaskhubErrorCode } from '../../src/core/errors.js';
import { isTaskhubError } from '../../src/core/errors.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore, pendingEvents, runEpisode, type TestStore } from './fake-worker.js';

let hub: TestStore;
let store: Store;
let notified: string[];
let client: TaskHubClient;

beforeEach(async () => {
  hub = await openTestStore();
  store = hub.store;
  notified = [];
  client = new TaskHubClient({ store, notify: (id) => notified.push(id) });
});
afterEach(async () => {
  await hub.dispose();
});

async function expectError(promise: Promise<unknown>, code: TaskhubErrorCode, message?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isTaskhubError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
  if (message !== undefined) expect((error as Error).message).toContain(message);
}

describe('startNew', () => {
  it('creates a Pending instance with its ExecutionStarted message (3.x options)', async () => {
    const id = await client.startNew('Hello', { instanceId: 'order-1', input: { city: 'Tokyo' } });
    expect(id).toBe('order-1');
    expect(client.taskHubName).toBe('ClientTestHub');
    expect(notified).toEqual(['order-1']);
    const status = await client.getStatus(id);
    expect(status).toMatchObject({ name: 'Hello', instanceId: id, runtimeStatus: 'Pending', input: { city: 'Tokyo' } });
    expect(status.output).toBeNull();
    expect(status.createdTime).toBeInstanceOf(Date);
    const [started, ...rest] = await pendingEvents(store, id);
    expect(rest).toEqual([]);
    expect(started).toMatchObject({
      eventType: 'ExecutionStarted',
      name: 'Hello',
      instanceId: id,
      input: '{"city":"Tokyo"}',
    });
    expect(started?.eventType === 'ExecutionStarted' && started.executionId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('accepts the 2.x positional form', async () => {
    expect(await client.startNew('Hello', 'positional', 42)).toBe('positional');
    expect((await client.getStatus('positional')).input).toBe(42);
    const generated = await client.startNew('Hello', undefined, 'in');
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    expect((await client.getStatus(generated)).input).toBe('in');
  });

  it('generates a Durable Functions style id and stores no input when none is given', async () => {
    const id = await client.startNew('Hello');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect((await client.getStatus(id)).input).toBeNull();
    const [started] = await pendingEvents(store, id);
    expect(started).not.toHaveProperty('input', expect.anything());
  });

  it('rejects invalid instance ids, saying why, and creates nothing', async () => {
    await expectError(client.startNew('Hello', { instanceId: '@counter@x' }), 'INVALID_INSTANCE_ID', "'@'");
    await expectError(client.startNew('Hello', 'a/b'), 'INVALID_INSTANCE_ID', '/, \\, #, ?');
    await expectError(client.startNew('Hello', { instanceId: '' }), 'INVALID_INSTANCE_ID', 'non-empty');
    await expectError(client.startNew(''), 'INVALID_ARGUMENT');
    expect(await client.getStatusAll()).toEqual([]);
    expect(notified).toEqual([]);
  });

  it('refuses an existing instance that is still Pending or Running, replaces a finished one', async () => {
    await client.startNew('Hello', { instanceId: 'dup', input: 1 });
    await expectError(client.startNew('Hello', { instanceId: 'dup', input: 2 }), 'INSTANCE_EXISTS');
    await runEpisode(store, 'dup', { status: 'Running' });
    await expectError(client.startNew('Hello', { instanceId: 'dup', input: 2 }), 'INSTANCE_EXISTS');
    await client.raiseEvent('dup', 'Go');
    await runEpisode(store, 'dup', { status: 'Completed', output: 'first' });

    await client.startNew('Other', { instanceId: 'dup', input: 3 });
    const status = await client.getStatus('dup', { showHistory: true });
    expect(status).toMatchObject({ name: 'Other', runtimeStatus: 'Pending', input: 3, output: null });
    expect(status.history).toBeUndefined();
    expect(await client.getHistory('dup')).toEqual([]);
  });

  it('refuses unknown orchestrations when told which exist', async () => {
    const strict = new TaskHubClient({ store, knownOrchestrations: (name) => name.toLowerCase() === 'hello' });
    await expectError(
      strict.startNew('Nope'),
      'UNKNOWN_FUNCTION',
      "The function 'Nope' doesn't exist, is disabled, or is not an orchestrator function.",
    );
    expect(await strict.startNew('HELLO', { instanceId: 'ok' })).toBe('ok');
  });

  it('refuses inputs JSON cannot encode', async () => {
    await expectError(client.startNew('Hello', { input: { n: 1n } }), 'INVALID_ARGUMENT', 'JSON');
  });
});

describe('getStatus', () => {
  it('throws INSTANCE_NOT_FOUND for an unknown instance', async () => {
    await expectError(client.getStatus('missing'), 'INSTANCE_NOT_FOUND', "'missing'");
    await expectError(client.getHistory('missing'), 'INSTANCE_NOT_FOUND');
  });

  it('renders the history per the status API, with both signatures', async () => {
    await client.startNew('Hello', { instanceId: 'h', input: { n: 1 } });
    await runEpisode(store, 'h', { status: 'Running', schedule: 'SayHello' });

    const status = await client.getStatus('h', { showHistory: true });
    expect(status.runtimeStatus).toBe('Running');
    const anyTime: unknown = expect.any(String);
    expect(status.history).toEqual([
      { EventType: 'ExecutionStarted', Timestamp: anyTime, FunctionName: 'Hello', Input: { n: 1 } },
      { EventType: 'TaskScheduled', Timestamp: anyTime, Name: 'SayHello', Input: 'x' },
    ]);

    const positional = await client.getStatus('h', true, false, false);
    expect(positional.input).toBeNull();
    expect(positional.history?.every((event) => !('Input' in event))).toBe(true);
    expect((await client.getStatus('h', false)).history).toBeUndefined();
  });

  it('shows outputs, failures and custom status', async () => {
    await client.startNew('Hello', { instanceId: 'ok' });
    await runEpisode(store, 'ok', { status: 'Completed', output: { total: 3 } });
    const done = await client.getStatus('ok', { showHistory: true, showHistoryOutput: true });
    expect(done.output).toEqual({ total: 3 });
    expect(done.history?.at(-1)).toMatchObject({ EventType: 'ExecutionCompleted', Result: { total: 3 } });

    await client.startNew('Hello', { instanceId: 'bad' });
    const failureDetails = { errorType: 'TypeError', errorMessage: 'x is undefined', stackTrace: 'TypeError: x' };
    await runEpisode(store, 'bad', { status: 'Failed', failureDetails });
    const failed = await client.getStatus('bad');
    expect(failed.runtimeStatus).toBe('Failed');
    expect(failed.output).toBe("Orchestrator function 'Hello' failed: x is undefined");
    expect(failed.failureDetails).toMatchObject(failureDetails);
    expect((await client.getHistory('bad')).map((e) => e.eventType)).toEqual([
      'OrchestratorStarted',
      'ExecutionStarted',
      'ExecutionCompleted',
      'OrchestratorCompleted',
    ]);
  });
});

describe('raiseEvent, terminate, suspend, resume', () => {
  it('enqueues an EventRaised message and wakes the worker', async () => {
    await client.startNew('Hello', { instanceId: 'e' });
    await runEpisode(store, 'e', { status: 'Running' });
    notified.length = 0;
    await client.raiseEvent('e', 'Approval', { ok: true });
    await client.raiseEvent('e', 'Empty');
    expect(notified).toEqual(['e', 'e']);
    const events = await pendingEvents(store, 'e');
    expect(events).toMatchObject([
      { eventType: 'EventRaised', name: 'Approval', input: '{"ok":true}' },
      { eventType: 'EventRaised', name: 'Empty' },
    ]);
    expect(events[1]).not.toHaveProperty('input', expect.anything());
  });

  it('enqueues control messages with their reasons', async () => {
    await client.startNew('Hello', { instanceId: 'c' });
    await runEpisode(store, 'c', { status: 'Running' });
    await client.suspend('c', 'maintenance');
    // Repeats are accepted: the orchestration treats them as no-ops.
    await client.suspend('c');
    await client.resume('c', 'back');
    await client.resume('c');
    await client.terminate('c', 'enough');
    expect(await pendingEvents(store, 'c')).toMatchObject([
      { eventType: 'ExecutionSuspended', reason: 'maintenance' },
      { eventType: 'ExecutionSuspended' },
      { eventType: 'ExecutionResumed', reason: 'back' },
      { eventType: 'ExecutionResumed' },
      { eventType: 'ExecutionTerminated', input: '"enough"' },
    ]);
  });

  it('reaches Pending instances too (the messages wait behind ExecutionStarted)', async () => {
    await client.startNew('Hello', { instanceId: 'p' });
    await client.raiseEvent('p', 'Early', 1);
    await client.terminate('p');
    expect((await pendingEvents(store, 'p')).map((e) => e.eventType)).toEqual([
      'ExecutionStarted',
      'EventRaised',
      'ExecutionTerminated',
    ]);
  });

  it('errors on unknown and finished instances', async () => {
    await expectError(client.raiseEvent('nobody', 'E'), 'INSTANCE_NOT_FOUND', "No instance with ID 'nobody' found.");
    await expectError(client.terminate('nobody'), 'INSTANCE_NOT_FOUND');
    await expectError(client.suspend('nobody'), 'INSTANCE_NOT_FOUND');
    await expectError(client.resume('nobody'), 'INSTANCE_NOT_FOUND');

    await client.startNew('Hello', { instanceId: 'f' });
    await runEpisode(store, 'f', { status: 'Completed' });
    await expectError(client.raiseEvent('f', 'E'), 'INSTANCE_FINISHED', 'Completed');
    await expectError(client.terminate('f'), 'INSTANCE_FINISHED');
    await expectError(client.suspend('f'), 'INSTANCE_FINISHED');
    await expectError(client.resume('f'), 'INSTANCE_FINISHED');
    await expectError(client.raiseEvent('f', ''), 'INVALID_ARGUMENT');
  });
});

describe('rewind', () => {
  it('only rewinds failed instances', async () => {
    await expectError(client.rewind('nobody'), 'INSTANCE_NOT_FOUND');
    await client.startNew('Hello', { instanceId: 'r' });
    await expectError(
      client.rewind('r'),
      'INSTANCE_FINISHED',
      'The rewind operation is only supported on failed orchestration instances.',
    );
    await runEpisode(store, 'r', { status: 'Completed' });
    await expectError(client.rewind('r'), 'INSTANCE_FINISHED');
  });

  it('enqueues ExecutionRewound for a failed instance, which keeps the message', async () => {
    await client.startNew('Hello', { instanceId: 'rf' });
    await runEpisode(store, 'rf', { status: 'Failed', failureDetails: { errorType: 'Error', errorMessage: 'boom' } });
    notified.length = 0;
    await client.rewind('rf', 'fixed the bug');
    expect(notified).toEqual(['rf']);
    expect(await pendingEvents(store, 'rf')).toMatchObject([
      { eventType: 'ExecutionRewound', reason: 'fixed the bug' },
    ]);
  });
});
