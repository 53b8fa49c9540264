// The Gantt timeline: one row per activity, timer, sub-orchestration (linked to its own page) and raised event, laid
// on one time axis from the first history event to the last (or now, while something runs). Rows are virtualized.
import { formatDuration, type Span, type Timeline } from './timeline.js';
import { VirtualList } from './virtual-list.js';

const ROW = 24;

export function Gantt({ timeline }: { timeline: Timeline }) {
  const { spans, start, end } = timeline;
  const total = end - start;
  if (spans.length === 0) return <p class="muted">No activities, timers, sub-orchestrations or events yet.</p>;
  const row = (i: number) => {
    const span = spans[i]!;
    const left = ((span.start - start) / total) * 100;
    const width = (((span.end ?? end) - span.start) / total) * 100;
    return (
      <div class="gantt-row" data-testid="gantt-row" title={tooltip(span)}>
        <div class="gantt-label">
          <span class={`kind kind-${span.kind}`}>{span.kind === 'suborchestration' ? 'sub' : span.kind}</span>
          {span.instanceId ? <a href={`#/instances/${encodeURIComponent(span.instanceId)}`}>{span.name}</a> : span.name}
        </div>
        <div class="gantt-track">
          <div
            class={`gantt-bar bar-${span.kind} state-${span.state}`}
            style={{ left: `${left}%`, width: span.kind === 'event' ? '3px' : `max(3px, ${width}%)` }}
          />
          <span class="gantt-duration" style={{ left: `min(${left + width}%, calc(100% - 70px))` }}>
            {span.kind === 'event' ? '' : span.end === undefined ? 'running' : formatDuration(span.end - span.start)}
          </span>
        </div>
      </div>
    );
  };
  return (
    <div class="gantt" data-testid="gantt">
      <div class="gantt-axis">
        <span>{new Date(start).toLocaleTimeString()}</span>
        <span>
          {spans.length} items · {formatDuration(total)}
        </span>
        <span>{new Date(end).toLocaleTimeString()}</span>
      </div>
      <VirtualList count={spans.length} rowHeight={ROW} height={440} renderRow={row} />
    </div>
  );
}

function tooltip(span: Span): string {
  const lines = [`${span.kind} ${span.name}`, `started ${new Date(span.start).toISOString()}`];
  if (span.end !== undefined)
    lines.push(`ended ${new Date(span.end).toISOString()} (${formatDuration(span.end - span.start)})`);
  if (span.failure) lines.push(`failed: ${span.failure}`);
  return lines.join('\n');
}
