// From a stored history to the spans the Gantt chart and the sequence diagram draw: each activity, timer and
// sub-orchestration from its scheduling event to the event that completes it (matched by taskScheduledId/timerId),
// and external events as points. Pure, one pass, so a history of 10,000 activities costs milliseconds.
import type { HistoryEvent } from './api.js';

export type SpanKind = 'activity' | 'timer' | 'suborchestration' | 'event';
export type SpanState = 'running' | 'completed' | 'failed';

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
}

export interface Timeline {
  readonly spans: readonly Span[];
  readonly start: number;
  readonly end: number;
}

export function buildTimeline(history: readonly HistoryEvent[], now: number): Timeline {
  const spans: (Span & { -readonly [K in keyof Span]: Span[K] })[] = [];
  const open = new Map<string, number>();
  const time = (e: HistoryEvent): number => Date.parse(e.timestamp);
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
          name: `timer → ${e.fireAt ?? ''}`,
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
      default:
        break;
    }
  }
  const first = history[0] ? time(history[0]) : now;
  const last = history.length > 0 ? time(history[history.length - 1]!) : now;
  const running = spans.some((s) => s.end === undefined);
  return { spans, start: first, end: Math.max(running ? now : last, first + 1) };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
