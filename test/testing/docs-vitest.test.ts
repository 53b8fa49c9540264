// The test hub on the default registry, filled by df.app when the test imports the app itself (docs/testing.md's
// examples load the app with createTestHub({ app }); test/packaging runs them verbatim from the packed tarball).
import { expect, test } from 'vitest';
import { createTestHub } from '../../src/testing/index.js';
import './docs-app.js';

test('approval escalates after 24 hours without an answer', async () => {
  const hub = await createTestHub();
  const escalate = hub.mockActivity('Escalate', () => 'escalated');
  const id = await hub.client.startNew('Approval', { input: 'order-7' });
  await hub.advance('24h');
  expect((await hub.waitForCompletion(id)).output).toBe('escalated');
  expect(escalate.calls).toEqual(['order-7']);
  await hub.close();
});

test('the event wins when it arrives first', async () => {
  const hub = await createTestHub({ autoAdvance: true });
  const id = await hub.client.startNew('Approval');
  await hub.client.raiseEvent(id, 'Approved', true);
  expect((await hub.waitForCompletion(id)).output).toBe('approved');
  await hub.close();
});

test('without a double, the real activity runs', async () => {
  const hub = await createTestHub({ autoAdvance: true });
  const id = await hub.client.startNew('Approval', { input: 'order-8' });
  expect((await hub.waitForCompletion(id)).output).toBe('paged the manager about order-8');
  await hub.close();
});
