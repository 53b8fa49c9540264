// checkReplay and replayHistory take what `taskhub export` writes (and a recorded fixture), as `taskhub replay` does,
// and point a divergence at the orchestrator's own file and line.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { checkReplay, createTestHub, replayHistory } from '../../src/testing/index.js';

async function exportedHello(): Promise<{ instanceId: string; name: string; history: unknown[] }> {
  const registry = new FunctionRegistry();
  registry.registerActivity('SayHello', (name) => `Hello ${String(name)}!`);
  registry.registerOrchestration('Hello', function* (context: OrchestrationContext) {
    return yield context.df.callActivity('SayHello', 'Tokyo');
  });
  const hub = await createTestHub({ registry });
  const id = await hub.client.startNew('Hello', { instanceId: 'hello-1' });
  await hub.waitForCompletion(id);
  const history = await hub.store.getHistory(id);
  await hub.close();
  // Through JSON, as a file on disk would be.
  return JSON.parse(JSON.stringify({ instanceId: id, name: 'Hello', history })) as never;
}

describe('checkReplay', () => {
  it('replays an exported history file, not only a bare array of events', async () => {
    const exported = await exportedHello();
    const same = function* (context: OrchestrationContext) {
      return (yield context.df.callActivity('SayHello', 'Tokyo')) as unknown;
    };
    const report = checkReplay(same, exported as never);
    expect(report.ok && report.result.runtimeStatus).toBe('Completed');
    expect(replayHistory(same, { orchestrator: 'Hello', history: exported.history as never }).runtimeStatus).toBe(
      'Completed',
    );
  });

  it("names the changed orchestrator's own file and line", async () => {
    const exported = await exportedHello();
    const changed = function* (context: OrchestrationContext) {
      return (yield context.df.callActivity('Greet', 'Tokyo')) as unknown; // the location
    };
    const report = checkReplay(changed, exported as never);
    expect(report.ok).toBe(false);
    if (report.ok) return;
    expect(report.divergence.code).toMatch(/Greet/);
    expect(report.divergence.location).toMatch(/test\/testing\/replay-input\.test\.ts:39:\d+$/);
  });

  it('says what it needs when given something else', () => {
    expect(() => checkReplay(function* () {}, { events: [] } as never)).toThrow(/exported history file/);
  });
});
