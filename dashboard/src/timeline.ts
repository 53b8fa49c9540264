// From a stored history to the spans the Gantt chart and the sequence diagram draw: each activity, timer and
// sub-orchestration from its scheduling event to the event that completes it (matched by taskScheduledId/timerId),
// and external events as points. Pure, one pass, so a history of 10,000 activities costs milliseconds.
// Once the execution has ended, nothing in it runs any more: a timer that never fired was cancelled (or lost a race
// and was left), other unanswered work was abandoned; both end where the execution ended, which ends the axis.
import { attemptsOf } from '../../src/client/waiting-for.js';
import type { HistoryEvent as StoredEvent } from '../../src/core/history.js';
import type { HistoryEvent } from './api.js';

export { formatDuration } from './duration.js';

export type SpanKind = 'activity' | 'timer' | 'suborchestration' | 'event';
/** 'canceled': a timer that never fired, or work never answered, in an execution that has ended. */
export type SpanState = 'running' | 'completed' | 'failed' | 'canceled';

export interface Span {
  readonly kind: SpanKind;
  readonly name: string;
  /** ms since the epoch. */
  readonly start: number;
  /** Undefined while it runs. */
  readonly end: number | undefined;
  readonly state: SpanState;
  /** The sub-orchestration's instance id. */
  readonly instanceId?: string;
  readonly input?: string;
  readonly result?: string;
  readonly failure?: string;
  /** Timers: when the timer is (or was) due, ISO 8601 UTC. */
  readonly fireAt?: string;
  /** Activities and sub-orchestrations: 2 and up for a call made again after the same call failed (a retry). */
  readonly attempt?: number;
  /** The retry policy's maxNumberOfAttempts, when the scheduling event records it (Taskhub's `maxAttempts`). */
  readonly maxAttempts?: number;
}

export interface Timeline {
  readonly spans: readonly Span[];
  readonly start: number;
  readonly end: number;
  /** The execution has ended (completed, failed, terminated, continued as new). */
  readonly finished: boolean;
}

export function buildTimeline(history: readonly HistoryEvent[], now: number): Timeline {
  const spans: (Span & { -readonly [K in keyof Span]: Span[K] })[] = [];
  const open = new Map<string, number>();
  const time = (e: HistoryEvent): number => Date.parse(e.timestamp);
  const attempts = attemptsOf(history as unknown as readonly StoredEvent[]);
  let finishedAt: number | undefined;
  const close = (key: string, e: HistoryEvent, state: SpanState, extra: Partial<Span> = {}): void => {
    const index = open.get(key);
    if (index === undefined) return;
    open.delete(key);
    Object.assign(spans[index]!, { end: time(e), state, ...extra });
  };
  for (const e of history) {
    switch (e.eventType) {
      case 'TaskScheduled':
        open.set(`t${e.eventId}`, spans.length);
        spans.push({
          kind: 'activity',
          name: e.name ?? '?',
          start: time(e),
          end: undefined,
          state: 'running',
          input: e.input,
          attempt: attempts.get(e.eventId),
          maxAttempts: typeof e.maxAttempts === 'number' ? e.maxAttempts : undefined,
        });
        break;
      case 'TaskCompleted':
        close(`t${e.taskScheduledId}`, e, 'completed', { result: e.result });
        break;
      case 'TaskFailed':
        close(`t${e.taskScheduledId}`, e, 'failed', { failure: e.failureDetails?.errorMessage ?? e.reason });
        break;
      case 'SubOrchestrationInstanceCreated':
        open.set(`s${e.eventId}`, spans.length);
        spans.push({
          kind: 'suborchestration',
          name: e.name ?? '?',
          start: time(e),
          end: undefined,
          state: 'running',
          instanceId: e.instanceId,
          input: e.input,
          attempt: attempts.get(e.eventId),
          maxAttempts: typeof e.maxAttempts === 'number' ? e.maxAttempts : undefined,
        });
        break;
      case 'SubOrchestrationInstanceCompleted':
        close(`s${e.taskScheduledId}`, e, 'completed', { result: e.result });
        break;
      case 'SubOrchestrationInstanceFailed':
        close(`s${e.taskScheduledId}`, e, 'failed', { failure: e.failureDetails?.errorMessage ?? e.reason });
        break;
      case 'TimerCreated':
        open.set(`m${e.eventId}`, spans.length);
        spans.push({
          kind: 'timer',
          name: 'timer',
          fireAt: e.fireAt,
          start: time(e),
          end: undefined,
          state: 'running',
        });
        break;
      case 'TimerFired':
        close(`m${e.timerId}`, e, 'completed');
        break;
      case 'EventRaised':
        spans.push({
          kind: 'event',
          name: e.name ?? '?',
          start: time(e),
          end: time(e),
          state: 'completed',
          input: e.input,
        });
        break;
      case 'ExecutionCompleted':
      case 'ContinueAsNew':
        finishedAt ??= time(e);
        break;
      default:
        break;
    }
  }
  const first = history[0] ? time(history[0]) : now;
  if (finishedAt !== undefined) {
    for (const span of spans) {
      if (span.end === undefined) Object.assign(span, { end: Math.max(finishedAt, span.start), state: 'canceled' });
    }
  }
  const last = history.length > 0 ? time(history[history.length - 1]!) : now;
  const running = spans.some((s) => s.end === undefined);
  return {
    spans,
    start: first,
    end: Math.max(running ? now : last, first + 1),
    finished: finishedAt !== undefined,
  };
}
