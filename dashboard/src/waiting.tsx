// "Waiting for": what a Running (or Suspended) instance still waits for, as the server read it from the history.
// One sentence per item for the detail page, one short line for the list's column.
import { attemptText, describeVersionWait } from '../../src/client/waiting-for.js';
import type { WaitingFor, WaitingItem } from './api.js';
import { formatTime, zoneLabel } from './time.js';

function attempt(item: { readonly attempt: number; readonly maxAttempts?: number }): string {
  const text = attemptText(item);
  return text ? `, ${text}` : '';
}

export function describeWaiting(item: WaitingItem): string {
  switch (item.kind) {
    case 'timer':
      return `timer due ${formatTime(item.fireAt)} ${zoneLabel(Date.parse(item.fireAt))}`;
    case 'activity':
      return `activity ${item.name}${attempt(item)}`;
    case 'subOrchestration':
      return `sub-orchestration ${item.name} (${item.instanceId})${attempt(item)}`;
    case 'entityOperation':
      return `entity ${item.entityId}: ${item.operation}`;
    case 'entityLock':
      return `${item.state === 'held' ? 'holds the lock on' : 'requested the lock on'} ${item.entities.join(', ')}`;
    default: {
      const unhandled: never = item;
      return String(unhandled);
    }
  }
}

const EXTERNAL = 'an external event (waitForExternalEvent: its name is not in the history)';

/** The list's column: the first item and how many more, or the external-event case. */
export function waitingSummary(waiting: WaitingFor | null | undefined): string {
  if (waiting === undefined) return '';
  if (waiting === null) return 'see details';
  // Nothing else can happen before a worker that runs the instance's version claims it.
  if (waiting.worker) return describeVersionWait(waiting.worker);
  const wakes = waiting.items.filter((i) => i.kind !== 'entityLock' || i.state === 'requested');
  if (waiting.onlyExternalEvents) return 'external event';
  const first = wakes[0];
  if (!first) return '';
  return wakes.length > 1 ? `${describeWaiting(first)} +${wakes.length - 1}` : describeWaiting(first);
}

export function WaitingPanel({ waiting, status }: { waiting: WaitingFor; status: string }) {
  return (
    <div class="panel waiting" data-testid="waiting-for">
      <h3>Waiting for{status === 'Suspended' ? ' (after it is resumed)' : ''}</h3>
      <ul>
        {waiting.worker && (
          <li data-testid="waiting-item" class="waiting-worker">
            {describeVersionWait(waiting.worker)}
            {waiting.items.length > 0 || waiting.onlyExternalEvents ? ', then:' : ''}
          </li>
        )}
        {waiting.items.map((item, i) => (
          <li key={i} data-testid="waiting-item">
            {describeWaiting(item)}
          </li>
        ))}
        {waiting.onlyExternalEvents && <li data-testid="waiting-item">{EXTERNAL}</li>}
      </ul>
    </div>
  );
}
