// An episode that signals an entity and then throws still sends the signal, as Durable Functions does; other work it
// scheduled (activities, calls) is not started.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationHandler } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { replayHistory } from '../../src/core/replayer.js';
import { Driver, ev } from '../core/history-builder.js';

const handler: OrchestrationHandler = function* (ctx: OrchestrationContext) {
  yield ctx.df.callActivity('First');
  ctx.df.signalEntity(new EntityId('Counter', 'c'), 'add', 1);
  ctx.df.callActivity('NeverStarted');
  throw new Error('boom');
};

describe('signal, then throw', () => {
  it('the failing episode sends the signal, starts nothing else, and its history replays', () => {
    const d = new Driver(handler);
    d.start();
    const failed = d.run(ev.completed(0));
    expect(failed.runtimeStatus).toBe('Failed');
    expect(failed.actions).toEqual([
      expect.objectContaining({ kind: 'SendEvent', instanceId: '@counter@c', sequenceId: 1 }),
    ]);
    expect(failed.newHistory.map((e) => e.eventType)).toEqual([
      'OrchestratorStarted',
      'TaskCompleted',
      'EventSent',
      'ExecutionCompleted',
      'OrchestratorCompleted',
    ]);
    const replayed = replayHistory(handler, d.history, { instanceId: 'test-instance', name: 'Test' });
    expect(replayed.runtimeStatus).toBe('Failed');
    // A history recorded before signals were kept (no EventSent) replays too.
    const older = d.history.filter((e) => e.eventType !== 'EventSent');
    expect(replayHistory(handler, older, { instanceId: 'test-instance', name: 'Test' }).runtimeStatus).toBe('Failed');
  });
});
