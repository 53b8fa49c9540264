// What an unfinished orchestration waits for, read from its stored history alone: timers not fired yet, activities
// and sub-orchestrations not answered (with their attempt number when a retry policy scheduled them again), entity
// operations not answered, and the critical section (lockEntities) it holds or has requested. Pure, one pass.
// A Taskhub extension: Durable Functions' status API has no such field.
import type { HistoryEvent } from '../core/history.js';

/** One thing an instance waits for. Times are ISO 8601 UTC, as in the history. */
export type WaitingItem =
  | { readonly kind: 'timer'; readonly timerId: number; readonly fireAt: string }
  | {
      readonly kind: 'activity';
      readonly name: string;
      readonly taskScheduledId: number;
      readonly scheduledTime: string;
      /** 1 for the first call; n when n - 1 earlier calls with the same name and input failed (a retry policy). */
      readonly attempt: number;
    }
  | {
      readonly kind: 'subOrchestration';
      readonly name: string;
      readonly instanceId: string;
      readonly taskScheduledId: number;
      readonly scheduledTime: string;
      readonly attempt: number;
    }
  | {
      readonly kind: 'entityOperation';
      readonly entityId: string;
      readonly operation: string;
      readonly sentTime: string;
    }
  | {
      readonly kind: 'entityLock';
      /** Scheduler ids (`@name@key`), sorted. */
      readonly entities: readonly string[];
      /** 'held' once the grant arrived, 'requested' while it has not. */
      readonly state: 'held' | 'requested';
    };

export interface WaitingFor {
  /** Unanswered work, timers soonest first, then the rest in history order. */
  readonly items: readonly WaitingItem[];
  /**
   * True when nothing in `items` can wake the instance: an unfinished orchestration then waits for an external event
   * (waitForExternalEvent records nothing in the history, so its name is not known from it) or is stuck.
   */
  readonly onlyExternalEvents: boolean;
}

/** The EventRaised/EventSent name of entity requests (Durable Functions' wire name). */
const ENTITY_REQUEST = 'op';

interface EntityRequestShape {
  readonly id?: string;
  readonly op?: string;
  readonly signal?: boolean;
  readonly lockset?: readonly string[];
  readonly release?: boolean;
}

/**
 * The attempt number of every TaskScheduled and SubOrchestrationInstanceCreated event, by its eventId. A call counts
 * as a retry of an earlier one when both have the same kind, name and input and the earlier one failed; the history
 * does not record the retry policy, so the number of attempts allowed is not known from it.
 */
export function attemptsOf(history: readonly HistoryEvent[]): Map<number, number> {
  const attempts = new Map<number, number>();
  const keyOf = new Map<number, string>();
  /** Failed calls not yet followed by a retry, by key, oldest first. */
  const failed = new Map<string, number[]>();
  for (const e of history) {
    if (e.eventType === 'TaskScheduled' || e.eventType === 'SubOrchestrationInstanceCreated') {
      const key = `${e.eventType}\u0000${e.name}\u0000${e.input ?? ''}`;
      const earlier = failed.get(key)?.shift();
      attempts.set(e.eventId, earlier === undefined ? 1 : earlier + 1);
      keyOf.set(e.eventId, key);
    } else if (e.eventType === 'TaskFailed' || e.eventType === 'SubOrchestrationInstanceFailed') {
      const key = keyOf.get(e.taskScheduledId);
      const attempt = attempts.get(e.taskScheduledId);
      if (key === undefined || attempt === undefined) continue;
      const list = failed.get(key) ?? [];
      list.push(attempt);
      failed.set(key, list);
    }
  }
  return attempts;
}

/** What the history's execution still waits for; a finished execution (ExecutionCompleted) waits for nothing. */
export function waitingFor(history: readonly HistoryEvent[]): WaitingFor {
  const attempts = attemptsOf(history);
  const open = new Map<number, WaitingItem>();
  const timers = new Map<number, WaitingItem>();
  const calls = new Map<string, WaitingItem>();
  let lock: { id: string; entities: readonly string[]; granted: boolean } | undefined;
  for (const e of history) {
    switch (e.eventType) {
      case 'ExecutionCompleted':
      case 'ContinueAsNew':
        return { items: [], onlyExternalEvents: false };
      case 'TaskScheduled':
        open.set(e.eventId, {
          kind: 'activity',
          name: e.name,
          taskScheduledId: e.eventId,
          scheduledTime: e.timestamp,
          attempt: attempts.get(e.eventId) ?? 1,
        });
        break;
      case 'SubOrchestrationInstanceCreated':
        open.set(e.eventId, {
          kind: 'subOrchestration',
          name: e.name,
          instanceId: e.instanceId,
          taskScheduledId: e.eventId,
          scheduledTime: e.timestamp,
          attempt: attempts.get(e.eventId) ?? 1,
        });
        break;
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        open.delete(e.taskScheduledId);
        break;
      case 'TimerCreated':
        timers.set(e.eventId, { kind: 'timer', timerId: e.eventId, fireAt: e.fireAt });
        break;
      case 'TimerFired':
        timers.delete(e.timerId);
        break;
      case 'EventSent': {
        if (e.name !== ENTITY_REQUEST) break;
        const request = parse(e.input);
        if (!request?.id) break;
        if (request.lockset) lock = { id: request.id, entities: request.lockset, granted: false };
        else if (request.release && lock?.id === request.id) lock = undefined;
        else if (request.op !== undefined && !request.signal) {
          calls.set(request.id, {
            kind: 'entityOperation',
            entityId: e.instanceId,
            operation: request.op,
            sentTime: e.timestamp,
          });
        }
        break;
      }
      case 'EventRaised':
        // Entity responses and lock grants arrive as events named by the request id.
        if (lock?.id === e.name) lock.granted = true;
        calls.delete(e.name);
        break;
      default:
        break;
    }
  }
  const items: WaitingItem[] = [...timers.values()].sort((a, b) =>
    a.kind === 'timer' && b.kind === 'timer' ? a.fireAt.localeCompare(b.fireAt) : 0,
  );
  items.push(...open.values(), ...calls.values());
  if (lock) items.push({ kind: 'entityLock', entities: lock.entities, state: lock.granted ? 'held' : 'requested' });
  const wakes = items.some((i) => i.kind !== 'entityLock' || i.state === 'requested');
  return { items, onlyExternalEvents: !wakes };
}

function parse(text: string | undefined): EntityRequestShape | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}
