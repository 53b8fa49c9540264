// The dashboard's JSON API under /dashboard/api: what the management API lacks (name and custom-status filters, any
// order, counts per status, raw history for the timeline, bulk actions, a live feed by server-sent events). Single
// instance actions go through the management API itself, so both honour the same key and read-only rules.
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { toExportedHistory } from '../client/exported-history.js';
import { versionWait, waitingFor, WAITING_STATUSES, type WaitingFor } from '../client/waiting-for.js';
import { BULK_APPLIES_TO } from '../client/bulk-statuses.js';
import { TaskhubError } from '../core/errors.js';
import { RUNTIME_STATUSES } from '../core/history.js';
import type { InstanceOrder, InstancePage, InstanceRecord, InstanceSearch, Store } from '../store/store.js';
import { HttpError } from './errors.js';
import { readJsonInput, type HostContext } from './host-context.js';
import { bool, date, param, statuses, versionFilter } from './management-api.js';
import { DashboardFeed, toSummary } from './dashboard-feed.js';

export interface DashboardApiOptions {
  /** Ends every live feed when the host closes, so open browsers never hold up a drain. */
  readonly closeSignal?: AbortSignal;
  /** Live feed poll interval (default 1000 ms). */
  readonly feedIntervalMs?: number;
}

const ORDERS: readonly InstanceOrder[] = ['createdTime', 'lastUpdatedTime', 'name', 'runtimeStatus', 'instanceId'];
const BULK_OPS = ['terminate', 'suspend', 'resume', 'rewind', 'restart', 'purge'] as const;
/** The query parameters a bulk action reads (the list's filters and order, and dryRun); any other is refused. */
const BULK_PARAMS = [
  'name',
  'runtimeStatus',
  'prefix',
  'customStatus',
  'version',
  'from',
  'to',
  'orderBy',
  'desc',
  'dryRun',
  // The key, when it rides in the URL.
  'code',
];
type BulkOp = (typeof BULK_OPS)[number];
const HEARTBEAT_MS = 15_000;
/** The list reads the history of its Running rows up to this length for "waiting for"; longer ones say so. */
const LIST_WAITING_MAX_EVENTS = 2000;

/**
 * "Waiting for" of the list's rows that wait (Running, Suspended), read from their histories in parallel; a row whose
 * history is longer than LIST_WAITING_MAX_EVENTS gets `null` (its detail page says it), so one page stays cheap.
 */
async function waitingForRows(
  store: Store,
  records: readonly InstanceRecord[],
): Promise<Map<string, WaitingFor | null>> {
  const rows = records.filter((r) => WAITING_STATUSES.has(r.runtimeStatus));
  const found = await Promise.all(
    rows.map(async (r) =>
      r.historyLength > LIST_WAITING_MAX_EVENTS ? null : waitingFor(await store.getHistory(r.instanceId)),
    ),
  );
  return new Map(rows.map((r, i) => [r.instanceId, found[i] ?? null]));
}

/** The filters and order of a list request, from its query string (bulk actions take the same parameters). */
export function searchFrom(c: Context): InstanceSearch {
  const orderBy = c.req.query('orderBy') || undefined;
  if (orderBy !== undefined && !ORDERS.includes(orderBy as InstanceOrder)) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `Unknown orderBy '${orderBy}'; use one of ${ORDERS.join(', ')}.`);
  }
  const top = Number(c.req.query('top') || 50);
  if (!Number.isInteger(top) || top < 1 || top > 1000) {
    throw new HttpError(400, 'INVALID_ARGUMENT', "'top' must be a whole number from 1 to 1000.");
  }
  return {
    name: c.req.query('name') || undefined,
    customStatusText: c.req.query('customStatus') || undefined,
    instanceIdPrefix: c.req.query('prefix') || undefined,
    ...versionFilter(c),
    createdTimeFrom: date(c, 'from')?.toISOString(),
    createdTimeTo: date(c, 'to')?.toISOString(),
    runtimeStatus: statuses(c),
    orderBy: orderBy as InstanceOrder | undefined,
    descending: bool(c, 'desc', false),
    pageSize: top,
    continuationToken: c.req.query('continuation') || undefined,
    showInput: false,
  };
}

export function dashboardApi(host: HostContext, options: DashboardApiOptions): Hono {
  const api = new Hono();
  const store = host.hub.store;
  const feed = new DashboardFeed(store, options.feedIntervalMs);
  options.closeSignal?.addEventListener('abort', () => feed.stop());

  const search = (query: InstanceSearch): Promise<InstancePage> => {
    if (store.searchInstances) return store.searchInstances(query);
    if (
      query.name ||
      query.customStatusText ||
      (query.orderBy ?? 'createdTime') !== 'createdTime' ||
      query.descending
    ) {
      throw new TaskhubError(
        'NOT_SUPPORTED',
        'This store offers only the management filters (status, time, id prefix) in created-time order.',
      );
    }
    return store.queryInstances(query);
  };

  api.get('/info', (c) =>
    c.json({
      hubName: host.hub.name,
      readOnly: host.readOnly,
      search: store.searchInstances !== undefined,
      counts: store.countInstances !== undefined,
      orchestrations: host.hub.registry.orchestrations().map((o) => o.name),
      entities: typeof (host.hub.client as unknown as Record<string, unknown>).readEntityState === 'function',
    }),
  );

  api.get('/instances', async (c) => {
    const page = await search(searchFrom(c));
    // `waitingFor=false` leaves the column out (one history read per waiting row on the page otherwise).
    const waiting = bool(c, 'waitingFor', true) ? await waitingForRows(store, page.instances) : undefined;
    const instances = page.instances.map((record) => {
      const summary = toSummary(record);
      return waiting?.has(record.instanceId) ? { ...summary, waitingFor: waiting.get(record.instanceId) } : summary;
    });
    return c.json({ instances, continuationToken: page.continuationToken ?? null });
  });

  api.get('/counts', async (c) => {
    if (!store.countInstances) return c.json({ counts: null });
    // Counts answer "how many in each status", so the status filter itself is left out.
    const counts = await store.countInstances({ ...searchFrom(c), runtimeStatus: undefined });
    return c.json({ counts });
  });

  api.get('/instances/:instanceId', async (c) => {
    const instanceId = param(c, 'instanceId');
    const record = await store.getInstance(instanceId);
    if (!record) throw new TaskhubError('INSTANCE_NOT_FOUND', `No instance '${instanceId}' in this task hub.`);
    const history = await store.getHistory(instanceId);
    // Taskhub extension: what an unfinished instance still waits for, from its history; first of all a worker that
    // runs its version, when this app does not.
    const worker =
      record.runtimeStatus === 'Pending' || WAITING_STATUSES.has(record.runtimeStatus)
        ? versionWait(host.hub.registry, record.name, record.version)
        : undefined;
    const fromHistory = WAITING_STATUSES.has(record.runtimeStatus) ? waitingFor(history) : undefined;
    const waiting: WaitingFor | undefined = worker
      ? { items: fromHistory?.items ?? [], onlyExternalEvents: false, worker }
      : fromHistory;
    return c.json({ instance: record, history, ...(waiting ? { waitingFor: waiting } : {}) });
  });

  // The history as a file `taskhub replay` reads: what `taskhub export` prints.
  api.get('/instances/:instanceId/export', async (c) => {
    const instanceId = param(c, 'instanceId');
    const record = await store.getInstance(instanceId);
    if (!record) throw new TaskhubError('INSTANCE_NOT_FOUND', `No instance '${instanceId}' in this task hub.`);
    const exported = toExportedHistory(record, await store.getHistory(instanceId));
    const file = `${instanceId.replace(/[^\w.-]+/g, '_')}.history.json`;
    return new Response(`${JSON.stringify(exported, null, 2)}\n`, {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="${file}"`,
      },
    });
  });

  api.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      const done = new Promise<void>((resolve) => {
        stream.onAbort(resolve);
        if (options.closeSignal?.aborted) resolve();
        options.closeSignal?.addEventListener('abort', () => resolve());
      });
      const unsubscribe = feed.subscribe((changed) => {
        void stream.writeSSE({ event: 'instances', data: JSON.stringify(changed) });
      });
      const heartbeat = setInterval(() => void stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
      try {
        await stream.writeSSE({ event: 'ready', data: '{}' });
        await done;
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    }),
  );

  const allIds = async (query: InstanceSearch): Promise<string[]> => {
    const ids: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await search({ ...query, pageSize: 1000, continuationToken });
      for (const record of page.instances) ids.push(record.instanceId);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return ids;
  };

  api.post('/bulk/:op', async (c) => {
    const op = param(c, 'op') as BulkOp;
    if (!BULK_OPS.includes(op)) {
      throw new HttpError(404, 'NOT_FOUND', `No bulk action '${op}'; use one of ${BULK_OPS.join(', ')}.`);
    }
    const body = (await readJsonInput(host, c.req.raw, 'bulk request')) as
      { reason?: unknown; instanceIds?: unknown } | undefined;
    const reason = typeof body?.reason === 'string' ? body.reason : undefined;
    // A misspelt filter (`prefx=`) would silently widen the set to everything the other filters match.
    const unknown = Object.keys(c.req.queries()).filter((name) => !BULK_PARAMS.includes(name));
    if (unknown.length > 0) {
      throw new HttpError(
        400,
        'INVALID_ARGUMENT',
        `Unknown query parameter${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `'${n}'`).join(', ')}; ` +
          `a bulk action takes ${BULK_PARAMS.join(', ')}.`,
      );
    }
    const dryRun = bool(c, 'dryRun', false);
    const query = searchFrom(c);
    let ids: string[];
    let leftAlone = 0;
    if (body?.instanceIds !== undefined) {
      // An explicit selection: exactly these ids, whatever the filter says.
      if (!Array.isArray(body.instanceIds) || !body.instanceIds.every((id) => typeof id === 'string' && id !== '')) {
        throw new HttpError(400, 'INVALID_ARGUMENT', "'instanceIds' must be a list of instance ids.");
      }
      ids = [...new Set(body.instanceIds as string[])];
    } else {
      if (!hasFilter(query)) {
        throw new HttpError(
          400,
          'INVALID_ARGUMENT',
          'A bulk action needs a filter (name, runtimeStatus, prefix, customStatus, version, from, to) or a list of ' +
            "'instanceIds', so it never reaches every instance of the task hub by accident.",
        );
      }
      // Only the statuses the operation applies to (as the CLI's bulk commands): the others matched are left alone.
      const asked = query.runtimeStatus ?? RUNTIME_STATUSES;
      const applies = BULK_APPLIES_TO[op];
      const acting = asked.filter((s) => applies.includes(s));
      const others = asked.filter((s) => !applies.includes(s));
      // Ids first, then act: purge and restart change the set a paged query walks.
      ids = acting.length === 0 ? [] : await allIds({ ...query, runtimeStatus: acting });
      leftAlone = others.length === 0 ? 0 : (await allIds({ ...query, runtimeStatus: others })).length;
    }
    if (dryRun) {
      return c.json({ matched: ids.length, leftAlone, succeeded: 0, failed: [], failedCount: 0 });
    }
    const failed: { instanceId: string; message: string }[] = [];
    let succeeded = 0;
    for (let i = 0; i < ids.length; i += 16) {
      await Promise.all(
        ids.slice(i, i + 16).map(async (id) => {
          try {
            if (await bulkAction(host, op, id, reason)) succeeded++;
            else failed.push({ instanceId: id, message: 'not finished, so not purged' });
          } catch (err) {
            failed.push({ instanceId: id, message: err instanceof Error ? err.message : String(err) });
          }
        }),
      );
    }
    return c.json({
      matched: ids.length,
      leftAlone,
      succeeded,
      failed: failed.slice(0, 50),
      failedCount: failed.length,
    });
  });

  return api;
}

/** True when the search narrows the set: a bulk action never defaults to the whole task hub. */
function hasFilter(query: InstanceSearch): boolean {
  return Boolean(
    query.name ||
    query.customStatusText ||
    query.instanceIdPrefix ||
    query.createdTimeFrom ||
    query.createdTimeTo ||
    query.version !== undefined ||
    (query.runtimeStatus && query.runtimeStatus.length > 0),
  );
}

async function bulkAction(host: HostContext, op: BulkOp, id: string, reason: string | undefined): Promise<boolean> {
  const client = host.hub.client;
  switch (op) {
    case 'purge':
      return (await client.purgeInstanceHistory(id)).instancesDeleted > 0;
    case 'restart':
      await client.restart(id, true);
      return true;
    case 'terminate':
    case 'suspend':
    case 'resume':
    case 'rewind':
      await client[op](id, reason);
      return true;
    default: {
      const unhandled: never = op;
      throw new Error(`Unhandled bulk action ${String(unhandled)}`);
    }
  }
}
