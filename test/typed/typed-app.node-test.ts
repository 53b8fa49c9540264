// The typed fixture app, run (by typed-calls.test.ts) under node:test with the taskhub/testing/register preload:
// createTestHub({ app }) loads it as `taskhub start` does, with 'durable-functions' and 'taskhub' imported by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestHub } from '../../src/testing/index.js';
import { raiseEvent, readEntityState, startNew, waitForCompletion } from '../../src/index.js';
import { approval, approved, counter, heartbeat, sumTo } from './fixtures/contract.js';

const app = 'test/typed/fixtures/app.ts';

void test('a generator orchestrator gets typed results from yield* call(...)', async () => {
  const hub = await createTestHub({ app, autoAdvance: true });
  const id = await startNew(hub.client, sumTo, { input: 4 });
  const status = await waitForCompletion(hub, sumTo, id);
  assert.equal(status.runtimeStatus, 'Completed');
  if (status.runtimeStatus !== 'Completed') return;
  const total: number = status.output;
  assert.equal(total, 4);
  assert.equal(status.customStatus, 'hello sum');
  await hub.close();
});

void test('fan-out, retries, sub-orchestrations, entities and events through the typed calls', async () => {
  const hub = await createTestHub({ app, autoAdvance: true });
  const id = await startNew(hub.client, approval, { input: { id: 'o1', items: ['ab', 'cde'] } });
  await raiseEvent(hub.client, id, approved, true);
  const status = await waitForCompletion(hub.client, approval, id);
  assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status.output));
  assert.equal(status.output, 'approved');
  assert.deepEqual(status.input, { id: 'o1', items: ['ab', 'cde'] });
  // prices [2, 3]; AddOne(5); AddOne(1) with retries; SumTo(2) and SumTo(1) as sub-orchestrations; the counter
  // reset, then given 2 + 1.
  assert.deepEqual(status.customStatus, {
    prices: [2, 3],
    total: 5,
    described: 'O1: AB, CDE',
    next: 6,
    retried: 2,
    child: 2,
    named: 1,
    left: 3,
  });
  const state = await readEntityState(hub.client, counter.id('o1'));
  assert.deepEqual(state, { entityExists: true, entityState: 3 });
  await hub.close();
});

void test('the timer wins when no event comes: the declared output, read after narrowing', async () => {
  const hub = await createTestHub({ app, autoAdvance: true });
  const id = await startNew(hub.client, approval, { input: { id: 'o2', items: ['x'] } });
  const status = await waitForCompletion(hub, approval, id);
  assert.equal(status.runtimeStatus === 'Completed' && status.output, 'rejected');
  await hub.close();
});

void test('plain string calls keep working beside the typed ones', async () => {
  const hub = await createTestHub({ app, autoAdvance: true });
  const id = await startNew(hub.client, heartbeat);
  const status = await waitForCompletion(hub, heartbeat, id);
  assert.equal(status.runtimeStatus, 'Completed');
  assert.equal(status.customStatus, 42);
  await hub.close();
});

void test('a typed call of an activity that fails fails the instance, as the plain call does', async () => {
  const hub = await createTestHub({ app, autoAdvance: true });
  hub.mockActivity('AddOne', () => {
    throw new Error('no more numbers');
  });
  const id = await startNew(hub.client, sumTo, { input: 1 });
  const status = await waitForCompletion(hub, sumTo, id);
  assert.equal(status.runtimeStatus, 'Failed');
  assert.match(String(status.output), /no more numbers/);
  await hub.close();
});
