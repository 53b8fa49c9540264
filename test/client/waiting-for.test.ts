// What an unfinished instance waits for, from hand-written histories: attempts of retried calls (and fanned-out
// identical calls that are not retries), timers soonest first, entity calls and locks, and nothing once it ended.
import { describe, expect, it } from 'vitest';
import { attemptsOf, waitingFor } from '../../src/client/waiting-for.js';
import type { HistoryEvent } from '../../src/core/history.js';

const t = (second: number): string => `2024-05-01T12:00:${String(second).padStart(2, '0')}.000Z`;
const started: HistoryEvent = {
  eventType: 'ExecutionStarted',
  eventId: -1,
  timestamp: t(0),
  name: 'Order',
  instanceId: 'o1',
  executionId: 'e1',
};
const scheduled = (id: number, s: number, name = 'ChargeCard', input = '"card-1"'): HistoryEvent => ({
  eventType: 'TaskScheduled',
  eventId: id,
  timestamp: t(s),
  name,
  input,
});
const failed = (id: number, s: number): HistoryEvent => ({
  eventType: 'TaskFailed',
  eventId: -1,
  timestamp: t(s),
  taskScheduledId: id,
  reason: 'declined',
  failureDetails: { errorType: 'Error', errorMessage: 'declined' },
});
const completed = (id: number, s: number): HistoryEvent => ({
  eventType: 'TaskCompleted',
  eventId: -1,
  timestamp: t(s),
  taskScheduledId: id,
  result: '"ok"',
});
const timer = (id: number, s: number, fireAt: string): HistoryEvent => ({
  eventType: 'TimerCreated',
  eventId: id,
  timestamp: t(s),
  fireAt,
});
const fired = (id: number, s: number, fireAt: string): HistoryEvent => ({
  eventType: 'TimerFired',
  eventId: -1,
  timestamp: t(s),
  timerId: id,
  fireAt,
});

describe('waitingFor', () => {
  it('counts a retry policy’s attempts: two failures, a retry timer each, the third call running', () => {
    const history = [
      started,
      scheduled(0, 1),
      failed(0, 2),
      timer(1, 2, t(3)),
      fired(1, 3, t(3)),
      scheduled(2, 3),
      failed(2, 4),
      timer(3, 4, t(6)),
      fired(3, 6, t(6)),
      scheduled(4, 6),
    ];
    expect(waitingFor(history)).toEqual({
      items: [{ kind: 'activity', name: 'ChargeCard', taskScheduledId: 4, scheduledTime: t(6), attempt: 3 }],
      onlyExternalEvents: false,
    });
    expect([...attemptsOf(history)]).toEqual([
      [0, 1],
      [2, 2],
      [4, 3],
    ]);
  });

  it('does not call fanned-out identical calls retries, nor calls with another input', () => {
    const history = [
      started,
      scheduled(0, 1),
      scheduled(1, 1),
      scheduled(2, 1, 'ChargeCard', '"card-2"'),
      failed(0, 2),
      completed(1, 2),
      scheduled(3, 3),
    ];
    const attempts = attemptsOf(history);
    expect([attempts.get(0), attempts.get(1), attempts.get(2), attempts.get(3)]).toEqual([1, 1, 1, 2]);
    expect(waitingFor(history).items.map((i) => i.kind === 'activity' && i.taskScheduledId)).toEqual([2, 3]);
  });

  it('lists unfired timers soonest first, and unanswered sub-orchestrations', () => {
    const history: HistoryEvent[] = [
      started,
      timer(0, 1, '2024-05-02T00:00:00.000Z'),
      timer(1, 1, '2024-05-01T13:00:00.000Z'),
      {
        eventType: 'SubOrchestrationInstanceCreated',
        eventId: 2,
        timestamp: t(1),
        name: 'Ship',
        instanceId: 'o1:ship',
      },
    ];
    expect(waitingFor(history).items).toEqual([
      { kind: 'timer', timerId: 1, fireAt: '2024-05-01T13:00:00.000Z' },
      { kind: 'timer', timerId: 0, fireAt: '2024-05-02T00:00:00.000Z' },
      {
        kind: 'subOrchestration',
        name: 'Ship',
        instanceId: 'o1:ship',
        taskScheduledId: 2,
        scheduledTime: t(1),
        attempt: 1,
      },
    ]);
  });

  it('follows an entity call to its answer and a lock from request to grant to release', () => {
    const send = (id: number, s: number, to: string, request: object): HistoryEvent => ({
      eventType: 'EventSent',
      eventId: id,
      timestamp: t(s),
      instanceId: to,
      name: 'op',
      input: JSON.stringify(request),
    });
    const raised = (s: number, name: string): HistoryEvent => ({
      eventType: 'EventRaised',
      eventId: -1,
      timestamp: t(s),
      name,
    });
    const lock = send(0, 1, '@counter@a', { id: 'L1', lockset: ['@counter@a', '@counter@b'], pos: 0, parent: 'o1' });
    const call = send(1, 2, '@counter@a', { id: 'C1', op: 'add', parent: 'o1' });
    const signal = send(2, 2, '@counter@b', { id: 'S1', op: 'reset', signal: true });

    expect(waitingFor([started, lock]).items).toEqual([
      { kind: 'entityLock', entities: ['@counter@a', '@counter@b'], state: 'requested' },
    ]);
    const held = waitingFor([started, lock, raised(2, 'L1'), call, signal]);
    expect(held.items).toEqual([
      { kind: 'entityOperation', entityId: '@counter@a', operation: 'add', sentTime: t(2) },
      { kind: 'entityLock', entities: ['@counter@a', '@counter@b'], state: 'held' },
    ]);
    expect(held.onlyExternalEvents).toBe(false);
    const answered = waitingFor([started, lock, raised(2, 'L1'), call, raised(3, 'C1')]);
    expect(answered).toEqual({
      items: [{ kind: 'entityLock', entities: ['@counter@a', '@counter@b'], state: 'held' }],
      onlyExternalEvents: true,
    });
    const released = send(3, 4, '@counter@a', { id: 'L1', release: true, parent: 'o1' });
    expect(waitingFor([started, lock, raised(2, 'L1'), released]).items).toEqual([]);
  });

  it('says nothing wakes an instance that only waits for an external event, and nothing for an ended one', () => {
    expect(waitingFor([started, scheduled(0, 1), completed(0, 2)])).toEqual({ items: [], onlyExternalEvents: true });
    // The approval pattern after the event won: the cancelled timer is pending until it fires, then the end.
    const ended: HistoryEvent[] = [
      started,
      timer(0, 1, '2024-05-01T13:00:00.000Z'),
      { eventType: 'EventRaised', eventId: -1, timestamp: t(2), name: 'Approval' },
      { eventType: 'ExecutionCompleted', eventId: 1, timestamp: t(2), orchestrationStatus: 'Completed' },
    ];
    expect(waitingFor(ended)).toEqual({ items: [], onlyExternalEvents: false });
  });
});
