// A test that fails before closing its hub (run by app-option.test.ts): with the register preload, node:test still
// ends, reporting the failure, instead of waiting forever on the open hub.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestHub } from '../../src/testing/index.js';

void test('fails with its hub open', async () => {
  const hub = await createTestHub({ app: 'test/testing/app-folder' });
  const id = await hub.client.startNew('Approval');
  await hub.waitForIdle();
  assert.equal((await hub.client.getStatus(id)).runtimeStatus, 'Completed'); // it waits for 24 hours: Running
});
