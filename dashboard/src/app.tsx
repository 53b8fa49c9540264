// The shell: header, navigation and a hash router (#/, #/instances/<id>, #/entities, #/doctor), so the host serves
// one page and deep links survive a reload.
import { useEffect, useState } from 'preact/hooks';
import { api, type HubInfo } from './api.js';
import { InstanceDetail } from './detail.js';
import { Doctor } from './doctor.js';
import { Entities } from './entities.js';
import { filterFromHash, InstanceList } from './list.js';
import { setTimeZone, timeZone, type TimeZoneChoice } from './time.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = (): void => setHash(location.hash);
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash;
}

export function App() {
  const hash = useHash();
  const [info, setInfo] = useState<HubInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Views read the choice while rendering: changing it here re-renders every one of them.
  const [zone, setZone] = useState<TimeZoneChoice>(timeZone());
  const chooseZone = (next: TimeZoneChoice): void => {
    setTimeZone(next);
    setZone(next);
  };
  useEffect(() => {
    api
      .info()
      .then(setInfo)
      .catch((err: Error) => setError(err.message));
  }, []);
  const route = hash.replace(/^#/, '') || '/';
  const detail = /^\/instances\/(.+)$/.exec(route);
  return (
    <>
      <header>
        <a href="#/" class="brand">
          Taskhub
        </a>
        <nav>
          <a
            href="#/"
            class={!detail && !route.startsWith('/entities') && !route.startsWith('/doctor') ? 'active' : ''}
          >
            Instances
          </a>
          <a href="#/entities" class={route.startsWith('/entities') ? 'active' : ''}>
            Entities
          </a>
          <a href="#/doctor" class={route.startsWith('/doctor') ? 'active' : ''} data-testid="nav-doctor">
            Doctor
          </a>
        </nav>
        <span class="spacer" />
        <span class="zone" role="group" aria-label="Time zone">
          {(['utc', 'local'] as const).map((z) => (
            <button
              key={z}
              type="button"
              class={zone === z ? 'zone-choice active' : 'zone-choice'}
              data-testid={`zone-${z}`}
              aria-pressed={zone === z}
              onClick={() => chooseZone(z)}
            >
              {z === 'utc' ? 'UTC' : 'Local'}
            </button>
          ))}
        </span>
        {info && (
          <span class="hub">
            task hub <b>{info.hubName}</b>
            {info.readOnly && <span class="badge">read-only</span>}
          </span>
        )}
      </header>
      <main>
        {error && (
          <div class="panel error-text">
            {error}
            {/key/i.test(error) && <p>Open the dashboard with ?code=&lt;key&gt; in the address.</p>}
          </div>
        )}
        {info &&
          (detail ? (
            <InstanceDetail key={detail[1]} id={decodeURIComponent(detail[1]!)} info={info} />
          ) : route.startsWith('/entities') ? (
            <Entities info={info} />
          ) : route.startsWith('/doctor') ? (
            <Doctor />
          ) : (
            <InstanceList info={info} initial={filterFromHash(route.split('?')[1] ?? '')} />
          ))}
      </main>
    </>
  );
}
