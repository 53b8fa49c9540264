// Rewind of a failed instance (client.rewind): forget the failures that ended it so a replay waits for those tasks
// again, and list the work to re-run. Pure: the worker stores the new history and schedules the work.
import type { HistoryEvent } from './history.js';

export type RewindWork =
  | { readonly kind: 'task'; readonly sequenceId: number; readonly name: string; readonly input?: string }
  | {
      readonly kind: 'subOrchestration';
      readonly sequenceId: number;
      readonly name: string;
      readonly instanceId: string;
      readonly input?: string;
      /** The version the orchestration asked for, when it named one. */
      readonly version?: string;
    }
  /** A timer that never fired: its TimerFired was dropped while the instance was failed. */
  | { readonly kind: 'timer'; readonly sequenceId: number; readonly fireAt: string };

/** A sub-orchestration the rewound history still waits for (created, no result recorded, not run again). */
export interface AwaitedSubOrchestration {
  readonly sequenceId: number;
  readonly name: string;
  readonly instanceId: string;
  readonly input?: string;
}

export interface RewoundHistory {
  readonly history: HistoryEvent[];
  /** Work to run again, in sequence order. */
  readonly retry: RewindWork[];
  /**
   * Sub-orchestrations still awaited, in sequence order. One still running reports as before; one that ended while
   * this instance was Failed reported to it then, and that report was dropped: the caller looks at each (storage
   * is not ours here) and runs it again or hands over its result.
   */
  readonly awaiting: AwaitedSubOrchestration[];
}

/**
 * Removes ExecutionCompleted(Failed), and the TaskFailed / SubOrchestrationInstanceFailed events recorded after the
 * last action event. Why only those: a failure followed by further actions was observed by the code (caught, or
 * handled by a retry policy whose timer and next attempt follow it), and removing it would make the replay diverge
 * from the actions recorded after it. Failures after the last action took no effect but ending the execution, so
 * without them the replay blocks exactly on the failed tasks. In a retry sequence this re-runs the final attempt: the
 * earlier attempts stay counted, so the retry policy sees one more attempt; the timer that delivered the final
 * failure (created after it, fired before the end) is removed with it.
 *
 * Re-run: every activity and timer the rewound history scheduled without a completion (results and timers that came
 * while the instance was failed were dropped; a duplicate result is dropped again by the engine), and the
 * sub-orchestrations whose failure was removed. Other sub-orchestrations without a result are listed in `awaiting`.
 */
export function rewindHistory(history: readonly HistoryEvent[]): RewoundHistory {
  let lastAction = lastActionBefore(history, history.length);
  // A retry policy's last failure is delivered by the timer that follows it (Durable Functions' shape): a timer
  // created after failures and fired before the end is part of that failure, and goes with it.
  const removedTimer = new Set<number>();
  const last = history[lastAction];
  if (last?.eventType === 'TimerCreated') {
    const previous = lastActionBefore(history, lastAction);
    const fired = history.findIndex(
      (e, i) => i > lastAction && e.eventType === 'TimerFired' && e.timerId === last.eventId,
    );
    const reactsToFailure = history
      .slice(previous + 1, lastAction)
      .some((e) => e.eventType === 'TaskFailed' || e.eventType === 'SubOrchestrationInstanceFailed');
    if (fired >= 0 && reactsToFailure) {
      removedTimer.add(lastAction).add(fired);
      lastAction = previous;
    }
  }
  const removedSubOrchestrations = new Set<number>();
  const rewound = history.filter((e, i) => {
    if (removedTimer.has(i)) return false;
    if (e.eventType === 'ExecutionCompleted') return e.orchestrationStatus !== 'Failed';
    if (i < lastAction) return true;
    if (e.eventType === 'TaskFailed') return false;
    if (e.eventType === 'SubOrchestrationInstanceFailed') {
      removedSubOrchestrations.add(e.taskScheduledId);
      return false;
    }
    return true;
  });

  const open = new Map<number, HistoryEvent>();
  for (const e of rewound) {
    switch (e.eventType) {
      case 'TaskScheduled':
      case 'TimerCreated':
      case 'SubOrchestrationInstanceCreated':
        open.set(e.eventId, e);
        break;
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        open.delete(e.taskScheduledId);
        break;
      case 'TimerFired':
        open.delete(e.timerId);
        break;
      case 'ContinueAsNew':
      case 'ExecutionStarted':
        // A new execution starts with nothing scheduled.
        open.clear();
        break;
      default:
        break;
    }
  }
  const retry: RewindWork[] = [];
  const awaiting: AwaitedSubOrchestration[] = [];
  for (const e of open.values()) {
    if (e.eventType === 'TaskScheduled') {
      retry.push({
        kind: 'task',
        sequenceId: e.eventId,
        name: e.name,
        ...(e.input === undefined ? {} : { input: e.input }),
      });
    } else if (e.eventType === 'TimerCreated') {
      retry.push({ kind: 'timer', sequenceId: e.eventId, fireAt: e.fireAt });
    } else if (e.eventType === 'SubOrchestrationInstanceCreated' && removedSubOrchestrations.has(e.eventId)) {
      retry.push({
        kind: 'subOrchestration',
        sequenceId: e.eventId,
        name: e.name,
        instanceId: e.instanceId,
        ...(e.input === undefined ? {} : { input: e.input }),
        ...(e.version === undefined ? {} : { version: e.version }),
      });
    } else if (e.eventType === 'SubOrchestrationInstanceCreated') {
      awaiting.push({
        sequenceId: e.eventId,
        name: e.name,
        instanceId: e.instanceId,
        ...(e.input === undefined ? {} : { input: e.input }),
      });
    }
  }
  retry.sort((a, b) => a.sequenceId - b.sequenceId);
  awaiting.sort((a, b) => a.sequenceId - b.sequenceId);
  return { history: rewound, retry, awaiting };
}

/** Index of the last action event before `end`, or -1. */
function lastActionBefore(history: readonly HistoryEvent[], end: number): number {
  for (let i = end - 1; i >= 0; i--) if (isAction(history[i] as HistoryEvent)) return i;
  return -1;
}

function isAction(e: HistoryEvent): boolean {
  return (
    e.eventType === 'TaskScheduled' ||
    e.eventType === 'TimerCreated' ||
    e.eventType === 'SubOrchestrationInstanceCreated' ||
    e.eventType === 'EventSent'
  );
}
