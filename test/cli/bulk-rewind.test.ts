// Rewind of a parent whose sub-orchestration ended while the parent was already Failed: the child's report was
// dropped then, so the rewound parent must not wait for it for ever. A failed child runs again; a child that
// completed meanwhile hands over its output. Real hub, real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { until } from '../until.js';
import { openTestHub, type TestHub } from '../worker/helpers.js';

let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

/** A parent failing at once beside a child that ends (as `childEnds` says) only once the test lets it. */
async function parentFailedBeforeChild(childEnds: 'fails' | 'completes') {
  let broken = true;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const h = (hub = await openTestHub((r) => {
    r.registerActivity('Fails', () => {
      if (broken) throw new Error('parent step broke');
      return 'parent step';
    });
    r.registerActivity('ChildStep', async () => {
      await released;
      if (broken && childEnds === 'fails') throw new Error('child step broke');
      return 'child step';
    });
    r.registerOrchestration('Child', function* (ctx: OrchestrationContext) {
      return yield ctx.df.callActivity('ChildStep');
    });
    r.registerOrchestration('Parent', function* (ctx: OrchestrationContext) {
      return yield ctx.df.Task.all([
        ctx.df.callSubOrchestrator('Child', undefined, 'child-1'),
        ctx.df.callActivity('Fails'),
      ]);
    });
  }));
  await h.client.startNew('Parent', { instanceId: 'parent-1' });
  expect((await h.client.waitForCompletion('parent-1', { timeoutInMilliseconds: 20_000 })).runtimeStatus).toBe(
    'Failed',
  );
  release();
  const child = await h.client.waitForCompletion('child-1', { timeoutInMilliseconds: 20_000 });
  expect(child.runtimeStatus).toBe(childEnds === 'fails' ? 'Failed' : 'Completed');
  // The child's report reached a Failed parent, which dropped it.
  expect(
    (await h.client.getHistory('parent-1')).filter(
      (e) => e.eventType === 'SubOrchestrationInstanceCompleted' || e.eventType === 'SubOrchestrationInstanceFailed',
    ),
  ).toHaveLength(0);
  broken = false;
  return h;
}

describe('rewind of a parent whose sub-orchestration never reported back', () => {
  it('runs the failed child again and completes', async () => {
    const h = await parentFailedBeforeChild('fails');
    await h.client.rewind('parent-1', 'fixed');
    await until(async () => (await h.client.getStatus('parent-1')).runtimeStatus === 'Completed', {
      what: 'the rewound parent completed',
      timeoutMs: 20_000,
    });
    expect((await h.client.getStatus('parent-1')).output).toEqual(['child step', 'parent step']);
  });

  it('takes the output of a child that completed meanwhile, without running it again', async () => {
    const h = await parentFailedBeforeChild('completes');
    const childHistory = (await h.client.getHistory('child-1')).length;
    await h.client.rewind('parent-1', 'fixed');
    await until(async () => (await h.client.getStatus('parent-1')).runtimeStatus === 'Completed', {
      what: 'the rewound parent completed',
      timeoutMs: 20_000,
    });
    expect((await h.client.getStatus('parent-1')).output).toEqual(['child step', 'parent step']);
    expect((await h.client.getHistory('child-1')).length).toBe(childHistory);
  });
});
