// Where client commands act: a running host over its management API (`--url`), or a task hub's store directly
// (`--store`, client only: no worker runs, a host elsewhere picks the messages up). Both answer in the status API's
// JSON shape, so the commands print the same either way.
import { toStatusJson, type StatusJson } from '../client/status-view.js';
import type { OrchestrationFilter } from '../client/types.js';
import { TaskhubError } from '../core/errors.js';
import { WEBHOOK_PATH } from '../app/management-urls.js';
import { openTaskHub } from '../hub.js';
import { createLogger } from '../log.js';
import { openStoreOption, parseStoreOption } from './store-option.js';

export interface ListResult {
  readonly instances: readonly StatusJson[];
  readonly continuationToken?: string;
}

export interface ClientTarget {
  list(filter: OrchestrationFilter): Promise<ListResult>;
  status(instanceId: string, showHistory: boolean): Promise<StatusJson>;
  raise(instanceId: string, eventName: string, data: unknown): Promise<void>;
  control(op: 'terminate' | 'suspend' | 'resume' | 'rewind', instanceId: string, reason?: string): Promise<void>;
  restart(instanceId: string, newInstanceId: boolean): Promise<string>;
  purge(instanceId: string): Promise<number>;
  purgeBy(filter: OrchestrationFilter): Promise<number>;
  close(): Promise<void>;
}

export interface TargetOptions {
  readonly url?: string;
  readonly store?: string;
  readonly hub?: string;
  readonly key?: string;
}

export async function openTarget(options: TargetOptions): Promise<ClientTarget> {
  if (options.url) return remoteTarget(options.url, options.key ?? process.env.TASKHUB_KEY);
  if (!options.store) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      'Say where the instances are: --url http://127.0.0.1:7071 or --store sqlite:<file>.',
    );
  }
  const hubName = options.hub ?? 'TestHubName';
  const hub = await openTaskHub({
    store: await openStoreOption(parseStoreOption(options.store, process.cwd()), hubName),
    hubName,
    worker: false,
    logger: createLogger({ level: process.env.TASKHUB_LOG_LEVEL ?? 'warn' }),
  });
  const { client } = hub;
  return {
    async list(filter) {
      const page = await client.listInstances(filter);
      return { instances: page.instances.map(toStatusJson), continuationToken: page.continuationToken };
    },
    async status(id, showHistory) {
      return toStatusJson(await client.getStatus(id, { showHistory, showHistoryOutput: showHistory }));
    },
    raise: (id, name, data) => client.raiseEvent(id, name, data),
    control: (op, id, reason) => client[op](id, reason),
    restart: (id, newId) => client.restart(id, newId),
    purge: async (id) => (await client.purgeInstanceHistory(id)).instancesDeleted,
    purgeBy: async (filter) => (await client.purgeInstanceHistoryBy(filter)).instancesDeleted,
    close: () => hub.close(),
  };
}

function remoteTarget(baseUrl: string, key: string | undefined): ClientTarget {
  const base = `${baseUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
  const call = async (method: string, path: string, query: Record<string, string | undefined> = {}, body?: unknown) => {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    if (key) headers['x-functions-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status >= 400 && !(response.status === 404 && method === 'DELETE')) {
      const text = await response.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { Message?: string }).Message ?? text;
      } catch {
        // Not JSON: show the text.
      }
      throw new Error(`${method} ${url.pathname} answered ${response.status}: ${message}`);
    }
    return response;
  };
  const filterQuery = (filter: OrchestrationFilter): Record<string, string | undefined> => ({
    createdTimeFrom: filter.createdTimeFrom?.toISOString(),
    createdTimeTo: filter.createdTimeTo?.toISOString(),
    runtimeStatus: filter.runtimeStatus?.join(','),
    instanceIdPrefix: filter.instanceIdPrefix,
    top: filter.pageSize?.toString(),
  });
  const id = (instanceId: string) => `/instances/${encodeURIComponent(instanceId)}`;
  return {
    async list(filter) {
      const url = new URL(`${base}/instances`);
      for (const [k, v] of Object.entries(filterQuery(filter))) if (v !== undefined) url.searchParams.set(k, v);
      const headers: Record<string, string> = key ? { 'x-functions-key': key } : {};
      if (filter.continuationToken) headers['x-ms-continuation-token'] = filter.continuationToken;
      const response = await fetch(url, { headers });
      if (!response.ok) throw new Error(`GET /instances answered ${response.status}: ${await response.text()}`);
      const token = response.headers.get('x-ms-continuation-token') ?? undefined;
      return { instances: (await response.json()) as StatusJson[], continuationToken: token };
    },
    async status(instanceId, showHistory) {
      const query = showHistory ? { showHistory: 'true', showHistoryOutput: 'true' } : {};
      return (await (await call('GET', id(instanceId), query)).json()) as StatusJson;
    },
    async raise(instanceId, eventName, data) {
      await call('POST', `${id(instanceId)}/raiseEvent/${encodeURIComponent(eventName)}`, {}, data ?? null);
    },
    async control(op, instanceId, reason) {
      await call('POST', `${id(instanceId)}/${op}`, { reason });
    },
    async restart(instanceId, newInstanceId) {
      const response = await call('POST', `${id(instanceId)}/restart`, {
        restartWithNewInstanceId: String(newInstanceId),
      });
      return ((await response.json()) as { id: string }).id;
    },
    async purge(instanceId) {
      const response = await call('DELETE', id(instanceId));
      return response.status === 404 ? 0 : ((await response.json()) as { instancesDeleted: number }).instancesDeleted;
    },
    async purgeBy(filter) {
      const response = await call('DELETE', '/instances', filterQuery(filter));
      return response.status === 404 ? 0 : ((await response.json()) as { instancesDeleted: number }).instancesDeleted;
    },
    close: () => Promise.resolve(),
  };
}
