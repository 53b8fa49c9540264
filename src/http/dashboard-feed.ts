// The dashboard's live feed: one poller per host, running only while a browser listens, asks the store for
// instances updated since its cursor (one indexed-or-scanned query per tick, however many browsers are open) and
// hands each change to every subscriber. Stores without search get a bare tick, and browsers refetch on it.
import type { InstanceRecord, Store } from '../store/store.js';

export interface InstanceSummary {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: string;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly customStatus: unknown;
  readonly parentInstanceId?: string;
  /** The orchestration version the instance was created with, when it has one. */
  readonly version?: string;
}

export type FeedListener = (changed: readonly InstanceSummary[]) => void;

export function toSummary(record: InstanceRecord): InstanceSummary {
  return {
    instanceId: record.instanceId,
    name: record.name,
    runtimeStatus: record.runtimeStatus,
    createdTime: record.createdTime,
    lastUpdatedTime: record.lastUpdatedTime,
    customStatus: parseOrText(record.customStatus),
    ...(record.parentInstanceId !== undefined ? { parentInstanceId: record.parentInstanceId } : {}),
    ...(record.version !== undefined ? { version: record.version } : {}),
  };
}

function parseOrText(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const BATCH = 500;

export class DashboardFeed {
  readonly #store: Store;
  readonly #intervalMs: number;
  readonly #listeners = new Set<FeedListener>();
  #timer: NodeJS.Timeout | undefined;
  #cursor = '';
  /** Rows seen at exactly the cursor time: the next poll (>= cursor) returns them again and must not resend them. */
  #atCursor = new Map<string, string>();
  #polling = false;

  constructor(store: Store, intervalMs = 1000) {
    this.#store = store;
    this.#intervalMs = intervalMs;
  }

  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    if (!this.#timer) {
      this.#cursor = new Date().toISOString();
      this.#atCursor.clear();
      this.#timer = setInterval(() => void this.#poll(), this.#intervalMs);
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const changed = this.#store.searchInstances ? await this.#changes(this.#store.searchInstances) : [];
      if (changed.length > 0 || !this.#store.searchInstances) for (const l of this.#listeners) l(changed);
    } catch {
      // A failed poll (store busy, closing) is retried on the next tick; the browser keeps its last view meanwhile.
    } finally {
      this.#polling = false;
    }
  }

  async #changes(search: NonNullable<Store['searchInstances']>): Promise<InstanceSummary[]> {
    const out: InstanceSummary[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await search.call(this.#store, {
        lastUpdatedTimeFrom: this.#cursor,
        orderBy: 'lastUpdatedTime',
        pageSize: BATCH,
        showInput: false,
        continuationToken,
      });
      for (const record of page.instances) {
        if (this.#atCursor.get(record.instanceId) === record.lastUpdatedTime) continue;
        out.push(toSummary(record));
      }
      continuationToken = page.continuationToken;
    } while (continuationToken && out.length < 10 * BATCH);
    const last = out.at(-1);
    if (last && last.lastUpdatedTime > this.#cursor) {
      this.#cursor = last.lastUpdatedTime;
      this.#atCursor = new Map();
    }
    for (const s of out) if (s.lastUpdatedTime === this.#cursor) this.#atCursor.set(s.instanceId, s.lastUpdatedTime);
    return out;
  }
}
