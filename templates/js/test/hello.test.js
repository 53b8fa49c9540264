// A unit test of the orchestrator with Taskhub's in-process test hub (virtual time, in-memory store), run by Node's
// own test runner: `npm test`. The test hub loads the app as `taskhub start` does (its package.json main).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestHub } from 'taskhub/testing';

test('HelloOrchestrator greets three cities in order', async () => {
  const hub = await createTestHub({ app: '.' });
  const id = await hub.client.startNew('HelloOrchestrator');
  const status = await hub.waitForCompletion(id);
  assert.equal(status.runtimeStatus, 'Completed');
  assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  await hub.close();
});

test('a test double stands in for the Hello activity', async () => {
  const hub = await createTestHub({ app: '.' });
  const hello = hub.mockActivity('Hello', (city) => `Hi ${String(city)}`);
  const id = await hub.client.startNew('HelloOrchestrator');
  assert.deepEqual((await hub.waitForCompletion(id)).output, ['Hi Tokyo', 'Hi Seattle', 'Hi London']);
  assert.deepEqual(hello.calls, ['Tokyo', 'Seattle', 'London']);
  await hub.close();
});
