// Talks to the host: the dashboard API (/dashboard/api) for lists, counts, details, bulk actions and the live feed,
// the management API for single-instance actions. The key comes from `?code=` once and is kept for the tab.
import type { WaitingFor } from '../../src/client/waiting-for.js';
import type { DoctorReport } from '../../src/doctor/findings.js';

export type { DoctorReport, Finding, Severity } from '../../src/doctor/findings.js';

export type { WaitingFor, WaitingItem } from '../../src/client/waiting-for.js';

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Canceled' | 'Terminated' | 'Suspended';

export const RUNTIME_STATUSES: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Suspended',
  'Completed',
  'Failed',
  'Terminated',
  'Canceled',
  'ContinuedAsNew',
];

export interface InstanceSummary {
  /** Running and Suspended rows: what they wait for (null: history too long to read for a list). */
  waitingFor?: WaitingFor | null;
  instanceId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  createdTime: string;
  lastUpdatedTime: string;
  customStatus: unknown;
  parentInstanceId?: string;
  /** The orchestration version the instance was created with, when it has one. */
  version?: string;
}

export interface FailureDetails {
  errorType: string;
  errorMessage: string;
  stackTrace?: string;
  details?: string;
  innerFailure?: FailureDetails;
}

/** The stored instance row, JSON fields still as text. */
export interface InstanceRecord {
  instanceId: string;
  executionId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  input?: string;
  output?: string;
  failureDetails?: FailureDetails;
  customStatus?: string;
  parentInstanceId?: string;
  createdTime: string;
  lastUpdatedTime: string;
  historyLength: number;
}

/** A stored history event: Durable Functions' names, payloads as JSON text. */
export interface HistoryEvent {
  eventType: string;
  eventId: number;
  timestamp: string;
  name?: string;
  instanceId?: string;
  input?: string;
  result?: string;
  reason?: string;
  taskScheduledId?: number;
  timerId?: number;
  fireAt?: string;
  failureDetails?: FailureDetails;
  orchestrationStatus?: string;
  [field: string]: unknown;
}

export interface HubInfo {
  hubName: string;
  readOnly: boolean;
  search: boolean;
  counts: boolean;
  orchestrations: string[];
  entities: boolean;
}

export interface ListFilter {
  name?: string;
  status?: RuntimeStatus[];
  prefix?: string;
  customStatus?: string;
  version?: string;
  from?: string;
  to?: string;
  orderBy?: string;
  desc?: boolean;
}

export type BulkOp = 'terminate' | 'suspend' | 'resume' | 'rewind' | 'restart' | 'purge';
export type InstanceOp = 'terminate' | 'suspend' | 'resume' | 'rewind';

const KEY_STORAGE = 'taskhub-key';
const WEBHOOK = '/runtime/webhooks/durabletask';

function key(): string | null {
  const fromUrl = new URLSearchParams(location.search).get('code');
  if (fromUrl) sessionStorage.setItem(KEY_STORAGE, fromUrl);
  return fromUrl ?? sessionStorage.getItem(KEY_STORAGE);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(url: string, init: RequestInit = {}): Promise<T> {
  const k = key();
  const headers = new Headers(init.headers);
  if (k) headers.set('x-functions-key', k);
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const message = (body as { Message?: string } | null)?.Message ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return body as T;
}

export function filterParams(filter: ListFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter) as [string, string | boolean | string[] | undefined][]) {
    if (value === undefined || value === '' || value === false) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(name, value.join(','));
    } else params.set(name, String(value));
  }
  return params;
}

export const api = {
  info: () => request<HubInfo>('/dashboard/api/info'),
  list(filter: ListFilter, top: number, continuation?: string) {
    const params = filterParams(filter);
    // The dashboard API reads the status filter as `runtimeStatus`, as the management API does.
    const status = params.get('status');
    params.delete('status');
    if (status) params.set('runtimeStatus', status);
    params.set('top', String(top));
    if (continuation) params.set('continuation', continuation);
    return request<{ instances: InstanceSummary[]; continuationToken: string | null }>(
      `/dashboard/api/instances?${params}`,
    );
  },
  counts(filter: ListFilter) {
    const params = filterParams({ ...filter, status: undefined });
    return request<{ counts: Partial<Record<RuntimeStatus, number>> | null }>(`/dashboard/api/counts?${params}`);
  },
  /** An entity's state through the management API; `exists` is false for an entity without state (deleted). */
  async entityState(name: string, key: string): Promise<{ exists: boolean; state: unknown }> {
    try {
      const url = `${WEBHOOK}/entities/${encodeURIComponent(name)}/${encodeURIComponent(key)}`;
      return { exists: true, state: await request<unknown>(url) };
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return { exists: false, state: null };
      throw err;
    }
  },
  detail: (id: string) =>
    request<{ instance: InstanceRecord; history: HistoryEvent[]; waitingFor?: WaitingFor }>(
      `/dashboard/api/instances/${encodeURIComponent(id)}`,
    ),
  /** The address of the history file `taskhub replay` reads (a download; the key rides along as `?code=`). */
  exportUrl(id: string): string {
    const k = key();
    return `/dashboard/api/instances/${encodeURIComponent(id)}/export${k ? `?code=${encodeURIComponent(k)}` : ''}`;
  },
  /**
   * Starts an orchestration through the management API's start route; answers the new instance's id. `version` goes
   * as `?version=` (Taskhub's extension of the start route).
   */
  async start(name: string, input: unknown, instanceId?: string, version?: string): Promise<string> {
    const path = `${WEBHOOK}/orchestrators/${encodeURIComponent(name)}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`;
    const url = version ? `${path}?version=${encodeURIComponent(version)}` : path;
    const body = await request<{ id: string }>(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: input === undefined ? '' : JSON.stringify(input),
    });
    return body.id;
  },
  /**
   * On `instanceIds` when given (a selection), else on what the filter matches in the statuses `op` applies to (the
   * server refuses no filter). `dryRun`: only count what it would act on (`matched`) and leave alone (`leftAlone`).
   */
  bulk(op: BulkOp, filter: ListFilter, reason?: string, instanceIds?: string[], dryRun = false) {
    const params = filterParams({ ...filter, status: undefined });
    if (filter.status?.length) params.set('runtimeStatus', filter.status.join(','));
    if (dryRun) params.set('dryRun', 'true');
    return request<{
      matched: number;
      leftAlone: number;
      succeeded: number;
      failedCount: number;
      failed: { instanceId: string; message: string }[];
    }>(`/dashboard/api/bulk/${op}?${params}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(instanceIds ? { reason, instanceIds } : { reason }),
    });
  },
  raiseEvent: (id: string, name: string, data: unknown) =>
    request<null>(`${WEBHOOK}/instances/${encodeURIComponent(id)}/raiseEvent/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(data),
    }),
  control: (id: string, op: InstanceOp, reason?: string) =>
    request<null>(
      `${WEBHOOK}/instances/${encodeURIComponent(id)}/${op}${reason ? `?reason=${encodeURIComponent(reason)}` : ''}`,
      { method: 'POST' },
    ),
  /** `taskhub doctor`'s report, through the management API's Taskhub extension route. */
  doctor: () => request<DoctorReport>(`${WEBHOOK}/doctor`),
  restart: (id: string) =>
    request<{ id: string }>(`${WEBHOOK}/instances/${encodeURIComponent(id)}/restart`, { method: 'POST' }),
  purge: (id: string) =>
    request<{ instancesDeleted: number }>(`${WEBHOOK}/instances/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

type FeedListener = (changed: InstanceSummary[] | null) => void;
const feedListeners = new Set<FeedListener>();
const stateListeners = new Set<(live: boolean) => void>();
let source: EventSource | undefined;

/**
 * One EventSource per tab, shared by every view. A listener gets the changed instances, or null when it must simply
 * refetch (reconnected after a gap, or a store that cannot list changes).
 */
export function subscribeFeed(listener: FeedListener, onState?: (live: boolean) => void): () => void {
  feedListeners.add(listener);
  if (onState) stateListeners.add(onState);
  if (!source) {
    const k = key();
    source = new EventSource(`/dashboard/api/events${k ? `?code=${encodeURIComponent(k)}` : ''}`);
    source.addEventListener('ready', () => {
      for (const l of stateListeners) l(true);
      for (const l of feedListeners) l(null);
    });
    source.addEventListener('instances', (event: MessageEvent<string>) => {
      const changed = JSON.parse(event.data) as InstanceSummary[];
      for (const l of feedListeners) l(changed.length > 0 ? changed : null);
    });
    source.onerror = () => {
      for (const l of stateListeners) l(false);
    };
  }
  return () => {
    feedListeners.delete(listener);
    if (onState) stateListeners.delete(onState);
  };
}

/** Parses stored JSON text for display; text that is not JSON is shown as it is. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
