// A running host as a client target: its management API (Durable Functions' webhook routes) over HTTP. Failures read
// as sentences: nothing listening names the URL and what to do; an answer >= 400 gives the host's own message.
import type { StatusJson } from '../client/status-view.js';
import { WEBHOOK_PATH } from '../app/management-urls.js';
import type { ClientTarget, ListedInstance } from './client-target.js';

type Query = Record<string, string | undefined>;

/** fetch, with "fetch failed" turned into what it means for a user of the CLI. */
export async function fetchHost(baseUrl: string, url: URL | string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    // undici puts the socket's error code on the cause (or on the first of several, for a host with many addresses).
    const { cause } = err as { cause?: { code?: string; errors?: { code?: string }[] } };
    const code = cause?.code ?? cause?.errors?.[0]?.code;
    throw new Error(
      `Nothing answers at ${baseUrl}${code ? ` (${code})` : ''}: no Taskhub host is running there. Start one with ` +
        '`taskhub start` in the app folder, or read the store directly with --store sqlite:<app>/.taskhub/taskhub.db.',
    );
  }
}

/** A host's answer >= 400, read as one sentence: "The host answered 404: No instance with ID 'x' found." */
export class HostAnswerError extends Error {
  readonly status: number;
  /** The management API's error code (INSTANCE_NOT_FOUND …), when it gave one. */
  readonly code: string | undefined;
  constructor(status: number, message: string, code: string | undefined) {
    super(`The host answered ${status}: ${message}`);
    this.name = 'HostAnswerError';
    this.status = status;
    this.code = code;
  }
}

export async function answerError(response: Response): Promise<HostAnswerError> {
  const text = await response.text();
  let message = text;
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as { Message?: string; code?: string };
    message = body.Message ?? text;
    code = body.code;
  } catch {
    // Not JSON: show the text.
  }
  return new HostAnswerError(response.status, message.trim() || response.statusText, code);
}

export function remoteTarget(baseUrl: string, key: string | undefined): ClientTarget {
  const root = baseUrl.replace(/\/+$/, '');
  const base = `${root}${WEBHOOK_PATH}`;
  const call = async (method: string, path: string, query: Query = {}, body?: unknown) => {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const all: Record<string, string> = {};
    if (key) all['x-functions-key'] = key;
    if (body !== undefined) all['content-type'] = 'application/json';
    const response = await fetchHost(root, url, {
      method,
      headers: all,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // A purge of an instance that is not there answers 404: it counts 0, as the store does.
    if (response.status >= 400 && !(response.status === 404 && method === 'DELETE')) throw await answerError(response);
    return response;
  };
  const id = (instanceId: string) => `/instances/${encodeURIComponent(instanceId)}`;
  const deleted = async (response: Response): Promise<number> =>
    response.status === 404 ? 0 : ((await response.json()) as { instancesDeleted: number }).instancesDeleted;
  return {
    where: `the host at ${root}`,
    async list(filter) {
      // The dashboard's API lists newest first (the management API only in created order, oldest first).
      const url = new URL(`${root}/dashboard/api/instances`);
      const query: Query = {
        from: filter.createdTimeFrom?.toISOString(),
        to: filter.createdTimeTo?.toISOString(),
        runtimeStatus: filter.runtimeStatus?.join(','),
        prefix: filter.instanceIdPrefix,
        version: filter.version,
        top: filter.pageSize?.toString(),
        continuation: filter.continuationToken,
        orderBy: 'createdTime',
        desc: 'true',
      };
      for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
      const response = await fetchHost(root, url, { headers: key ? { 'x-functions-key': key } : {} });
      if (!response.ok) throw await answerError(response);
      const page = (await response.json()) as { instances: ListedInstance[]; continuationToken: string | null };
      return {
        instances: page.instances,
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      };
    },
    async status(instanceId, showHistory, showWaitingFor = false) {
      const query: Query = showHistory ? { showHistory: 'true', showHistoryOutput: 'true' } : {};
      if (showWaitingFor) query.showWaitingFor = 'true';
      return (await (await call('GET', id(instanceId), query)).json()) as StatusJson;
    },
    async start(name, input, instanceId, version) {
      const path = `/orchestrators/${encodeURIComponent(name)}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`;
      const response = await call('POST', path, { version }, input === undefined ? undefined : input);
      const body = (await response.json()) as { id: string; statusQueryGetUri?: string };
      return { id: body.id, ...(body.statusQueryGetUri ? { statusUrl: body.statusQueryGetUri } : {}) };
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
    purge: async (instanceId) => deleted(await call('DELETE', id(instanceId))),
    otherHubsHint: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}
