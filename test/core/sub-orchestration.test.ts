// Sub-orchestrations and failures: errors thrown into the generator carry name, message, stack and details.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { TaskFailedError } from '../../src/core/failure.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { Driver, ev, outputOf } from './history-builder.js';

describe('sub-orchestrations', () => {
  it('start with a default or given instance id and return the child output', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const a = yield ctx.df.callSubOrchestrator('Child', 'Ada');
      const b = yield ctx.df.callSubOrchestrator('Child', 'Bob', `${ctx.df.instanceId}-bob`);
      return [a, b];
    });
    expect(d.start().actions).toEqual([
      { kind: 'CreateSubOrchestration', sequenceId: 0, name: 'Child', instanceId: 'test-instance:0', input: '"Ada"' },
    ]);
    expect(d.run(ev.subCompleted(0, 'Hello Ada')).actions[0]).toMatchObject({ instanceId: 'test-instance-bob' });
    expect(outputOf(d.run(ev.subCompleted(1, 'Hello Bob')))).toEqual(['Hello Ada', 'Hello Bob']);
    expect(d.history.find((e) => e.eventType === 'SubOrchestrationInstanceCreated')).toMatchObject({
      eventId: 0,
      name: 'Child',
      instanceId: 'test-instance:0',
    });
  });

  it("a child failure is catchable, with the original error fields and the host's 'Sub orchestrator function' message", () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      try {
        yield ctx.df.callSubOrchestrator('Child');
        return 'no';
      } catch (err) {
        const e = err as TaskFailedError;
        return {
          name: e.name,
          message: e.message,
          stack: e.stack,
          details: e.details,
          reason: e.reason,
          is: e instanceof Error,
        };
      }
    });
    d.start();
    const failure: HistoryEvent = {
      eventType: 'SubOrchestrationInstanceFailed',
      eventId: -1,
      timestamp: d.history[0]?.timestamp ?? '',
      taskScheduledId: 0,
      reason: "Sub orchestrator function 'Child' failed: bad input",
      failureDetails: {
        errorType: 'ValidationError',
        errorMessage: 'bad input',
        stackTrace: 'ValidationError: bad input\n    at child',
        details: '{"field":"name"}',
      },
    };
    expect(outputOf(d.run(failure))).toEqual({
      name: 'ValidationError',
      message: "Sub orchestrator function 'Child' failed: bad input",
      stack: 'ValidationError: bad input\n    at child',
      details: { field: 'name' },
      reason: "Sub orchestrator function 'Child' failed: bad input",
      is: true,
    });
  });

  it("an uncaught child failure fails the parent with the child's details, its message as the code saw it", () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      return yield ctx.df.callSubOrchestrator('Child');
    });
    d.start();
    const r = d.run(ev.subFailed(0, 'child broke'));
    expect(r.outcome).toEqual({
      status: 'Failed',
      failureDetails: { errorType: 'Error', errorMessage: "Sub orchestrator function 'Child' failed: child broke" },
    });
    expect(r.newHistory.at(-2)).toMatchObject({ eventType: 'ExecutionCompleted', orchestrationStatus: 'Failed' });
  });

  it('an uncaught error of the orchestrator itself records errorType, message, stack and details', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      yield ctx.df.callActivity('A');
      const err = new TypeError('boom');
      (err as TypeError & { details: unknown }).details = { code: 42 };
      throw err;
    });
    d.start();
    const r = d.run(ev.completed(0));
    expect(r.outcome.status).toBe('Failed');
    if (r.outcome.status !== 'Failed') return;
    expect(r.outcome.failureDetails).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'boom',
      details: '{"code":42}',
    });
    expect(r.outcome.failureDetails.stackTrace).toContain('TypeError: boom');
  });

  it('the parent instance id is visible to the child', () => {
    const d = new Driver(
      function* (ctx: OrchestrationContext) {
        yield* [];
        return ctx.df.parentInstanceId;
      },
      { parentInstanceId: 'parent-1' },
    );
    expect(outputOf(d.start())).toBe('parent-1');
  });
});
