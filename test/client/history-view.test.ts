// The status API's history rendering (reference part D), from hand-written histories.
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/history.js';
import { renderHistory } from '../../src/client/history-view.js';

const t = (second: number): string => `2024-05-01T12:00:${String(second).padStart(2, '0')}.000Z`;

const os = (s: number): HistoryEvent => ({ eventType: 'OrchestratorStarted', eventId: -1, timestamp: t(s) });
const oc = (s: number): HistoryEvent => ({ eventType: 'OrchestratorCompleted', eventId: -1, timestamp: t(s) });

/** Chaining with two activities: the shape of Durable Functions' E1_HelloSequence. */
const chain: HistoryEvent[] = [
  os(0),
  {
    eventType: 'ExecutionStarted',
    eventId: -1,
    timestamp: t(0),
    name: 'Hello',
    instanceId: 'i1',
    executionId: 'e1',
    input: '{"city":"Tokyo"}',
  },
  { eventType: 'TaskScheduled', eventId: 0, timestamp: t(1), name: 'SayHello', input: '"Tokyo"' },
  oc(1),
  os(2),
  { eventType: 'TaskCompleted', eventId: -1, timestamp: t(2), taskScheduledId: 0, result: '"Hello Tokyo!"' },
  { eventType: 'TaskScheduled', eventId: 1, timestamp: t(2), name: 'SayHello', input: '"Seattle"' },
  oc(2),
  os(3),
  { eventType: 'TaskCompleted', eventId: -1, timestamp: t(3), taskScheduledId: 1, result: '"Hello Seattle!"' },
  {
    eventType: 'ExecutionCompleted',
    eventId: 2,
    timestamp: t(3),
    orchestrationStatus: 'Completed',
    result: '["Hello Tokyo!","Hello Seattle!"]',
  },
  oc(3),
];

describe('renderHistory', () => {
  it('renders a chain as Durable Functions does, outputs hidden by default', () => {
    expect(renderHistory(chain)).toEqual([
      { EventType: 'ExecutionStarted', Timestamp: t(0), FunctionName: 'Hello', Input: { city: 'Tokyo' } },
      { EventType: 'TaskCompleted', Timestamp: t(2), FunctionName: 'SayHello', ScheduledTime: t(1), Input: 'Tokyo' },
      { EventType: 'TaskCompleted', Timestamp: t(3), FunctionName: 'SayHello', ScheduledTime: t(2), Input: 'Seattle' },
      { EventType: 'ExecutionCompleted', Timestamp: t(3), OrchestrationStatus: 'Completed' },
    ]);
  });

  it('includes parsed results only with showHistoryOutput', () => {
    const view = renderHistory(chain, { showHistoryOutput: true });
    expect(view[1]).toMatchObject({ Result: 'Hello Tokyo!' });
    expect(view[3]).toEqual({
      EventType: 'ExecutionCompleted',
      Timestamp: t(3),
      OrchestrationStatus: 'Completed',
      Result: ['Hello Tokyo!', 'Hello Seattle!'],
    });
  });

  it('removes every Input when showInput is false', () => {
    const view = renderHistory(chain, { showInput: false, showHistoryOutput: true });
    for (const event of view) expect(event).not.toHaveProperty('Input');
    expect(view[0]).toEqual({ EventType: 'ExecutionStarted', Timestamp: t(0), FunctionName: 'Hello' });
  });

  it('never shows episode markers, EventId, IsPlayed, TaskScheduledId or TimerId', () => {
    const timer: HistoryEvent[] = [
      ...chain.slice(0, 2),
      { eventType: 'TimerCreated', eventId: 0, timestamp: t(1), fireAt: t(30) },
      { eventType: 'TimerFired', eventId: -1, timestamp: t(31), timerId: 0, fireAt: t(30) },
    ];
    const view = renderHistory([...chain, ...timer]);
    const keys = new Set(view.flatMap((event) => Object.keys(event)));
    for (const hidden of ['EventId', 'IsPlayed', 'TaskScheduledId', 'TimerId', 'eventId', 'timestamp']) {
      expect(keys.has(hidden)).toBe(false);
    }
    expect(view.map((event) => event.EventType)).not.toContain('OrchestratorStarted');
    expect(view.map((event) => event.EventType)).not.toContain('OrchestratorCompleted');
    expect(view.slice(-2)).toEqual([
      { EventType: 'TimerCreated', Timestamp: t(1), FireAt: t(30) },
      { EventType: 'TimerFired', Timestamp: t(31), FireAt: t(30) },
    ]);
  });

  it('keeps a scheduled task that has not completed yet', () => {
    const running = chain.slice(0, 4);
    expect(renderHistory(running)).toEqual([
      { EventType: 'ExecutionStarted', Timestamp: t(0), FunctionName: 'Hello', Input: { city: 'Tokyo' } },
      { EventType: 'TaskScheduled', Timestamp: t(1), Name: 'SayHello', Input: 'Tokyo' },
    ]);
  });

  it('merges fan-out completions with their own scheduling events, whatever the order', () => {
    const fan: HistoryEvent[] = [
      chain[1]!,
      { eventType: 'TaskScheduled', eventId: 0, timestamp: t(1), name: 'A' },
      { eventType: 'TaskScheduled', eventId: 1, timestamp: t(2), name: 'B' },
      { eventType: 'TaskCompleted', eventId: -1, timestamp: t(5), taskScheduledId: 1, result: '2' },
      { eventType: 'TaskCompleted', eventId: -1, timestamp: t(6), taskScheduledId: 0, result: '1' },
    ];
    expect(renderHistory(fan, { showHistoryOutput: true }).slice(1)).toEqual([
      { EventType: 'TaskCompleted', Timestamp: t(5), FunctionName: 'B', ScheduledTime: t(2), Result: 2 },
      { EventType: 'TaskCompleted', Timestamp: t(6), FunctionName: 'A', ScheduledTime: t(1), Result: 1 },
    ]);
  });

  it('renders a failed activity with Reason, Details and PascalCase FailureDetails', () => {
    const failed: HistoryEvent[] = [
      { eventType: 'TaskScheduled', eventId: 0, timestamp: t(1), name: 'Charge', input: '{"amount":5}' },
      {
        eventType: 'TaskFailed',
        eventId: -1,
        timestamp: t(2),
        taskScheduledId: 0,
        reason: 'Card declined',
        details: '{"code":51}',
        failureDetails: {
          errorType: 'PaymentError',
          errorMessage: 'Card declined',
          stackTrace: 'PaymentError: Card declined\n    at charge',
          details: '{"code":51}',
          innerFailure: { errorType: 'Error', errorMessage: 'inner' },
          isNonRetriable: true,
        },
      },
      {
        eventType: 'ExecutionCompleted',
        eventId: 1,
        timestamp: t(3),
        orchestrationStatus: 'Failed',
        failureDetails: { errorType: 'TaskFailedError', errorMessage: "Activity function 'Charge' failed" },
      },
    ];
    expect(renderHistory(failed)).toEqual([
      {
        EventType: 'TaskFailed',
        Timestamp: t(2),
        FunctionName: 'Charge',
        ScheduledTime: t(1),
        Input: { amount: 5 },
        Reason: 'Card declined',
        Details: '{"code":51}',
        FailureDetails: {
          ErrorType: 'PaymentError',
          ErrorMessage: 'Card declined',
          StackTrace: 'PaymentError: Card declined\n    at charge',
          Details: '{"code":51}',
          InnerFailure: { ErrorType: 'Error', ErrorMessage: 'inner' },
          IsNonRetriable: true,
        },
      },
      {
        EventType: 'ExecutionCompleted',
        Timestamp: t(3),
        OrchestrationStatus: 'Failed',
        FailureDetails: { ErrorType: 'TaskFailedError', ErrorMessage: "Activity function 'Charge' failed" },
      },
    ]);
  });

  it('merges sub-orchestrations the same way, and only with their own kind', () => {
    const sub: HistoryEvent[] = [
      {
        eventType: 'SubOrchestrationInstanceCreated',
        eventId: 0,
        timestamp: t(1),
        name: 'Child',
        instanceId: 'c1',
        input: '1',
      },
      { eventType: 'TaskScheduled', eventId: 1, timestamp: t(1), name: 'Act' },
      {
        eventType: 'SubOrchestrationInstanceCompleted',
        eventId: -1,
        timestamp: t(4),
        taskScheduledId: 0,
        result: '"ok"',
      },
      {
        eventType: 'SubOrchestrationInstanceFailed',
        eventId: -1,
        timestamp: t(5),
        taskScheduledId: 1,
        reason: 'boom',
        failureDetails: { errorType: 'Error', errorMessage: 'boom' },
      },
    ];
    expect(renderHistory(sub, { showHistoryOutput: true })).toEqual([
      // The failure names id 1, which is a task, not a sub-orchestration: nothing to merge, the task stays.
      { EventType: 'TaskScheduled', Timestamp: t(1), Name: 'Act' },
      {
        EventType: 'SubOrchestrationInstanceCompleted',
        Timestamp: t(4),
        FunctionName: 'Child',
        ScheduledTime: t(1),
        Input: 1,
        Result: 'ok',
      },
      {
        EventType: 'SubOrchestrationInstanceFailed',
        Timestamp: t(5),
        Reason: 'boom',
        FailureDetails: { ErrorType: 'Error', ErrorMessage: 'boom' },
      },
    ]);
  });

  it('renders events, terminate, suspend/resume, rewind, continue-as-new and generic events', () => {
    const misc: HistoryEvent[] = [
      { eventType: 'EventRaised', eventId: -1, timestamp: t(1), name: 'Approval', input: 'true' },
      { eventType: 'EventSent', eventId: 0, timestamp: t(2), instanceId: 'other', name: 'Ping', input: '{"n":1}' },
      { eventType: 'ExecutionSuspended', eventId: -1, timestamp: t(3), reason: 'maintenance' },
      { eventType: 'ExecutionResumed', eventId: -1, timestamp: t(4) },
      { eventType: 'ExecutionRewound', eventId: -1, timestamp: t(5), reason: 'retry' },
      { eventType: 'GenericEvent', eventId: -1, timestamp: t(6), data: 'x' },
      { eventType: 'ContinueAsNew', eventId: 1, timestamp: t(7), result: '5' },
      { eventType: 'ExecutionTerminated', eventId: -1, timestamp: t(8), input: '"stop"' },
    ];
    expect(renderHistory(misc, { showHistoryOutput: true })).toEqual([
      { EventType: 'EventRaised', Timestamp: t(1), Name: 'Approval', Input: true },
      { EventType: 'EventSent', Timestamp: t(2), InstanceId: 'other', Name: 'Ping', Input: { n: 1 } },
      { EventType: 'ExecutionSuspended', Timestamp: t(3), Reason: 'maintenance' },
      { EventType: 'ExecutionResumed', Timestamp: t(4) },
      { EventType: 'ExecutionRewound', Timestamp: t(5), Reason: 'retry' },
      { EventType: 'GenericEvent', Timestamp: t(6), Data: 'x' },
      { EventType: 'ContinueAsNew', Timestamp: t(7), Result: 5 },
      { EventType: 'ExecutionTerminated', Timestamp: t(8), Input: 'stop' },
    ]);
  });

  it('shows payloads that are not JSON as the stored text', () => {
    const odd: HistoryEvent[] = [
      { eventType: 'EventRaised', eventId: -1, timestamp: t(1), name: 'E', input: 'not json' },
    ];
    expect(renderHistory(odd)).toEqual([{ EventType: 'EventRaised', Timestamp: t(1), Name: 'E', Input: 'not json' }]);
  });
});
