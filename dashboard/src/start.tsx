// Starting an instance from the dashboard: an orchestrator picked from the app's registry (names the host knows),
// its input as JSON checked before anything is sent, an optional instance id and version. It goes through the
// management API's start route, so keys and --read-only apply as to every other action.
import { useState } from 'preact/hooks';
import { api, type HubInfo } from './api.js';
import { JsonEditor } from './json-view.js';
import { Modal } from './modal.js';

export function StartInstance({ info, onClose }: { info: HubInfo; onClose: () => void }) {
  const names = [...info.orchestrations].sort();
  const [name, setName] = useState(names[0] ?? '');
  const [input, setInput] = useState('');
  const [valid, setValid] = useState(true);
  const [instanceId, setInstanceId] = useState('');
  const [version, setVersion] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const start = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const id = await api.start(
        name,
        input.trim() === '' ? undefined : JSON.parse(input),
        instanceId.trim() || undefined,
        version.trim() || undefined,
      );
      onClose();
      location.hash = `#/instances/${encodeURIComponent(id)}`;
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Start an instance"
      confirmLabel="Start"
      disabled={busy || name.trim() === '' || !valid}
      onCancel={onClose}
      onConfirm={() => void start()}
    >
      <label>
        Orchestrator
        {names.length > 0 ? (
          <select value={name} data-testid="start-name" onChange={(e) => setName(e.currentTarget.value)}>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        ) : (
          // A dashboard without the app (taskhub dashboard) knows no names: type one.
          <input value={name} data-testid="start-name" onInput={(e) => setName(e.currentTarget.value)} />
        )}
      </label>
      <label>
        New instance id (optional; a new GUID otherwise)
        <input value={instanceId} data-testid="start-id" onInput={(e) => setInstanceId(e.currentTarget.value)} />
      </label>
      <label>
        Version (optional; the app's default otherwise)
        <input value={version} data-testid="start-version" onInput={(e) => setVersion(e.currentTarget.value)} />
      </label>
      <label>Input (JSON; empty for none)</label>
      <JsonEditor
        label="Input (JSON; empty for none)"
        value={input}
        testId="start-input"
        onChange={(text, ok) => {
          setInput(text);
          setValid(ok);
        }}
      />
      {error && (
        <p class="error-text" data-testid="start-error">
          {error}
        </p>
      )}
    </Modal>
  );
}
