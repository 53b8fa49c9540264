// The instance list: filters (name, status, created range, id prefix, custom status text), counts per status, sort
// by any column, server-side keyset paging (a stack of continuation tokens for "previous"), live refresh from the
// feed, and bulk actions on everything the filter matches, after a confirmation that says how many.
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
import { StatusBadge } from './status.js';

const PAGE_SIZES = [25, 50, 100, 200];
const BULK_OPS: BulkOp[] = ['terminate', 'suspend', 'resume', 'rewind', 'restart', 'purge'];
const COLUMNS: [string, string][] = [
  ['instanceId', 'Instance id'],
  ['name', 'Name'],
  ['runtimeStatus', 'Status'],
  ['createdTime', 'Created'],
  ['lastUpdatedTime', 'Last updated'],
];

export function filterFromHash(query: string): ListFilter {
  const p = new URLSearchParams(query);
  return {
    name: p.get('name') ?? undefined,
    status: (p.get('status')?.split(',').filter(Boolean) as RuntimeStatus[] | undefined) ?? undefined,
    prefix: p.get('prefix') ?? undefined,
    customStatus: p.get('customStatus') ?? undefined,
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
  const [bulk, setBulk] = useState<{ op: BulkOp; matched: number | null } | null>(null);
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
    setFilter(next);
    setDraft(next);
    setTokens([undefined]);
    history.replaceState(null, '', `#/?${filterParams(next)}`);
  };
  const sortBy = (column: string): void =>
    apply({
      ...filter,
      orderBy: column,
      desc: filter.orderBy === column ? !filter.desc : column !== 'name' && column !== 'instanceId',
    });
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

  const runBulk = async (op: BulkOp): Promise<void> => {
    try {
      const result = await api.bulk(op, query);
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
          Instance id prefix
          <input value={draft.prefix ?? ''} data-testid="filter-prefix" onInput={set('prefix')} />
        </label>
        <label>
          Custom status contains
          <input value={draft.customStatus ?? ''} data-testid="filter-custom-status" onInput={set('customStatus')} />
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
        <span class="spacer" />
        {!info.readOnly && (
          <span class="bulk">
            Bulk on {matched ?? 'all'} matching:
            {BULK_OPS.map((op) => (
              <button
                key={op}
                type="button"
                class="small"
                data-testid={`bulk-${op}`}
                onClick={() => setBulk({ op, matched })}
              >
                {op}
              </button>
            ))}
          </span>
        )}
      </div>
      {notice && <div class="notice">{notice}</div>}
      {error && <div class="panel error-text">{error}</div>}

      <table class="instances" data-testid="instances">
        <thead>
          <tr>
            {COLUMNS.map(([column, label]) => (
              <th key={column} class="sortable" onClick={() => sortBy(column)}>
                {label}
                {filter.orderBy === column ? (filter.desc ? ' ▼' : ' ▲') : ''}
              </th>
            ))}
            <th>Custom status</th>
          </tr>
        </thead>
        <tbody>
          {page?.instances.map((s) => (
            <tr key={s.instanceId} data-testid="instance-row">
              <td class="mono">
                <a href={`#/instances/${encodeURIComponent(s.instanceId)}`}>{s.instanceId}</a>
              </td>
              <td>{s.name}</td>
              <td>
                <StatusBadge status={s.runtimeStatus} />
              </td>
              <td>{new Date(s.createdTime).toLocaleString()}</td>
              <td>{new Date(s.lastUpdatedTime).toLocaleString()}</td>
              <td class="ellipsis mono">{s.customStatus === null ? '' : JSON.stringify(s.customStatus)}</td>
            </tr>
          ))}
          {page && page.instances.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No instances match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
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

      {bulk && (
        <Modal
          title={`${bulk.op} every matching instance?`}
          confirmLabel={`${bulk.op} ${bulk.matched ?? ''}`.trim()}
          danger={bulk.op === 'terminate' || bulk.op === 'purge'}
          onCancel={() => setBulk(null)}
          onConfirm={() => void runBulk(bulk.op)}
        >
          <p>
            This applies <b>{bulk.op}</b> to{' '}
            {bulk.matched === null ? 'every instance' : <b>{bulk.matched} instances</b>} matching the current filter
            {filter.status?.length ? ` (status ${filter.status.join(', ')})` : ''}. Instances it does not apply to
            (already finished, still running for purge) are skipped and reported.
          </p>
        </Modal>
      )}
    </div>
  );
}
