// The stored history as a table, one row per event, virtualized; a click shows the whole event.
import { useState } from 'preact/hooks';
import type { HistoryEvent } from './api.js';
import { JsonView } from './json-view.js';
import { formatTime, zoneLabel } from './time.js';
import { VirtualList } from './virtual-list.js';

function summary(e: HistoryEvent): string {
  const parts: string[] = [];
  if (e.name) parts.push(e.name);
  if (e.taskScheduledId !== undefined) parts.push(`for #${e.taskScheduledId}`);
  if (e.timerId !== undefined) parts.push(`timer #${e.timerId}`);
  if (e.fireAt) parts.push(`fires ${e.fireAt}`);
  if (e.instanceId && e.eventType !== 'ExecutionStarted') parts.push(e.instanceId);
  if (e.orchestrationStatus) parts.push(e.orchestrationStatus);
  if (e.failureDetails) parts.push(`${e.failureDetails.errorType}: ${e.failureDetails.errorMessage}`);
  else if (e.reason) parts.push(e.reason);
  const payload = e.result ?? e.input;
  if (payload !== undefined) parts.push(payload.length > 120 ? `${payload.slice(0, 120)}…` : payload);
  return parts.join(' · ');
}

export function HistoryTable({ history }: { history: readonly HistoryEvent[] }) {
  const [open, setOpen] = useState<number | null>(null);
  const selected = open === null ? undefined : history[open];
  return (
    <div class="history" data-testid="history">
      <div class="history-row history-head">
        <span>#</span>
        <span>Event</span>
        <span>Time ({zoneLabel()})</span>
        <span>Details</span>
      </div>
      <VirtualList
        count={history.length}
        rowHeight={24}
        height={400}
        renderRow={(i) => {
          const e = history[i]!;
          return (
            <div class={`history-row ${open === i ? 'selected' : ''}`} onClick={() => setOpen(open === i ? null : i)}>
              <span class="muted">{e.eventId >= 0 ? e.eventId : ''}</span>
              <span class={`event-type ${/Failed/.test(e.eventType) ? 'error-text' : ''}`}>{e.eventType}</span>
              <span class="muted" data-testid="history-time">
                {formatTime(e.timestamp, true)}
              </span>
              <span class="ellipsis">{summary(e)}</span>
            </div>
          );
        }}
      />
      {selected && (
        <div class="event-detail">
          <JsonView value={selected} />
        </div>
      )}
    </div>
  );
}
