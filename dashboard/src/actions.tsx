// The actions on one instance: raise an event (JSON editor), terminate, suspend, resume, rewind, restart, purge.
// Each asks for confirmation; what is offered follows the runtime status, and nothing is offered read-only.
import { useState } from 'preact/hooks';
import { api, type InstanceRecord } from './api.js';
import { JsonEditor } from './json-view.js';
import { Modal } from './modal.js';

type Action = 'raise' | 'terminate' | 'suspend' | 'resume' | 'rewind' | 'restart' | 'purge';

const FINISHED = ['Completed', 'Failed', 'Terminated', 'Canceled'];

function offered(status: string): Action[] {
  if (FINISHED.includes(status)) return status === 'Failed' ? ['rewind', 'restart', 'purge'] : ['restart', 'purge'];
  if (status === 'Suspended') return ['raise', 'resume', 'terminate'];
  return ['raise', 'suspend', 'terminate'];
}

export function InstanceActions({
  instance,
  readOnly,
  onDone,
}: {
  instance: InstanceRecord;
  readOnly: boolean;
  onDone: (message: string, newId?: string) => void;
}) {
  const [action, setAction] = useState<Action | null>(null);
  const [eventName, setEventName] = useState('');
  const [eventData, setEventData] = useState('');
  const [valid, setValid] = useState(true);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (readOnly) return <div class="actions muted">Read-only: actions are disabled on this host.</div>;
  const id = instance.instanceId;

  const run = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      switch (action) {
        case 'raise':
          await api.raiseEvent(id, eventName, eventData.trim() === '' ? null : JSON.parse(eventData));
          onDone(`Raised ${eventName}.`);
          break;
        case 'restart': {
          const started = await api.restart(id);
          onDone(`Restarted as ${started.id}.`, started.id);
          break;
        }
        case 'purge':
          await api.purge(id);
          onDone('Purged.');
          location.hash = '#/';
          break;
        case 'terminate':
        case 'suspend':
        case 'resume':
        case 'rewind':
          await api.control(id, action, reason || undefined);
          onDone(`Requested ${action}.`);
          break;
        case null:
          break;
      }
      setAction(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="actions">
      {offered(instance.runtimeStatus).map((a) => (
        <button
          key={a}
          type="button"
          class={a === 'terminate' || a === 'purge' ? 'danger-outline' : ''}
          data-testid={`action-${a}`}
          onClick={() => {
            setError(null);
            setAction(a);
          }}
        >
          {a === 'raise' ? 'Raise event' : a[0]!.toUpperCase() + a.slice(1)}
        </button>
      ))}
      {action && (
        <Modal
          title={
            action === 'raise' ? `Raise an event on ${id}` : `${action[0]!.toUpperCase()}${action.slice(1)} ${id}?`
          }
          confirmLabel={action === 'raise' ? 'Raise' : action[0]!.toUpperCase() + action.slice(1)}
          danger={action === 'terminate' || action === 'purge'}
          disabled={busy || (action === 'raise' && (eventName.trim() === '' || !valid))}
          onCancel={() => setAction(null)}
          onConfirm={() => void run()}
        >
          {action === 'raise' ? (
            <>
              <label>
                Event name
                <input
                  value={eventName}
                  data-testid="event-name"
                  onInput={(e) => setEventName(e.currentTarget.value)}
                />
              </label>
              <label>Event data (JSON)</label>
              <JsonEditor
                label="Event data (JSON)"
                value={eventData}
                testId="event-data"
                onChange={(text, ok) => {
                  setEventData(text);
                  setValid(ok);
                }}
              />
            </>
          ) : ['terminate', 'suspend', 'resume', 'rewind'].includes(action) ? (
            <label>
              Reason (recorded in the history)
              <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
          ) : action === 'purge' ? (
            <p>The instance and its whole history are deleted. This cannot be undone.</p>
          ) : (
            <p>Starts {instance.name} again with the same input, under a new instance id.</p>
          )}
          {error && <p class="error-text">{error}</p>}
        </Modal>
      )}
    </div>
  );
}
