// The sequence diagram: the orchestrator's lifeline and one per activity name, sub-orchestration name, timers and
// external events, with one arrow per call and per answer in history order. Rows are virtualized like the Gantt.
import type { Span } from './timeline.js';
import { VirtualList } from './virtual-list.js';

interface Message {
  readonly from: number;
  readonly to: number;
  readonly label: string;
  readonly failed: boolean;
  readonly time: number;
}

const ROW = 26;
const MAX_LANES = 9;

export function SequenceDiagram({ spans, orchestrator }: { spans: readonly Span[]; orchestrator: string }) {
  const lanes = [orchestrator];
  const laneOf = (name: string): number => {
    const index = lanes.indexOf(name);
    if (index >= 0) return index;
    if (lanes.length >= MAX_LANES) return lanes.length - 1;
    lanes.push(lanes.length === MAX_LANES - 1 ? '(others)' : name);
    return lanes.length - 1;
  };
  const messages: Message[] = [];
  for (const span of spans) {
    const lane =
      span.kind === 'timer' ? laneOf('timers') : span.kind === 'event' ? laneOf('external events') : laneOf(span.name);
    if (span.kind === 'event') {
      messages.push({ from: lane, to: 0, label: `raise ${span.name}`, failed: false, time: span.start });
      continue;
    }
    messages.push({
      from: 0,
      to: lane,
      label: span.kind === 'timer' ? 'create timer' : `call ${span.name}`,
      failed: false,
      time: span.start,
    });
    if (span.end !== undefined) {
      const label =
        span.state === 'canceled'
          ? span.kind === 'timer'
            ? 'never fired (cancelled)'
            : 'no result'
          : span.kind === 'timer'
            ? 'fired'
            : span.state === 'failed'
              ? `failed: ${span.failure ?? ''}`
              : 'result';
      messages.push({ from: lane, to: 0, label, failed: span.state === 'failed', time: span.end });
    }
  }
  // Calls and answers interleave in time, as they happened.
  messages.sort((a, b) => a.time - b.time);
  const x = (lane: number): string => `${((lane + 0.5) / lanes.length) * 100}%`;
  const row = (i: number) => {
    const m = messages[i]!;
    const right = m.to > m.from;
    return (
      <svg class="seq-row" width="100%" height={ROW}>
        {lanes.map((_, lane) => (
          <line key={lane} x1={x(lane)} x2={x(lane)} y1="0" y2={ROW} class="lifeline" />
        ))}
        <line x1={x(m.from)} x2={x(m.to)} y1={ROW - 6} y2={ROW - 6} class={m.failed ? 'arrow failed' : 'arrow'} />
        <circle cx={x(m.to)} cy={ROW - 6} r="3" class={m.failed ? 'arrow-head failed' : 'arrow-head'} />
        <text x={x(Math.min(m.from, m.to))} dx={right ? 6 : 6} y={ROW - 10} class="seq-label">
          {m.label.length > 60 ? `${m.label.slice(0, 60)}…` : m.label}
        </text>
      </svg>
    );
  };
  return (
    <div class="sequence" data-testid="sequence">
      <div class="seq-heads">
        {lanes.map((lane) => (
          <div key={lane} class="seq-head" title={lane}>
            {lane}
          </div>
        ))}
      </div>
      {messages.length === 0 ? (
        <p class="muted">Nothing called yet.</p>
      ) : (
        <VirtualList count={messages.length} rowHeight={ROW} height={440} renderRow={row} />
      )}
    </div>
  );
}
