// Function chaining and fan-out/fan-in through the replay engine, with the history each produces.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import { describeActions, Driver, ev, outputOf } from './history-builder.js';

function* helloSequence(ctx: OrchestrationContext): OrchestrationGenerator {
  const out: unknown[] = [];
  for (const city of ['Tokyo', 'Seattle', 'Cairo']) out.push(yield ctx.df.callActivity('SayHello', city));
  return out;
}

describe('chaining', () => {
  it('schedules one activity per episode and completes with the results', () => {
    const d = new Driver(helloSequence);
    expect(describeActions(d.start())).toEqual(['ScheduleTask#0 SayHello']);
    expect(d.last.actions[0]).toEqual({ kind: 'ScheduleTask', sequenceId: 0, name: 'SayHello', input: '"Tokyo"' });
    expect(describeActions(d.run(ev.completed(0, 'Hello Tokyo')))).toEqual(['ScheduleTask#1 SayHello']);
    expect(describeActions(d.run(ev.completed(1, 'Hello Seattle')))).toEqual(['ScheduleTask#2 SayHello']);
    const last = d.run(ev.completed(2, 'Hello Cairo'));
    expect(outputOf(last)).toEqual(['Hello Tokyo', 'Hello Seattle', 'Hello Cairo']);
    expect(last.runtimeStatus).toBe('Completed');
    expect(d.history.map((e) => e.eventType)).toEqual([
      'OrchestratorStarted',
      'ExecutionStarted',
      'TaskScheduled',
      'OrchestratorCompleted',
      'OrchestratorStarted',
      'TaskCompleted',
      'TaskScheduled',
      'OrchestratorCompleted',
      'OrchestratorStarted',
      'TaskCompleted',
      'TaskScheduled',
      'OrchestratorCompleted',
      'OrchestratorStarted',
      'TaskCompleted',
      'ExecutionCompleted',
      'OrchestratorCompleted',
    ]);
  });
});
