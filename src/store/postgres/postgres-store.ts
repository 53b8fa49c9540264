// The task hub on PostgreSQL: any number of worker processes on any number of machines share one hub. One schema per
// hub, a connection pool, claims with FOR UPDATE SKIP LOCKED under leases (the database's clock decides expiry),
// the group commit as one transaction per batch, and LISTEN/NOTIFY so idle workers wake when another process stores
// work. Same Store contract and conformance suite as SQLite.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TaskhubError } from '../../core/errors.js';
import { TERMINAL_STATUSES, type HistoryEvent, type RuntimeStatus } from '../../core/history.js';
import type { VersionFilter } from '../../core/versioning.js';
import type {
  Backlog,
  ClaimedOrchestration,
  CommitBatch,
  CreateInstanceOptions,
  CommitResult,
  InstancePage,
  InstanceQuery,
  InstanceRecord,
  InstanceSearch,
  NewInstance,
  NewMessage,
  PurgeBatch,
  PurgeQuery,
  Store,
  TimerClaim,
  TimerStatus,
  WorkItem,
  WorkItemKey,
} from '../store.js';
import { PgClaims } from './claims.js';
import { PgCommitter, RETRYABLE_CODES } from './commit.js';
import type { DoctorScan, DoctorScanOptions } from '../doctor-scan.js';
import { scanPostgres } from './doctor.js';
import { PgInstances } from './instances.js';
import { PgListener } from './listener.js';
import { PgPurgeBatch } from './purge-batch.js';
import { withConnection } from './checkout.js';
import { preparing } from './prepared.js';
import { PgSearch } from './search.js';
import { PgTimers } from './timers.js';
import { migrate, NOW_MS, schemaFor } from './schema.js';
import type { Queryable } from './instances.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  readonly connectionString: string;
  /** Task hub name (default 'TestHubName'): letters and digits; the hub lives in schema `taskhub_<lowercased name>`. */
  readonly hubName?: string;
  /** Connections in the pool (default 10). A worker uses about two at a time plus one for LISTEN. */
  readonly poolSize?: number;
}

export function openPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}

interface PendingCreate {
  readonly instance: NewInstance;
  readonly replaceable: readonly RuntimeStatus[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** Errors after which a whole transaction may simply run again: deadlock, serialization failure. */

const CLOSED = {
  query: () => Promise.reject(new TaskhubError('STORE_CLOSED', 'The store is closed.')),
  connect: () => Promise.reject(new TaskhubError('STORE_CLOSED', 'The store is closed.')),
} as unknown as pg.Pool;

export class PostgresStore implements Store {
  readonly hubName: string;
  readonly localWorkInRow = true;
  /** The schema that holds this hub's tables. */
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly #instances: PgInstances;
  readonly #claims: PgClaims;
  readonly #committer: PgCommitter;
  readonly #listener: PgListener;
  readonly #search: PgSearch;
  readonly #timers: PgTimers;
  readonly #purgeBatch: PgPurgeBatch;
  #closed = false;
  #creates: PendingCreate[] = [];
  #reads = new Map<
    string,
    { resolve: (record: InstanceRecord | undefined) => void; reject: (err: unknown) => void }[]
  >();
  #enqueues: { messages: readonly NewMessage[]; resolve: (n: number) => void; reject: (err: unknown) => void }[] = [];

  constructor(options: PostgresStoreOptions) {
    this.hubName = options.hubName ?? 'TestHubName';
    this.schema = schemaFor(this.hubName);
    const config: pg.ClientConfig = { connectionString: options.connectionString };
    this.pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
    // An idle connection that breaks (server restart) is discarded by the pool; without a handler it would crash.
    this.pool.on('error', () => undefined);
    const channel = this.schema;
    const payload = randomBytes(8).toString('hex');
    this.#instances = new PgInstances(this.schema, channel, payload);
    this.#claims = new PgClaims(this.schema, channel, payload);
    this.#committer = new PgCommitter(this.schema, this.#instances, this.#claims, channel, payload);
    this.#listener = new PgListener(config, channel, payload);
    this.#prepared = preparing(this.pool);
    this.#search = new PgSearch(this.schema);
    this.#timers = new PgTimers(this.schema);
    this.#purgeBatch = new PgPurgeBatch(this.schema);
  }

  migrate(): Promise<void> {
    return migrate(this.pool, this.schema);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#listener.close();
    await this.pool.end();
  }

  /** Wakes `listener` when another process stores work in this hub (LISTEN/NOTIFY); returns the unsubscribe. */
  onWork(listener: () => void): () => void {
    return this.#listener.subscribe(listener);
  }

  /** Resolves once the LISTEN connection is up (for tests that must not miss the first notification). */
  listening(): Promise<void> {
    return this.#listener.ready();
  }

  /** The pool, or after close() a stand-in whose every query rejects with STORE_CLOSED. */
  get #db(): pg.Pool {
    return this.#closed ? CLOSED : this.pool;
  }

  /**
   * The pool for the store's fixed statements, which run as named prepared statements. Statements whose text varies
   * with the filters (queries, purges, the dashboard's search) run unnamed on the pool itself.
   */
  readonly #prepared: Queryable;
  get #q(): Queryable {
    return this.#closed ? CLOSED : this.#prepared;
  }

  /**
   * Creates issued in one turn of the event loop (a client starting many instances) share one statement and one
   * WAL flush; each caller still gets its own outcome.
   */
  createInstance(instance: NewInstance, options?: CreateInstanceOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#creates.push({
        instance,
        replaceable: options?.replaceableStatuses ?? TERMINAL_STATUSES,
        resolve,
        reject,
      });
      if (this.#creates.length === 1) setImmediate(() => void this.#flushCreates());
    });
  }

  async #flushCreates(): Promise<void> {
    const pending = this.#creates;
    this.#creates = [];
    // One statement per set of replaceable statuses, with distinct ids (ON CONFLICT cannot touch a row twice).
    const groups = new Map<string, PendingCreate[]>();
    const alone: PendingCreate[] = [];
    const ids = new Set<string>();
    for (const p of pending) {
      if (ids.has(p.instance.instanceId)) {
        alone.push(p);
        continue;
      }
      ids.add(p.instance.instanceId);
      const key = [...p.replaceable].sort().join(',');
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    for (const group of groups.values()) await this.#createGroup(group);
    for (const p of alone) await this.#createGroup([p]);
  }

  async #createGroup(group: readonly PendingCreate[]): Promise<void> {
    const db = this.#q;
    let created: Set<string>;
    try {
      created = await this.#instances.create(
        db,
        group.map((p) => p.instance),
        group[0]?.replaceable ?? [],
      );
    } catch (err) {
      if (group.length === 1) group[0]?.reject(err);
      // Something in the group failed the statement: run each alone, so only the failing one rejects.
      else for (const p of group) await this.#createGroup([p]);
      return;
    }
    for (const p of group) {
      if (created.has(p.instance.instanceId)) p.resolve();
      else p.reject(await this.#instances.existsError(db, p.instance.instanceId).catch((err: unknown) => err));
    }
  }

  /**
   * Reads issued in one turn of the event loop (many clients polling or checking before they raise) share one query,
   * so a burst of them does not queue for the pool's connections one by one.
   */
  getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.#reads.get(instanceId);
      if (waiting) waiting.push({ resolve, reject });
      else this.#reads.set(instanceId, [{ resolve, reject }]);
      if (this.#reads.size === 1 && !waiting) setImmediate(() => void this.#flushReads());
    });
  }

  async #flushReads(): Promise<void> {
    const reads = this.#reads;
    this.#reads = new Map();
    try {
      const found = await this.#instances.getMany(this.#q, [...reads.keys()]);
      for (const [id, waiting] of reads) for (const w of waiting) w.resolve(found.get(id));
    } catch (err) {
      for (const waiting of reads.values()) for (const w of waiting) w.reject(err);
    }
  }

  getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.#instances.history(this.#q, instanceId);
  }

  /** The dashboard's search: name and custom-status text, five orders, keyset paging. */
  searchInstances(query: InstanceSearch): Promise<InstancePage> {
    return this.#search.search(this.#db, query);
  }

  /** The dashboard's counts per runtime status for a search. */
  countInstances(query: InstanceSearch): Promise<Partial<Record<RuntimeStatus, number>>> {
    return this.#search.count(this.#db, query);
  }

  doctorScan(options: DoctorScanOptions): Promise<DoctorScan> {
    return scanPostgres(this.#db, this.schema, options);
  }

  queryInstances(query: InstanceQuery): Promise<InstancePage> {
    return this.#instances.query(this.#db, query);
  }

  purgeInstance(instanceId: string): Promise<number> {
    return this.#instances.purge(this.#db, { instanceId });
  }

  purgeInstances(query: PurgeQuery): Promise<number> {
    return this.#instances.purge(this.#db, query);
  }

  purgeInstanceBatch(batch: PurgeBatch): Promise<number> {
    return this.#purgeBatch.purge(this.#db, batch);
  }

  deleteEntityIfIdle(instanceId: string, entityState: string | undefined): Promise<boolean> {
    return this.#instances.deleteEntityIfIdle(this.#db, instanceId, entityState);
  }

  /**
   * Enqueues issued in one turn of the event loop (a client raising many events, signalling many entities) share
   * one statement and one WAL flush; each caller still learns how many of its own messages were stored.
   */
  enqueueMessages(messages: readonly NewMessage[]): Promise<number> {
    if (messages.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.#enqueues.push({ messages, resolve, reject });
      if (this.#enqueues.length === 1) setImmediate(() => void this.#flushEnqueues());
    });
  }

  async #flushEnqueues(): Promise<void> {
    const pending = this.#enqueues;
    this.#enqueues = [];
    try {
      const stored = await this.#claims.enqueueEach(
        this.#q,
        pending.flatMap((p) => p.messages),
      );
      let at = 0;
      for (const p of pending) {
        p.resolve(stored.slice(at, at + p.messages.length).filter(Boolean).length);
        at += p.messages.length;
      }
    } catch (err) {
      if (pending.length === 1) pending[0]?.reject(err);
      // Something in the batch failed the statement: run each caller's messages alone, so only the failing one rejects.
      else {
        for (const p of pending) {
          await this.#claims.enqueue(this.#q, p.messages).then(p.resolve, p.reject);
        }
      }
    }
  }

  claimOrchestrations(
    workerId: string,
    limit: number,
    leaseMs: number,
    exclude?: ReadonlySet<string>,
    versions?: VersionFilter,
  ): Promise<ClaimedOrchestration[]> {
    return this.#claims.claimOrchestrations(this.#q, workerId, limit, leaseMs, exclude, versions);
  }

  async commit(batch: CommitBatch): Promise<CommitResult> {
    if (batch.episodes.length === 0 && batch.activityCompletions.length === 0) return { rejectedEpisodes: [] };
    for (let attempt = 1; ; attempt++) {
      try {
        if (PgCommitter.isSimple(batch)) return await this.#committer.commitSimple(this.#q, batch);
        return await withConnection(this.#db, (client) =>
          PgCommitter.hasNoChildren(batch)
            ? this.#committer.commitWithStarts(preparing(client), batch)
            : this.#committer.commit(client, batch),
        );
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= 3 || code === undefined || !RETRYABLE_CODES.has(code)) throw err;
      }
    }
  }

  renewLocks(workerId: string, leaseMs: number): Promise<void> {
    return this.#claims.renewLocks(this.#q, workerId, leaseMs);
  }

  releaseLocks(workerId: string, options?: { readonly undelivered?: boolean }): Promise<void> {
    return this.#claims.releaseLocks(this.#q, workerId, options?.undelivered ?? false);
  }

  recoverLocalWork(workerId: string): Promise<number> {
    return this.#claims.recoverLocalWork(this.#q, workerId);
  }

  releaseInstances(workerId: string, instanceIds: readonly string[]): Promise<void> {
    return this.#claims.releaseInstances(this.#q, workerId, instanceIds);
  }

  lockHolders(): Promise<string[]> {
    return this.#claims.lockHolders(this.#db);
  }

  nextVisibleAt(): Promise<string | undefined> {
    return this.#claims.nextVisibleAt(this.#db);
  }

  async backlog(): Promise<Backlog> {
    const s = this.schema;
    const { rows } = await this.#db.query<{ messages: number; timers: number; work_items: number }>(
      `SELECT (SELECT count(*)::int FROM ${s}.messages WHERE visible_at <= ${NOW_MS}) AS messages,
              (SELECT count(*)::int FROM ${s}.messages WHERE visible_at > ${NOW_MS}) AS timers,
              (SELECT count(*)::int FROM ${s}.work_items) AS work_items`,
    );
    const row = rows[0];
    return { messages: row?.messages ?? 0, workItems: row?.work_items ?? 0, timers: row?.timers ?? 0 };
  }

  claimWorkItems(workerId: string, limit: number, leaseMs: number): Promise<WorkItem[]> {
    return this.#claims.claimWorkItems(this.#q, workerId, limit, leaseMs);
  }

  abandonWorkItem(workerId: string, key: WorkItemKey, options?: { readonly undelivered?: boolean }): Promise<void> {
    return this.#claims.abandonWorkItem(this.#q, workerId, key, options?.undelivered ?? false);
  }

  markDeliveryAlone(workerId: string, key: WorkItemKey, alone: boolean): Promise<void> {
    return this.#claims.markDeliveryAlone(this.#q, workerId, key, alone);
  }

  getTimerStatus(functionName: string): Promise<TimerStatus | undefined> {
    return this.#timers.status(this.#q, functionName);
  }

  claimTimerOccurrence(claim: TimerClaim): Promise<boolean> {
    return this.#timers.claim(this.#q, claim);
  }
}
