// The Gantt timeline: one row per activity, timer, sub-orchestration (linked to its own page) and raised event, laid
// on one time axis from the first history event to the last (or now, while something runs). Rows are virtualized.
// Retried calls say which attempt they are; calls with an input show a short preview, so fanned-out rows differ.
import { attemptText } from '../../src/client/waiting-for.js';
import { formatDuration, type Span, type Timeline } from './timeline.js';
import { formatClock, formatTime, zoneLabel } from './time.js';
import { VirtualList } from './virtual-list.js';

const ROW = 24;
const HINT = 24;

export function Gantt({ timeline }: { timeline: Timeline }) {
  const { spans, start, end } = timeline;
  const total = end - start;
  if (spans.length === 0) return <p class="muted">No activities, timers, sub-orchestrations or events yet.</p>;
  const row = (i: number) => {
    const span = spans[i]!;
    const left = ((span.start - start) / total) * 100;
    const width = (((span.end ?? end) - span.start) / total) * 100;
    const hint = inputHint(span);
    const attempt = span.attempt !== undefined ? attemptText({ ...span, attempt: span.attempt }) : '';
    return (
      <div class="gantt-row" data-testid="gantt-row" data-state={span.state} title={tooltip(span)}>
        <div class="gantt-label">
          <span class={`kind kind-${span.kind}`}>{span.kind === 'suborchestration' ? 'sub' : span.kind}</span>
          {span.instanceId ? (
            <a href={`#/instances/${encodeURIComponent(span.instanceId)}`}>{span.name}</a>
          ) : span.fireAt !== undefined ? (
            `timer until ${dueLabel(span.fireAt, start)}`
          ) : (
            span.name
          )}
          {attempt && (
            <span class="attempt" data-testid="attempt">
              {attempt}
            </span>
          )}
          {hint && (
            <span class="hint mono" data-testid="input-hint">
              {hint}
            </span>
          )}
        </div>
        <div class="gantt-track">
          <div
            class={`gantt-bar bar-${span.kind} state-${span.state}`}
            data-testid="gantt-bar"
            style={{ left: `${left}%`, width: span.kind === 'event' ? '3px' : `max(3px, ${width}%)` }}
          />
          <span
            class="gantt-duration"
            data-testid="gantt-duration"
            style={{ left: `min(${left + width}%, calc(100% - 90px))` }}
          >
            {durationLabel(span)}
          </span>
        </div>
      </div>
    );
  };
  return (
    <div class="gantt" data-testid="gantt">
      <div class="gantt-axis">
        <span>{formatClock(start)}</span>
        <span>
          {spans.length} {spans.length === 1 ? 'item' : 'items'} ·{' '}
          <span data-testid="timeline-total">{formatDuration(total)}</span> · {zoneLabel(start)}
        </span>
        <span>{formatClock(end)}</span>
      </div>
      <VirtualList count={spans.length} rowHeight={ROW} height={440} renderRow={row} />
    </div>
  );
}

/** The due time of day when it falls on the timeline's first day, else date and time. */
function dueLabel(fireAt: string, start: number): string {
  const due = formatTime(fireAt);
  return due.slice(0, 10) === formatTime(start).slice(0, 10) ? due.slice(11) : due;
}

function durationLabel(span: Span): string {
  if (span.kind === 'event') return '';
  if (span.end === undefined) return 'running';
  if (span.state === 'canceled') return span.kind === 'timer' ? 'cancelled' : 'no result';
  return formatDuration(span.end - span.start);
}

/** Up to HINT characters of the call's input, only when it has one worth telling apart (not null or empty). */
function inputHint(span: Span): string | undefined {
  if ((span.kind !== 'activity' && span.kind !== 'suborchestration') || span.input === undefined) return undefined;
  const text = span.input.trim();
  if (text === '' || text === 'null' || text === '""') return undefined;
  return text.length > HINT ? `${text.slice(0, HINT - 1)}…` : text;
}

function tooltip(span: Span): string {
  const lines = [
    span.fireAt !== undefined ? `timer due ${formatTime(span.fireAt, true)}` : `${span.kind} ${span.name}`,
    `started ${formatTime(span.start, true)} ${zoneLabel(span.start)}`,
  ];
  if (span.attempt !== undefined && span.attempt > 1) {
    lines.push(`${attemptText({ ...span, attempt: span.attempt })} (earlier calls failed)`);
  }
  if (span.state === 'canceled') {
    lines.push(
      span.kind === 'timer'
        ? 'never fired: cancelled, or left behind when the orchestration moved on and ended'
        : 'never answered before the orchestration ended',
    );
  } else if (span.end !== undefined)
    lines.push(`ended ${formatTime(span.end, true)} (${formatDuration(span.end - span.start)})`);
  if (span.input !== undefined)
    lines.push(`input ${span.input.length > 200 ? `${span.input.slice(0, 200)}…` : span.input}`);
  if (span.failure) lines.push(`failed: ${span.failure}`);
  return lines.join('\n');
}
