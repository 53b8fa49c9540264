// The dashboard's JSON API under /dashboard/api: what the management API lacks (name and custom-status filters, any
// order, counts per status, raw history for the timeline, bulk actions, a live feed by server-sent events). Single
// instance actions go through the management API itself, so both honour the same key and read-only rules.
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { TaskhubError } from '../core/errors.js';
import type { InstanceOrder, InstancePage, InstanceSearch } from '../store/store.js';
import { HttpError } from './errors.js';
import { readJsonInput, type HostContext } from './host-context.js';
import { bool, date, param, statuses } from './management-api.js';
import { DashboardFeed, toSummary } from './dashboard-feed.js';

export interface DashboardApiOptions {
  /** Ends every live feed when the host closes, so open browsers never hold up a drain. */
  readonly closeSignal?: AbortSignal;
  /** Live feed poll interval (default 1000 ms). */
  readonly feedIntervalMs?: number;
}

const ORDERS: readonly InstanceOrder[] = ['createdTime', 'lastUpdatedTime', 'name', 'runtimeStatus', 'instanceId'];
const BULK_OPS = ['terminate', 'suspend', 'resume', 'rewind', 'restart', 'purge'] as const;
type BulkOp = (typeof BULK_OPS)[number];
const HEARTBEAT_MS = 15_000;

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
    return c.json({ instances: page.instances.map(toSummary), continuationToken: page.continuationToken ?? null });
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
    return c.json({ instance: record, history });
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

  api.post('/bulk/:op', async (c) => {
    const op = param(c, 'op') as BulkOp;
    if (!BULK_OPS.includes(op)) {
      throw new HttpError(404, 'NOT_FOUND', `No bulk action '${op}'; use one of ${BULK_OPS.join(', ')}.`);
    }
    const body = (await readJsonInput(host, c.req.raw, 'bulk request')) as { reason?: unknown } | undefined;
    const reason = typeof body?.reason === 'string' ? body.reason : undefined;
    // Ids first, then act: purge and restart change the set a paged query walks.
    const ids: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await search({ ...searchFrom(c), pageSize: 1000, continuationToken });
      for (const record of page.instances) ids.push(record.instanceId);
      continuationToken = page.continuationToken;
    } while (continuationToken);
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
    return c.json({ matched: ids.length, succeeded, failed: failed.slice(0, 50), failedCount: failed.length });
  });

  return api;
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
