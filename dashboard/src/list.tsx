// The instance list: filters (name, status, created range, id prefix, custom status text), counts per status, sort
// by any column, server-side keyset paging (a stack of continuation tokens for "previous"), live refresh from the
// feed, what Running instances wait for, and bulk actions on the selected rows or on everything a filter matches
// (never on the whole hub by default), after a confirmation that says how many.
import { BULK_APPLIES_TO } from '../../src/client/bulk-statuses.js';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  filterParams,
  RUNTIME_STATUSES,
  subscribeFeed,
  type BulkOp,
  type HubInfo,
  type InstanceSummary,
  type ListFilter,
  type RuntimeStatus,
} from './api.js';
import { Modal } from './modal.js';
import { StartInstance } from './start.js';
import { StatusBadge } from './status.js';
import { formatTime } from './time.js';
import { formatDuration } from './timeline.js';
import { waitingSummary } from './waiting.js';

const PAGE_SIZES = [25, 50, 100, 200];
const BULK_OPS: BulkOp[] = ['terminate', 'suspend', 'resume', 'rewind', 'restart', 'purge'];
/** The statuses each bulk operation applies to (the server's src/client/bulk-statuses.ts), for the confirmation. */
/** The statuses each bulk operation acts on (the CLI's list): a filter's other matches are left alone. */
const BULK_STATUSES = BULK_APPLIES_TO;
const COLUMNS: [string, string][] = [
  ['instanceId', 'Instance id'],
  ['name', 'Name'],
  ['runtimeStatus', 'Status'],
  ['createdTime', 'Created'],
  ['lastUpdatedTime', 'Last updated'],
];
const FINISHED = new Set(['Completed', 'Failed', 'Terminated', 'Canceled', 'ContinuedAsNew']);

/** Created to last update for a finished instance, to now for one still going. */
export function durationOf(s: InstanceSummary, now: number): number {
  const end = FINISHED.has(s.runtimeStatus) ? Date.parse(s.lastUpdatedTime) : now;
  return Math.max(0, end - Date.parse(s.createdTime));
}

/** A filter that narrows the set (the order alone does not): bulk actions need one, or a selection. */
function isFiltered(f: ListFilter): boolean {
  return Boolean(f.name || f.prefix || f.customStatus || f.version || f.from || f.to || f.status?.length);
}

export function filterFromHash(query: string): ListFilter {
  const p = new URLSearchParams(query);
  return {
    name: p.get('name') ?? undefined,
    status: (p.get('status')?.split(',').filter(Boolean) as RuntimeStatus[] | undefined) ?? undefined,
    prefix: p.get('prefix') ?? undefined,
    customStatus: p.get('customStatus') ?? undefined,
    version: p.get('version') ?? undefined,
    from: p.get('from') ?? undefined,
    to: p.get('to') ?? undefined,
    orderBy: p.get('orderBy') ?? 'createdTime',
    desc: p.has('desc') ? p.get('desc') === 'true' : true,
  };
}

function toIso(local: string | undefined): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

export function InstanceList({ info, initial }: { info: HubInfo; initial: ListFilter }) {
  const [filter, setFilter] = useState<ListFilter>(initial);
  const [draft, setDraft] = useState<ListFilter>(initial);
  const [top, setTop] = useState(50);
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ instances: InstanceSummary[]; next: string | null } | null>(null);
  const [counts, setCounts] = useState<Partial<Record<RuntimeStatus, number>> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(true);
  const [connected, setConnected] = useState(false);
  // A filter's bulk action is counted by the server first (matched: what it acts on; leftAlone: matched, other status).
  const [bulk, setBulk] = useState<{ op: BulkOp; matched: number | null; leftAlone?: number; ids?: string[] } | null>(
    null,
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // Duration is not a stored column: it sorts the rows of the page in view.
  const [durationSort, setDurationSort] = useState<'asc' | 'desc' | null>(null);
  const [starting, setStarting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const token = tokens[tokens.length - 1];
  const query = { ...filter, from: toIso(filter.from), to: toIso(filter.to) };

  const load = useCallback(() => {
    api
      .list(query, top, token)
      .then((p) => {
        setPage({ instances: p.instances, next: p.continuationToken });
        setError(null);
      })
      .catch((err: Error) => setError(err.message));
    if (info.counts)
      api
        .counts(query)
        .then((c) => setCounts(c.counts))
        .catch(() => setCounts(null));
  }, [JSON.stringify(query), top, token, info.counts]);

  useEffect(load, [load]);

  // Live refresh: at most one refetch per second, however many changes the feed reports.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    if (!live) return;
    const unsubscribe = subscribeFeed(() => {
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = undefined;
        load();
      }, 500);
    }, setConnected);
    return () => {
      clearTimeout(pending.current);
      pending.current = undefined;
      unsubscribe();
    };
  }, [live, load]);

  const apply = (next: ListFilter): void => {
    setSelected(new Set());
    setFilter(next);
    setDraft(next);
    setTokens([undefined]);
    history.replaceState(null, '', `#/?${filterParams(next)}`);
  };
  const sortBy = (column: string): void => {
    setDurationSort(null);
    apply({
      ...filter,
      orderBy: column,
      desc: filter.orderBy === column ? !filter.desc : column !== 'name' && column !== 'instanceId',
    });
  };
  const toggleStatus = (status: RuntimeStatus): void => {
    const current = filter.status ?? [];
    apply({ ...filter, status: current.includes(status) ? current.filter((s) => s !== status) : [...current, status] });
  };
  const total = counts ? Object.values(counts).reduce((a, b) => a + (b ?? 0), 0) : null;
  const matched = counts
    ? filter.status?.length
      ? filter.status.reduce((a, s) => a + (counts[s] ?? 0), 0)
      : total
    : null;

  const runBulk = async (op: BulkOp, ids: string[] | undefined): Promise<void> => {
    try {
      const result = await api.bulk(op, query, undefined, ids);
      if (ids) setSelected(new Set());
      setNotice(
        `${op}: ${result.succeeded} of ${result.matched} done` +
          (result.failedCount > 0 ? `, ${result.failedCount} not (${result.failed[0]?.message ?? ''})` : '.'),
      );
      load();
    } catch (err) {
      setNotice(`${op} failed: ${(err as Error).message}`);
    }
    setBulk(null);
  };

  const now = Date.now();
  const rows = page ? [...page.instances] : [];
  if (durationSort) {
    const sign = durationSort === 'asc' ? 1 : -1;
    rows.sort((a, b) => sign * (durationOf(a, now) - durationOf(b, now)));
  }
  const filtered = isFiltered(filter);
  const selectedIds = [...selected];
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.instanceId));
  const toggleRow = (id: string): void => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  const set = (field: keyof ListFilter) => (e: Event) =>
    setDraft({ ...draft, [field]: (e.currentTarget as HTMLInputElement).value || undefined });

  return (
    <div>
      <div class="counts" data-testid="counts">
        <button
          type="button"
          class={!filter.status?.length ? 'count active' : 'count'}
          onClick={() => apply({ ...filter, status: [] })}
        >
          <span>All</span>
          <b>{total ?? '–'}</b>
        </button>
        {RUNTIME_STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            class={
              filter.status?.includes(s) ? `count active count-${s.toLowerCase()}` : `count count-${s.toLowerCase()}`
            }
            data-testid={`count-${s}`}
            onClick={() => toggleStatus(s)}
          >
            <span>{s}</span>
            <b>{counts ? (counts[s] ?? 0) : '–'}</b>
          </button>
        ))}
      </div>

      <form
        class="panel filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <label>
          Orchestration
          <input
            list="orchestration-names"
            value={draft.name ?? ''}
            placeholder="name contains"
            data-testid="filter-name"
            onInput={set('name')}
          />
          <datalist id="orchestration-names">
            {info.orchestrations.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </label>
        <label>
          Filter: id starts with
          <input value={draft.prefix ?? ''} data-testid="filter-prefix" onInput={set('prefix')} />
        </label>
        <label>
          Custom status contains
          <input value={draft.customStatus ?? ''} data-testid="filter-custom-status" onInput={set('customStatus')} />
        </label>
        <label>
          Version
          <input value={draft.version ?? ''} data-testid="filter-version" onInput={set('version')} />
        </label>
        <label>
          Created from
          <input type="datetime-local" value={draft.from ?? ''} onInput={set('from')} />
        </label>
        <label>
          to
          <input type="datetime-local" value={draft.to ?? ''} onInput={set('to')} />
        </label>
        <div class="filter-buttons">
          <button type="submit" class="primary" data-testid="apply-filter">
            Apply
          </button>
          <button type="button" onClick={() => apply({ orderBy: filter.orderBy, desc: filter.desc })}>
            Clear
          </button>
        </div>
      </form>

      <div class="toolbar">
        <label class="inline">
          <input type="checkbox" checked={live} data-testid="live" onChange={() => setLive(!live)} /> Live
          <span class={live && connected ? 'dot on' : 'dot'} title={connected ? 'connected' : 'not connected'} />
        </label>
        <button type="button" onClick={load}>
          Refresh
        </button>
        {!info.readOnly && (
          <button type="button" class="primary" data-testid="start-instance" onClick={() => setStarting(true)}>
            Start instance…
          </button>
        )}
        <span class="spacer" />
        {!info.readOnly && (
          <span class="bulk" data-testid="bulk-bar">
            <span data-testid="bulk-target">
              {selected.size > 0
                ? `Bulk on ${selected.size} selected:`
                : filtered
                  ? `Bulk on ${matched ?? 'every'} matching the filter:`
                  : 'Select instances or set a filter for bulk actions'}
            </span>
            {BULK_OPS.map((op) => (
              <button
                key={op}
                type="button"
                class="small"
                data-testid={`bulk-${op}`}
                disabled={selected.size === 0 && !filtered}
                onClick={() => {
                  if (selected.size > 0) {
                    setBulk({ op, matched: selected.size, ids: selectedIds });
                    return;
                  }
                  setBulk({ op, matched: null });
                  api
                    .bulk(op, query, undefined, undefined, true)
                    .then((r) =>
                      setBulk((b) => (b?.op === op && !b.ids ? { op, matched: r.matched, leftAlone: r.leftAlone } : b)),
                    )
                    .catch((err: Error) => {
                      setBulk(null);
                      setNotice(`${op} failed: ${err.message}`);
                    });
                }}
              >
                {op}
              </button>
            ))}
          </span>
        )}
      </div>
      {notice && <div class="notice">{notice}</div>}
      {error && <div class="panel error-text">{error}</div>}

      <div class="table-wrap">
        <table class="instances" data-testid="instances">
          <thead>
            <tr>
              <th class="select">
                <input
                  type="checkbox"
                  aria-label="Select the rows of this page"
                  data-testid="select-page"
                  checked={allOnPage}
                  onChange={() => {
                    const next = new Set(selected);
                    for (const r of rows) {
                      if (allOnPage) next.delete(r.instanceId);
                      else next.add(r.instanceId);
                    }
                    setSelected(next);
                  }}
                />
              </th>
              {COLUMNS.map(([column, label]) => (
                <th
                  key={column}
                  class={column === 'lastUpdatedTime' ? 'sortable col-updated' : 'sortable'}
                  data-testid={`sort-${column}`}
                  onClick={() => sortBy(column)}
                >
                  {label}
                  {!durationSort && filter.orderBy === column ? (filter.desc ? ' ▼' : ' ▲') : ''}
                </th>
              ))}
              <th
                class="sortable"
                data-testid="sort-duration"
                title="Sorts the rows of this page"
                onClick={() => setDurationSort(durationSort === 'desc' ? 'asc' : 'desc')}
              >
                Duration{durationSort === 'desc' ? ' ▼' : durationSort === 'asc' ? ' ▲' : ''}
              </th>
              <th>Waiting for</th>
              <th>Custom status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.instanceId} data-testid="instance-row" data-id={s.instanceId}>
                <td class="select">
                  <input
                    type="checkbox"
                    aria-label={`Select ${s.instanceId}`}
                    data-testid="select-row"
                    checked={selected.has(s.instanceId)}
                    onChange={() => toggleRow(s.instanceId)}
                  />
                </td>
                <td class="mono">
                  <a href={`#/instances/${encodeURIComponent(s.instanceId)}`}>{s.instanceId}</a>
                </td>
                <td>
                  {s.name}
                  {s.version !== undefined && (
                    <span class="muted version-tag" data-testid="row-version" title="Orchestration version">
                      {' '}
                      v{s.version}
                    </span>
                  )}
                </td>
                <td>
                  <StatusBadge status={s.runtimeStatus} />
                </td>
                <td class="time">{formatTime(s.createdTime)}</td>
                <td class="time col-updated">{formatTime(s.lastUpdatedTime)}</td>
                <td class="num" data-testid="duration">
                  {formatDuration(durationOf(s, now))}
                </td>
                <td class="ellipsis" data-testid="waiting" title={waitingSummary(s.waitingFor)}>
                  {waitingSummary(s.waitingFor)}
                </td>
                <td class="ellipsis mono">{s.customStatus === null ? '' : JSON.stringify(s.customStatus)}</td>
              </tr>
            ))}
            {page && page.instances.length === 0 && (
              <tr>
                <td colSpan={9} class="muted">
                  No instances match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
          ‹ Previous
        </button>
        <span>Page {tokens.length}</span>
        <button
          type="button"
          disabled={!page?.next}
          data-testid="next-page"
          onClick={() => setTokens([...tokens, page?.next ?? undefined])}
        >
          Next ›
        </button>
        <select value={top} onChange={(e) => (setTop(Number(e.currentTarget.value)), setTokens([undefined]))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n} per page
            </option>
          ))}
        </select>
      </div>

      {starting && <StartInstance info={info} onClose={() => setStarting(false)} />}

      {bulk && bulk.ids && (
        <Modal
          title={`${bulk.op} ${bulk.ids.length} selected instances?`}
          confirmLabel={`${bulk.op} ${bulk.ids.length}`}
          danger={bulk.op === 'terminate' || bulk.op === 'purge'}
          onCancel={() => setBulk(null)}
          onConfirm={() => void runBulk(bulk.op, bulk.ids)}
        >
          <p>
            This applies <b>{bulk.op}</b> to the <b>{bulk.ids.length}</b> instances you selected. Instances it does not
            apply to (already finished, still running for purge) are skipped and reported.
          </p>
        </Modal>
      )}
      {bulk && !bulk.ids && (
        <Modal
          title={`${bulk.op} matching instances?`}
          confirmLabel={`${bulk.op} ${bulk.matched ?? ''}`.trim()}
          danger={bulk.op === 'terminate' || bulk.op === 'purge'}
          disabled={bulk.matched === null || bulk.matched === 0}
          onCancel={() => setBulk(null)}
          onConfirm={() => void runBulk(bulk.op, undefined)}
        >
          {bulk.matched === null ? (
            <p data-testid="bulk-preview">Counting the instances it applies to…</p>
          ) : (
            <p data-testid="bulk-preview">
              This applies <b>{bulk.op}</b> to <b>{bulk.matched}</b> instance{bulk.matched === 1 ? '' : 's'} matching
              the current filter ({BULK_STATUSES[bulk.op].join(', ')})
              {bulk.leftAlone ? (
                <>
                  {' '}
                  and leaves <b>{bulk.leftAlone}</b> other{bulk.leftAlone === 1 ? '' : 's'} it matches alone ({bulk.op}{' '}
                  does not apply to their status)
                </>
              ) : null}
              .
            </p>
          )}
        </Modal>
      )}
    </div>
  );
}
