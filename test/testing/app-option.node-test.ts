// createTestHub({ app }) under node:test with the taskhub/testing/register preload (run by app-option.test.ts):
// the app imports 'durable-functions' and '@azure/functions' by name and registers into the test hub.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FunctionRegistry } from '../../src/core/registry.js';
import { createTestHub } from '../../src/testing/index.js';

const app = 'test/testing/app-folder';

void test('the app folder is loaded as taskhub start loads it', async () => {
  const hub = await createTestHub({ app, autoAdvance: true });
  const id = await hub.client.startNew('Approval', { input: 'order-9' });
  assert.equal((await hub.waitForCompletion(id)).output, 'paged the manager about order-9');
  await hub.close();
});

void test('a second hub of the same app gets its functions too (the app is loaded once per process)', async () => {
  const hub = await createTestHub({ app });
  const escalate = hub.mockActivity('Escalate', () => 'escalated');
  const id = await hub.client.startNew('Approval', { input: 'order-7' });
  await hub.advance('24h');
  assert.equal((await hub.waitForCompletion(id)).output, 'escalated');
  assert.deepEqual(escalate.calls, ['order-7']);
  await hub.close();
  await hub.close(); // twice is fine: the preset's close after each test may follow the test's own
});

void test('a missing app is a clear error, and so is app with registry', async () => {
  await assert.rejects(createTestHub({ app: 'test/testing/no-such-app' }), /No app at .*no-such-app/);
  await assert.rejects(createTestHub({ app, registry: new FunctionRegistry() }), /either app or registry, not both/);
});
