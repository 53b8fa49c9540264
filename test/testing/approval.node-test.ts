// The approval pattern unit-tested with node:test (run by node-test.test.ts: node --import tsx --test <this file>).
// docs/testing.md shows the same test loading the app by path; test/packaging runs that one verbatim.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestHub } from '../../src/testing/index.js';
import { registry } from './approval-app.js';

void test('approval escalates after 24 hours without an answer', async () => {
  const hub = await createTestHub({ registry });
  const id = await hub.client.startNew('Approval', { input: 'order-7' });
  await hub.advance('24h');
  assert.equal((await hub.waitForCompletion(id)).output, 'escalated');
  await hub.close();
});

void test('approval completes when the event arrives first', async () => {
  const hub = await createTestHub({ registry, autoAdvance: true });
  hub.mockActivity('Escalate', () => assert.fail('must not escalate'));
  const id = await hub.client.startNew('Approval');
  await hub.client.raiseEvent(id, 'Approved', true);
  assert.equal((await hub.waitForCompletion(id)).output, 'approved');
  await hub.close();
});
