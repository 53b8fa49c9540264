// The embedded task hub on SQLite (better-sqlite3): WAL, synchronous=FULL by default so a committed step survives
// power loss. better-sqlite3 is synchronous, so every method does its work inside one call; the async signatures are
// the Store contract that PostgreSQL shares. Claims and commits run in BEGIN IMMEDIATE transactions, which is what
// keeps two processes on one file from ever holding the same instance or work item at once.
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../clock.js';
import { TaskhubError } from '../../core/errors.js';
import type { VersionFilter } from '../../core/versioning.js';
import { TERMINAL_STATUSES, type HistoryEvent, type RuntimeStatus } from '../../core/history.js';
import { MIGRATIONS } from '../migrations.js';
import type {
  Backlog,
  ClaimedOrchestration,
  CommitBatch,
  CommitResult,
  InstancePage,
  InstanceQuery,
  InstanceRecord,
  InstanceSearch,
  CreateInstanceOptions,
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
import { SqliteCommitter } from './commit.js';
import type { DoctorScan, DoctorScanOptions } from '../doctor-scan.js';
import { scanSqlite } from './doctor.js';
import { SqliteQueries } from './queries.js';
import { SqlitePurgeBatch } from './purge-batch.js';
import { SqliteSearch } from './search.js';
import { SqliteTimers } from './timers.js';
import { toInstance, type InstanceRow } from './rows.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. */
  readonly path: string;
  /** Task hub name (default 'TestHubName'). */
  readonly hubName?: string;
  /** 'full' (default): every commit is fsynced. 'normal': faster, a power loss may lose the last commits. */
  readonly durability?: 'full' | 'normal';
  /** Time source for visibility, leases and timestamps (default real time; the test hub passes a virtual clock). */
  readonly clock?: Clock;
}

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}

export class SqliteStore implements Store {
  readonly hubName: string;
  readonly durability: 'full' | 'normal';
  readonly clock: Clock;
  readonly db: Database.Database;
  readonly localWorkInRow = true;
  #committer: SqliteCommitter | undefined;
  #pending: { fn: () => unknown; resolve: (value: unknown) => void; reject: (err: unknown) => void }[] = [];
  #flushScheduled = false;
  /** Runs fn in a savepoint: its writes roll back alone if it throws. */
  readonly #savepoint: <T>(fn: () => T) => T;
  /** Runs fn in a transaction of its own (BEGIN IMMEDIATE). */
  readonly #immediate: <T>(fn: () => T) => T;
  #queries: SqliteQueries | undefined;
  #purgeBatch: SqlitePurgeBatch | undefined;
  #searches: SqliteSearch | undefined;
  #timerSchedules: SqliteTimers | undefined;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    this.hubName = options.hubName ?? 'TestHubName';
    this.durability = options.durability ?? 'full';
    this.clock = options.clock ?? systemClock;
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 10000');
    // A 16 MiB page cache (the default 2 MiB is outgrown by a busy hub's indexes; 64 MiB gained nothing more and
    // pushed W6's 100,000 waiting instances to 190 MB RSS). WAL checkpoints stay at SQLite's default of every 1,000
    // pages: a commit that makes the WAL file longer costs its fsync a file-size update too, and a small WAL is
    // rewritten in place almost at once. With 8,000 pages a fresh hub spent its first 32 MB growing the file: W2 ran
    // 3,848 steps/s against 4,611 with 1,000 (medians of 4, interleaved, same process), W1 13,014 against 13,403.
    this.db.pragma('cache_size = -16384');
    this.db.pragma('wal_autocheckpoint = 1000');
    const savepoint = this.db.transaction((fn: () => unknown) => fn());
    this.#savepoint = <T>(fn: () => T): T => savepoint(fn) as T;
    this.#immediate = <T>(fn: () => T): T => savepoint.immediate(fn) as T;
  }

  migrate(): Promise<void> {
    const db = this.db;
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    db.transaction(() => {
      const applied = new Set(
        (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
      );
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const sql of m.sqlite) db.exec(sql);
        db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
          m.version,
          new Date().toISOString(),
        );
      }
    }).immediate();
    this.#committer = new SqliteCommitter(db, this.hubName, this.clock);
    this.#queries = new SqliteQueries(db, this.hubName);
    this.#purgeBatch = new SqlitePurgeBatch(db, this.hubName);
    this.#searches = new SqliteSearch(db, this.hubName);
    this.#timerSchedules = new SqliteTimers(db, this.hubName, this.clock);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    while (this.#flushScheduled) await new Promise((r) => setImmediate(r));
    if (!this.#closed) {
      this.#closed = true;
      this.db.close();
    }
  }

  /**
   * Store-level group commit: every write issued in one turn of the event loop (client starts and events, worker
   * claims and episode commits) runs in one IMMEDIATE transaction, each in its own savepoint so one failing write
   * (say INSTANCE_EXISTS) rejects alone. One fsync then serves all of them; each promise resolves once durable.
   */
  #write<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new TaskhubError('STORE_CLOSED', 'The store is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const ops = this.#pending;
    this.#pending = [];
    if (ops.length === 0) return;
    const only = ops.length === 1 ? ops[0] : undefined;
    if (only) {
      // One write (a group commit, mostly): the transaction alone isolates it. A savepoint would copy every page the
      // write changes to its statement journal first (W1: 6,000 page writes to a temp file per 2,000 instances).
      let value: unknown;
      try {
        value = this.#immediate(only.fn);
      } catch (err) {
        only.reject(err);
        return;
      }
      only.resolve(value);
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.db
        .transaction(() => {
          for (const op of ops) {
            try {
              outcomes.push({ ok: true, value: this.#savepoint(op.fn) });
            } catch (err) {
              // SQLite may roll the whole transaction back on its own (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY): then
              // nothing before this op was written either, and the ops after it must not run (each would commit
              // alone, outside the transaction). Every op of the batch fails with this error.
              if (!this.db.inTransaction) throw err;
              outcomes.push({ ok: false, value: err });
            }
          }
        })
        .immediate();
    } catch (err) {
      for (const op of ops) op.reject(err);
      return;
    }
    ops.forEach((op, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) op.resolve(outcome.value);
      else op.reject(outcome?.value);
    });
  }

  get #c(): SqliteCommitter {
    if (!this.#committer) throw new TaskhubError('STORE_CLOSED', 'Call migrate() before using the store.');
    return this.#committer;
  }

  get #q(): SqliteQueries {
    if (!this.#queries) throw new TaskhubError('STORE_CLOSED', 'Call migrate() before using the store.');
    return this.#queries;
  }

  get #search(): SqliteSearch {
    if (!this.#searches) throw new TaskhubError('STORE_CLOSED', 'Call migrate() before using the store.');
    return this.#searches;
  }

  get #timers(): SqliteTimers {
    if (!this.#timerSchedules) throw new TaskhubError('STORE_CLOSED', 'Call migrate() before using the store.');
    return this.#timerSchedules;
  }

  // Every method runs synchronously; wrapping in `run` turns a throw into a rejected promise as async callers expect.
  createInstance(instance: NewInstance, options?: CreateInstanceOptions): Promise<void> {
    return this.#write(() => {
      this.#c.createInstances([instance], options?.replaceableStatuses ?? TERMINAL_STATUSES);
    });
  }

  getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    return run(() => {
      const row = this.#q.getInstanceRow(instanceId);
      return row ? toInstance(row) : undefined;
    });
  }

  getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return run(() => this.#q.getHistory(instanceId));
  }

  queryInstances(query: InstanceQuery): Promise<InstancePage> {
    return run(() => this.#q.queryInstances(query));
  }

  searchInstances(query: InstanceSearch): Promise<InstancePage> {
    return run(() => this.#search.search(query));
  }

  countInstances(query: InstanceSearch): Promise<Partial<Record<RuntimeStatus, number>>> {
    return run(() => this.#search.count(query));
  }

  doctorScan(options: DoctorScanOptions): Promise<DoctorScan> {
    return run(() => scanSqlite(this.db, this.hubName, this.db.name, this.clock.now(), options));
  }

  purgeInstance(instanceId: string): Promise<number> {
    return this.#write(() => this.#q.purge({ instanceId }));
  }

  purgeInstances(query: PurgeQuery): Promise<number> {
    return this.#write(() => this.#q.purge(query));
  }

  purgeInstanceBatch(batch: PurgeBatch): Promise<number> {
    return this.#write(() => {
      if (!this.#purgeBatch) throw new TaskhubError('STORE_CLOSED', 'Call migrate() before using the store.');
      return this.#purgeBatch.purge(batch);
    });
  }

  deleteEntityIfIdle(instanceId: string, entityState: string | undefined): Promise<boolean> {
    return this.#write(() => this.#q.deleteEntityIfIdle(instanceId, entityState, Date.now()));
  }

  enqueueMessages(messages: readonly NewMessage[]): Promise<number> {
    return this.#write(() => this.#c.enqueue(messages));
  }

  claimOrchestrations(
    workerId: string,
    limit: number,
    leaseMs: number,
    exclude?: ReadonlySet<string>,
    versions?: VersionFilter,
  ): Promise<ClaimedOrchestration[]> {
    return this.#write(() => this.#c.claimOrchestrations(workerId, limit, leaseMs, exclude, versions));
  }

  commit(batch: CommitBatch): Promise<CommitResult> {
    return this.#write(() => this.#c.commit(batch));
  }

  renewLocks(workerId: string, leaseMs: number): Promise<void> {
    return this.#write(() => this.#c.renewLocks(workerId, leaseMs));
  }

  releaseLocks(workerId: string, options?: { readonly undelivered?: boolean }): Promise<void> {
    return this.#write(() => this.#c.releaseLocks(workerId, options?.undelivered ?? false));
  }

  recoverLocalWork(workerId: string): Promise<number> {
    return this.#write(() => this.#c.recoverLocalWork(workerId));
  }

  releaseInstances(workerId: string, instanceIds: readonly string[]): Promise<void> {
    return this.#write(() => this.#c.releaseInstances(workerId, instanceIds));
  }

  lockHolders(): Promise<string[]> {
    return run(() => this.#c.lockHolders());
  }

  nextVisibleAt(): Promise<string | undefined> {
    return run(() => this.#c.nextVisibleAt());
  }

  backlog(): Promise<Backlog> {
    return run(() => {
      const now = this.clock.now();
      const row = this.db
        .prepare(
          `SELECT (SELECT count(*) FROM messages WHERE hub = ? AND visible_at <= ?) AS messages,
                  (SELECT count(*) FROM messages WHERE hub = ? AND visible_at > ?) AS timers,
                  (SELECT count(*) FROM work_items WHERE hub = ?) AS workItems`,
        )
        .get(this.hubName, now, this.hubName, now, this.hubName) as Backlog;
      return { messages: row.messages, workItems: row.workItems, timers: row.timers };
    });
  }

  claimWorkItems(workerId: string, limit: number, leaseMs: number): Promise<WorkItem[]> {
    return this.#write(() => this.#c.claimWorkItems(workerId, limit, leaseMs));
  }

  abandonWorkItem(workerId: string, key: WorkItemKey, options?: { readonly undelivered?: boolean }): Promise<void> {
    return this.#write(() => this.#c.abandonWorkItem(workerId, key, options?.undelivered ?? false));
  }

  markDeliveryAlone(workerId: string, key: WorkItemKey, alone: boolean): Promise<void> {
    return this.#write(() => this.#c.markDeliveryAlone(workerId, key, alone));
  }

  getTimerStatus(functionName: string): Promise<TimerStatus | undefined> {
    return run(() => this.#timers.status(functionName));
  }

  claimTimerOccurrence(claim: TimerClaim): Promise<boolean> {
    return this.#write(() => this.#timers.claim(claim));
  }
}

function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export type { InstanceRow };
