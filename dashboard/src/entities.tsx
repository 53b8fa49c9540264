// Durable entities. Durable Functions stores an entity as an instance named `@name@key`: the page lists those
// instances and shows an entity's state as the management API reads it (GET .../entities/{name}/{key}).
import { useEffect, useState } from 'preact/hooks';
import { api, type HubInfo, type InstanceSummary } from './api.js';
import { JsonView } from './json-view.js';
import { formatTime } from './time.js';

export function Entities({ info }: { info: HubInfo }) {
  const [list, setList] = useState<InstanceSummary[] | null>(null);
  const [selected, setSelected] = useState<{ id: string; exists: boolean; state: unknown } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .list({ prefix: '@', orderBy: 'instanceId' }, 200)
      .then((p) => setList(p.instances))
      .catch((err: Error) => setError(err.message));
  }, []);
  const open = (id: string): void => {
    const [, name = '', ...key] = id.split('@');
    api
      .entityState(name, key.join('@'))
      .then((r) => setSelected({ id, ...r }))
      .catch((err: Error) => setError(err.message));
  };
  return (
    <div class="panel" data-testid="entities">
      <h2>Entities</h2>
      {!info.entities && (
        <p class="notice">
          This host's client cannot read entity state: entities (instances named <code>@name@key</code>) are listed as
          they are stored.
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
                  <td>{formatTime(e.lastUpdatedTime)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {selected && (
        <div data-testid="entity-state">
          <h3>{selected.id}</h3>
          {selected.exists ? (
            <JsonView value={selected.state} />
          ) : (
            <p class="muted">No state (deleted or never set).</p>
          )}
        </div>
      )}
    </div>
  );
}
