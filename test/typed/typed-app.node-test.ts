// The typed fixture app, run (by typed-calls.test.ts) under node:test with the taskhub/testing/register preload:
// createTestHub({ app }) loads it as `taskhub start` does, with 'durable-functions' and 'taskhub' imported by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OrchestrationContext } from '../../src/core/context.js';
import { TaskBase } from '../../src/core/task.js';
import { createTestHub } from '../../src/testing/index.js';
import {
  call,
  callActivity,
  defineOrchestration,
  raiseEvent,
  readEntityState,
  resultOf,
  startNew,
  waitForCompletion,
  whenAll,
} from '../../src/index.js';
import { addOne, approval, approved, careful, counter, greet, heartbeat, sumTo } from './fixtures/contract.js';

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
  const status = await waitForCompletion(hub.client, approval, id, { timeoutInMilliseconds: 30_000 });
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

void test("a failed typed call throws at its yield*, where the orchestrator catches it (the task's own error)", async () => {
  const hub = await createTestHub({ app, autoAdvance: true });
  const fine = await startNew(hub.client, careful, { input: 1 });
  const first = await waitForCompletion(hub, careful, fine);
  assert.equal(first.runtimeStatus === 'Completed' && first.output, 'got 2');
  hub.mockActivity('AddOne', () => {
    throw new Error('no more numbers');
  });
  const failing = await startNew(hub.client, careful, { input: 1 });
  const second = await waitForCompletion(hub, careful, failing);
  assert.equal(
    second.runtimeStatus === 'Completed' && second.output,
    "caught Activity function 'AddOne' failed: no more numbers",
  );
  await hub.close();
});

// Async orchestrators (issue 16 part 1) make durable tasks thenable; until then this test is skipped, and then the
// same typed calls are awaited, with no change to them.
const tasksAreThenable = typeof (TaskBase.prototype as { then?: unknown }).then === 'function';
void test(
  'an async orchestrator awaits the same typed calls',
  { skip: tasksAreThenable ? false : 'durable tasks are not awaitable yet (async orchestrators, issue 16 part 1)' },
  async () => {
    const asyncSum = defineOrchestration<number, string>('AsyncSum');
    const hub = await createTestHub({ app, autoAdvance: true });
    const handler = async (context: OrchestrationContext): Promise<string> => {
      let total = 0;
      for (let i = 0; i < context.df.getInput<number>(); i++) total = await call(context, addOne, total);
      const [next, hello] = await resultOf(
        whenAll(context, [callActivity(context, addOne, total), callActivity(context, greet, 'async')]),
      );
      const child = await call(context, sumTo, 2);
      return `${total} ${next} ${hello} ${child}`;
    };
    hub.registry.registerOrchestration(asyncSum.name, handler);
    const id = await startNew(hub.client, asyncSum, { input: 3 });
    const status = await waitForCompletion(hub, asyncSum, id);
    assert.equal(status.runtimeStatus === 'Completed' && status.output, '3 4 hello async 2');
    await hub.close();
  },
);
