// One instance: its status, payloads and failure, its actions, and three views of its history (Gantt timeline,
// sequence diagram, event table). Refetched whenever the live feed reports a change to it.
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  api,
  parseJson,
  subscribeFeed,
  type HistoryEvent,
  type HubInfo,
  type InstanceRecord,
  type WaitingFor,
} from './api.js';
import { InstanceActions } from './actions.js';
import { Gantt } from './gantt.js';
import { HistoryTable } from './history-table.js';
import { JsonView } from './json-view.js';
import { SequenceDiagram } from './sequence.js';
import { buildTimeline, formatDuration } from './timeline.js';
import { StatusBadge } from './status.js';
import { formatTime, zoneLabel } from './time.js';
import { WaitingPanel } from './waiting.js';

type Tab = 'timeline' | 'sequence' | 'history';

export function InstanceDetail({ id, info }: { id: string; info: HubInfo }) {
  const [data, setData] = useState<{
    instance: InstanceRecord;
    history: HistoryEvent[];
    waitingFor?: WaitingFor;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('timeline');
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    let inFlight = false;
    const load = (): void => {
      if (inFlight) return;
      inFlight = true;
      api
        .detail(id)
        .then((d) => !cancelled && (setData(d), setError(null)))
        .catch((err: Error) => !cancelled && setError(err.message))
        .finally(() => (inFlight = false));
    };
    load();
    const unsubscribe = subscribeFeed((changed) => {
      if (changed === null || changed.some((s) => s.instanceId === id || s.parentInstanceId === id)) load();
    });
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [id]);

  const timeline = useMemo(() => (data ? buildTimeline(data.history, Date.now()) : null), [data]);
  if (error && !data) return <div class="panel error-text">{error}</div>;
  if (!data || !timeline) return <div class="panel muted">Loading {id}…</div>;
  const { instance } = data;
  const failure = instance.failureDetails;
  const took = Date.parse(instance.lastUpdatedTime) - Date.parse(instance.createdTime);
  // Sub-orchestrations this execution started, each linked to its own page.
  const children = data.history.filter((e) => e.eventType === 'SubOrchestrationInstanceCreated' && e.instanceId);
  // Taskhub records on the start event the instance a restart came from, and the version it was started with.
  const started = data.history.find((e) => e.eventType === 'ExecutionStarted');
  const restartedFrom = typeof started?.restartedFrom === 'string' ? started.restartedFrom : undefined;
  const version = typeof started?.version === 'string' && started.version !== '' ? started.version : undefined;

  return (
    <div class="detail">
      <div class="panel">
        <div class="detail-head">
          <div>
            <div class="muted small">{instance.name}</div>
            <h2 data-testid="instance-id">{instance.instanceId}</h2>
          </div>
          <StatusBadge status={instance.runtimeStatus} testId="detail-status" />
        </div>
        <dl class="facts">
          <dt>Created</dt>
          <dd data-testid="created-time">
            {formatTime(instance.createdTime)} <span class="muted">{zoneLabel(Date.parse(instance.createdTime))}</span>
          </dd>
          <dt>Last updated</dt>
          <dd>
            {formatTime(instance.lastUpdatedTime)} <span class="muted">({formatDuration(took)} after start)</span>
          </dd>
          <dt>Execution</dt>
          <dd class="mono">{instance.executionId}</dd>
          <dt>History</dt>
          <dd>
            {data.history.length} events ·{' '}
            <a
              href={api.exportUrl(instance.instanceId)}
              download={`${instance.instanceId}.history.json`}
              data-testid="download-history"
              title="The file taskhub replay reads"
            >
              download JSON
            </a>
          </dd>
          {instance.parentInstanceId && (
            <>
              <dt>Parent</dt>
              <dd>
                <a href={`#/instances/${encodeURIComponent(instance.parentInstanceId)}`} data-testid="parent-link">
                  {instance.parentInstanceId}
                </a>
              </dd>
            </>
          )}
          {restartedFrom && (
            <>
              <dt>Restarted from</dt>
              <dd>
                <a href={`#/instances/${encodeURIComponent(restartedFrom)}`} data-testid="restarted-from">
                  {restartedFrom}
                </a>
              </dd>
            </>
          )}
          {version && (
            <>
              <dt>Version</dt>
              <dd class="mono" data-testid="version">
                {version}
              </dd>
            </>
          )}
          {children.length > 0 && (
            <>
              <dt>Children</dt>
              <dd class="children">
                {children.slice(0, 20).map((e) => (
                  <a key={e.eventId} href={`#/instances/${encodeURIComponent(e.instanceId!)}`} data-testid="child-link">
                    {e.instanceId}
                  </a>
                ))}
                {children.length > 20 && <span class="muted"> and {children.length - 20} more (see the timeline)</span>}
              </dd>
            </>
          )}
        </dl>
        <InstanceActions
          instance={instance}
          readOnly={info.readOnly}
          onDone={(message, newId) => {
            setNotice(message);
            if (newId && newId !== id) location.hash = `#/instances/${encodeURIComponent(newId)}`;
          }}
        />
        {notice && <div class="notice">{notice}</div>}
      </div>

      {data.waitingFor && <WaitingPanel waiting={data.waitingFor} status={instance.runtimeStatus} />}

      <div class="grid3">
        <div class="panel">
          <h3>Input</h3>
          <JsonView value={parseJson(instance.input)} testId="input" />
        </div>
        <div class="panel">
          <h3>Output</h3>
          <JsonView value={parseJson(instance.output)} testId="output" />
        </div>
        <div class="panel">
          <h3>Custom status</h3>
          <JsonView value={parseJson(instance.customStatus)} testId="custom-status" />
        </div>
      </div>

      {failure && (
        <div class="panel failure" data-testid="failure">
          <h3>
            Failed: {failure.errorType}: {failure.errorMessage}
          </h3>
          {failure.stackTrace && <pre class="stack">{failure.stackTrace}</pre>}
          {failure.details && <JsonView value={parseJson(failure.details)} />}
          {failure.innerFailure && (
            <pre class="stack">
              Caused by {failure.innerFailure.errorType}: {failure.innerFailure.errorMessage}
              {'\n'}
              {failure.innerFailure.stackTrace ?? ''}
            </pre>
          )}
        </div>
      )}

      <div class="panel">
        <div class="tabs">
          {(['timeline', 'sequence', 'history'] as const).map((t) => (
            <button
              key={t}
              type="button"
              class={tab === t ? 'tab active' : 'tab'}
              data-testid={`tab-${t}`}
              onClick={() => setTab(t)}
            >
              {t === 'timeline'
                ? 'Timeline'
                : t === 'sequence'
                  ? 'Sequence diagram'
                  : `History (${data.history.length})`}
            </button>
          ))}
        </div>
        {tab === 'timeline' && <Gantt timeline={timeline} />}
        {tab === 'sequence' && <SequenceDiagram spans={timeline.spans} orchestrator={instance.name} />}
        {tab === 'history' && <HistoryTable history={data.history} />}
      </div>
    </div>
  );
}
