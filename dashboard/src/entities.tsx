// Durable entities. Durable Functions stores an entity as an instance named `@name@key`; until this host's entity
// API exists, the page lists those instances and says what is missing rather than guessing at their state.
import { useEffect, useState } from 'preact/hooks';
import { api, parseJson, type HubInfo, type InstanceRecord, type InstanceSummary } from './api.js';
import { JsonView } from './json-view.js';

export function Entities({ info }: { info: HubInfo }) {
  const [list, setList] = useState<InstanceSummary[] | null>(null);
  const [selected, setSelected] = useState<InstanceRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .list({ prefix: '@', orderBy: 'instanceId' }, 200)
      .then((p) => setList(p.instances))
      .catch((err: Error) => setError(err.message));
  }, []);
  const open = (id: string): void => {
    api
      .detail(id)
      .then((d) => setSelected(d.instance))
      .catch((err: Error) => setError(err.message));
  };
  return (
    <div class="panel" data-testid="entities">
      <h2>Entities</h2>
      {!info.entities && (
        <p class="notice">
          This host has no entity API yet: entities (instances named <code>@name@key</code>) are listed as they are
          stored, with the state the store holds for them. Signals and state queries arrive with durable entities.
        </p>
      )}
      {error && <p class="error-text">{error}</p>}
      {list && list.length === 0 && <p class="muted">No entities in this task hub.</p>}
      {list && list.length > 0 && (
        <table class="instances">
          <thead>
            <tr>
              <th>Entity</th>
              <th>Key</th>
              <th>Last updated</th>
            </tr>
          </thead>
          <tbody>
            {list.map((e) => {
              const [, name, ...key] = e.instanceId.split('@');
              return (
                <tr key={e.instanceId} onClick={() => open(e.instanceId)} class="clickable">
                  <td>{name}</td>
                  <td class="mono">{key.join('@')}</td>
                  <td>{new Date(e.lastUpdatedTime).toLocaleString()}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {selected && (
        <div>
          <h3>{selected.instanceId}</h3>
          <JsonView value={parseJson(selected.customStatus ?? selected.input)} />
        </div>
      )}
    </div>
  );
}
