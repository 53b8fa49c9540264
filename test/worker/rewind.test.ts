// Rewind in-process (DurableClient.rewind) on a real SQLite file: a failed activity runs again, and an instance whose
// orchestrator code itself failed (nothing to run again) replays and completes once the code no longer fails.
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { until } from '../until.js';
import { openTestHub, type TestHub } from './helpers.js';

let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('rewind in-process', () => {
  it('replays an instance whose orchestrator code threw, and it completes once the code no longer throws', async () => {
    let broken = true;
    const h = (hub = await openTestHub((r) => {
      r.registerActivity('SayHello', (name) => `Hello ${String(name)}!`);
      r.registerOrchestration('ThrowsAfterStep', function* (ctx: OrchestrationContext) {
        const greeting = (yield ctx.df.callActivity('SayHello', 'Tokyo')) as string;
        if (broken) throw new Error('a bug after the first step');
        return `${greeting} and fixed`;
      });
    }));
    const id = await h.client.startNew('ThrowsAfterStep', { instanceId: 'code-failed' });
    const failed = await h.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    expect(failed.runtimeStatus).toBe('Failed');
    expect((await h.client.getHistory(id)).filter((e) => e.eventType === 'TaskCompleted')).toHaveLength(1);

    broken = false;
    await h.client.rewind(id, 'bug fixed');
    await until(async () => (await h.client.getStatus(id)).runtimeStatus === 'Completed', {
      what: 'the rewound instance completed',
      timeoutMs: 15_000,
    });
    const done = await h.client.getStatus(id);
    expect(done.output).toBe('Hello Tokyo! and fixed');
    // The activity's result is replayed, not run again.
    expect((await h.client.getHistory(id)).filter((e) => e.eventType === 'TaskCompleted')).toHaveLength(1);
  });
});
