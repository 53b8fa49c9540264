// Writes on the SQLite store: instance creation, messages, claims with leases, and the atomic group commit of
// episodes and activity completions. Statements are prepared once; each public method is one IMMEDIATE transaction.
import type Database from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import { TaskhubError } from '../../core/errors.js';
import { entityName, isEntityInstanceId } from '../../core/entity-state.js';
import { isTerminal, type HistoryEvent, type RuntimeStatus } from '../../core/history.js';
import { versionAllowed, type VersionFilter } from '../../core/versioning.js';
import type {
  ClaimedOrchestration,
  CommitBatch,
  CommitResult,
  EpisodeCommit,
  LocalWorkItem,
  NewInstance,
  NewMessage,
  OrchestrationMessage,
  WorkItem,
  WorkItemKey,
} from '../store.js';
import { dropsWorkItems } from '../store.js';
import { ClaimOrder } from './queries.js';
import { tagsText, toInstance, versionOf, type InstanceRow } from './rows.js';

type Params = (string | number | null)[];

export class SqliteCommitter {
  readonly #db: Database.Database;
  readonly #hub: string;
  readonly #s: Record<string, Database.Statement<Params>>;
  readonly #clock: Clock;
  readonly #claimOrder: ClaimOrder;

  constructor(db: Database.Database, hub: string, clock: Clock) {
    this.#db = db;
    this.#hub = hub;
    this.#clock = clock;
    this.#claimOrder = new ClaimOrder(db, hub);
    const p = (sql: string): Database.Statement<Params> => db.prepare<Params>(sql);
    this.#s = {
      instance: p('SELECT * FROM instances WHERE hub = ? AND instance_id = ?'),
      instanceState: p(
        'SELECT execution_id, runtime_status, history_length, locked_by FROM instances WHERE hub = ? AND instance_id = ?',
      ),
      exists: p('SELECT 1 FROM instances WHERE hub = ? AND instance_id = ?'),
      // An entity comes into being with the first message sent to it (Durable Functions' implicit creation).
      insertEntity: p(`INSERT INTO instances (hub, instance_id, execution_id, name, runtime_status, created_time,
          last_updated_time, history_length, locked_by, lock_expires) VALUES (?, ?, '', ?, 'Running', ?, ?, 0, NULL, 0)`),
      upsertInstance: p(`INSERT INTO instances (hub, instance_id, execution_id, name, runtime_status, input, output,
          failure_details, custom_status, parent_instance_id, created_time, last_updated_time, history_length, locked_by, lock_expires,
          tags, version)
        VALUES (?, ?, ?, ?, 'Pending', ?, NULL, NULL, NULL, ?, ?, ?, 0, ?, ?, ?, ?)
        ON CONFLICT (hub, instance_id) DO UPDATE SET execution_id = excluded.execution_id, name = excluded.name,
          runtime_status = 'Pending', input = excluded.input, output = NULL, failure_details = NULL, custom_status = NULL,
          parent_instance_id = excluded.parent_instance_id, created_time = excluded.created_time,
          last_updated_time = excluded.last_updated_time, history_length = 0, locked_by = excluded.locked_by,
          lock_expires = excluded.lock_expires, delivery_count = 0, tags = excluded.tags, version = excluded.version,
          local_work = NULL`),
      deleteHistory: p('DELETE FROM history WHERE hub = ? AND instance_id = ?'),
      deleteMessages: p('DELETE FROM messages WHERE hub = ? AND instance_id = ?'),
      deleteWorkItems: p('DELETE FROM work_items WHERE hub = ? AND instance_id = ?'),
      insertMessage: p(
        'INSERT INTO messages (hub, instance_id, execution_id, event, visible_at) VALUES (?, ?, ?, ?, ?)',
      ),
      deleteMessage: p('DELETE FROM messages WHERE id = ? AND hub = ?'),
      insertHistory: p('INSERT INTO history (hub, instance_id, seq, events) VALUES (?, ?, ?, ?)'),
      lockInstance: p(`UPDATE instances SET
          delivery_count = CASE WHEN locked_by IS ? THEN delivery_count ELSE delivery_count + 1 END,
          locked_by = ?, lock_expires = ? WHERE hub = ? AND instance_id = ?`),
      visibleMessages: p(
        'SELECT id, execution_id, event, visible_at FROM messages INDEXED BY messages_instance WHERE hub = ? AND instance_id = ? AND visible_at <= ? ORDER BY id',
      ),
      updateInstance: p(`UPDATE instances SET runtime_status = ?, input = COALESCE(?, input), output = ?,
          failure_details = ?, custom_status = COALESCE(?, custom_status), entity_state = COALESCE(?, entity_state),
          history_length = ?, last_updated_time = ?,
          execution_id = ?, locked_by = ?, lock_expires = ?, delivery_count = 0,
          local_work = CASE WHEN ? THEN ? ELSE local_work END
        WHERE hub = ? AND instance_id = ? AND locked_by = ? AND execution_id = ? AND history_length = ?`),
      // The common step of a running instance (same status, lock kept): it sets no indexed column, so SQLite writes
      // the row's page only, not the pages of instances_status and instances_locked (2 of W2's 10 WAL frames a step).
      // The status is part of the check; a row in another status (a first episode, a rewind) takes updateInstance.
      continueInstance: p(`UPDATE instances SET custom_status = COALESCE(?, custom_status), history_length = ?,
          last_updated_time = ?, lock_expires = ?, delivery_count = 0,
          local_work = CASE WHEN ? THEN ? ELSE local_work END
        WHERE hub = ? AND instance_id = ? AND locked_by = ? AND execution_id = ? AND history_length = ?
          AND runtime_status = ?`),
      deleteWorkItem: p(
        'DELETE FROM work_items WHERE hub = ? AND instance_id = ? AND execution_id = ? AND task_scheduled_id = ?',
      ),
      insertWorkItem:
        p(`INSERT OR IGNORE INTO work_items (hub, instance_id, execution_id, task_scheduled_id, name, input,
          locked_by, lock_expires, delivery_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      readyWorkItems: p(`SELECT rowid, instance_id, execution_id, task_scheduled_id, name, input, delivery_count, solo
          FROM work_items w WHERE hub = ? AND lock_expires < ?
            AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.hub = w.hub AND i.instance_id = w.instance_id
              AND i.runtime_status = 'Suspended')
          ORDER BY lock_expires, rowid LIMIT ?`),
      lockWorkItem: p(
        'UPDATE work_items SET locked_by = ?, lock_expires = ?, delivery_count = delivery_count + 1, solo = 0 WHERE rowid = ?',
      ),
      renewInstances: p('UPDATE instances SET lock_expires = ? WHERE hub = ? AND locked_by = ?'),
      renewWorkItems: p('UPDATE work_items SET lock_expires = ? WHERE hub = ? AND locked_by = ?'),
      releaseInstances: p('UPDATE instances SET locked_by = NULL, lock_expires = 0 WHERE hub = ? AND locked_by = ?'),
      releaseWorkItems: p('UPDATE work_items SET locked_by = NULL, lock_expires = 0 WHERE hub = ? AND locked_by = ?'),
      releaseInstance: p(
        'UPDATE instances SET locked_by = NULL, lock_expires = 0 WHERE hub = ? AND instance_id = ? AND locked_by = ?',
      ),
      abandonWorkItem: p(`UPDATE work_items SET locked_by = NULL, lock_expires = 0,
          solo = CASE WHEN ? THEN 0 ELSE solo END,
          delivery_count = CASE WHEN ? THEN MAX(delivery_count - 1, 0) ELSE delivery_count END WHERE hub = ? AND instance_id = ?
          AND execution_id = ? AND task_scheduled_id = ? AND locked_by = ?`),
      markAlone: p(`UPDATE work_items SET solo = ? WHERE hub = ? AND instance_id = ? AND execution_id = ?
          AND task_scheduled_id = ? AND locked_by = ?`),
      // Local work kept in instance rows (migration 11) becomes unclaimed work items: of one instance whose lock is
      // taken over by a claim (held by anyone else) or given up by its holder, of all a holder releases, or of all
      // whose lock expired. The first parameter is the delivery count the work items start with.
      localToWorkItems: p(localToWorkItems('i.instance_id = ? AND i.locked_by IS NOT ?')),
      clearLocal: p(`UPDATE instances SET local_work = NULL
          WHERE hub = ? AND instance_id = ? AND local_work IS NOT NULL AND locked_by IS NOT ?`),
      heldLocalToWorkItems: p(localToWorkItems('i.instance_id = ? AND i.locked_by = ?')),
      clearHeldLocal: p(`UPDATE instances SET local_work = NULL
          WHERE hub = ? AND instance_id = ? AND local_work IS NOT NULL AND locked_by = ?`),
      holderLocalToWorkItems: p(localToWorkItems('i.locked_by = ?')),
      clearHolderLocal: p(
        'UPDATE instances SET local_work = NULL WHERE hub = ? AND locked_by = ? AND local_work IS NOT NULL',
      ),
      expiredLocalToWorkItems: p(
        localToWorkItems('i.locked_by IS NOT NULL AND i.locked_by <> ? AND i.lock_expires < ?'),
      ),
      releaseExpiredLocal: p(`UPDATE instances SET local_work = NULL, locked_by = NULL, lock_expires = 0
          WHERE hub = ? AND locked_by IS NOT NULL AND locked_by <> ? AND lock_expires < ? AND local_work IS NOT NULL`),
      nextVisible: p('SELECT MIN(visible_at) AS t FROM messages WHERE hub = ? AND visible_at > ?'),
      holders: p(`SELECT locked_by FROM instances WHERE hub = ? AND locked_by IS NOT NULL
          UNION SELECT locked_by FROM work_items WHERE hub = ? AND locked_by IS NOT NULL`),
    };
  }

  createInstances(instances: readonly NewInstance[], replaceable: readonly RuntimeStatus[]): void {
    this.#db
      .transaction(() => {
        for (const instance of instances) {
          const existing = this.#s.instanceState!.get(this.#hub, instance.instanceId) as
            { runtime_status: RuntimeStatus } | undefined;
          if (existing && !replaceable.includes(existing.runtime_status)) {
            throw new TaskhubError(
              'INSTANCE_EXISTS',
              `An instance with ID '${instance.instanceId}' already exists and is ${existing.runtime_status}. ` +
                'Use another instance id, or wait until it finishes (or terminate it) before reusing this one.',
            );
          }
          this.#create(instance, existing !== undefined);
        }
      })
      .immediate();
  }

  /**
   * Inserts (or replaces) the instance row and stores its start message; or, for a local start (`lockedBy`), locks
   * the row for that worker and stores no message (the episode committed with it consumes the start).
   */
  #create(instance: NewInstance, replace: boolean, lockedBy?: { workerId: string; until: number }): void {
    const s = this.#s;
    const id = instance.instanceId;
    if (replace) {
      s.deleteHistory!.run(this.#hub, id);
      s.deleteMessages!.run(this.#hub, id);
      s.deleteWorkItems!.run(this.#hub, id);
    }
    const now = new Date(this.#clock.now()).toISOString();
    s.upsertInstance!.run(
      this.#hub,
      id,
      instance.executionId,
      instance.name,
      instance.input ?? null,
      instance.parentInstanceId ?? null,
      instance.createdTime ?? now,
      now,
      lockedBy?.workerId ?? null,
      lockedBy?.until ?? 0,
      tagsText(instance.tags),
      versionOf(instance),
    );
    if (lockedBy) return;
    s.insertMessage!.run(
      this.#hub,
      id,
      instance.executionId,
      JSON.stringify(instance.startEvent),
      instance.visibleAt ? Date.parse(instance.visibleAt) : this.#clock.now(),
    );
  }

  enqueue(messages: readonly NewMessage[]): number {
    return this.#db.transaction(() => this.#enqueue(messages)).immediate();
  }

  #enqueue(messages: readonly NewMessage[]): number {
    if (messages.length === 0) return 0;
    let count = 0;
    const now = this.#clock.now();
    for (const m of messages) {
      if (!this.#s.exists!.get(this.#hub, m.instanceId)) {
        if (!isEntityInstanceId(m.instanceId)) continue;
        const time = new Date(now).toISOString();
        this.#s.insertEntity!.run(this.#hub, m.instanceId, entityName(m.instanceId), time, time);
      }
      this.#s.insertMessage!.run(
        this.#hub,
        m.instanceId,
        m.executionId ?? null,
        JSON.stringify(m.event),
        m.visibleAt ? Date.parse(m.visibleAt) : now,
      );
      count++;
    }
    return count;
  }

  claimOrchestrations(
    workerId: string,
    limit: number,
    leaseMs: number,
    exclude?: ReadonlySet<string>,
    versions?: VersionFilter,
  ): ClaimedOrchestration[] {
    return this.#db
      .transaction(() => {
        const now = this.#clock.now();
        const until = now + leaseMs;
        const excluded = exclude && exclude.size > 0 ? JSON.stringify([...exclude]) : '[]';
        // A worker passes over instances of versions it does not run (versionAllowed); entities have no version.
        const ids = this.#claimOrder.pick(now, workerId, excluded, limit, (id, name, version) =>
          isEntityInstanceId(id) ? true : versionAllowed(versions, name, version ?? undefined),
        );
        const claimed: ClaimedOrchestration[] = [];
        for (const id of ids) {
          // An expired lock taken over: the old owner's local work becomes work items before this owner's first
          // commit can write its own list (the old owner's late results are dropped: its commits are rejected).
          if (this.#s.localToWorkItems!.run(1, this.#hub, id, workerId).changes > 0) {
            this.#s.clearLocal!.run(this.#hub, id, workerId);
          }
          this.#s.lockInstance!.run(workerId, workerId, until, this.#hub, id);
          const row = this.#s.instance!.get(this.#hub, id) as InstanceRow;
          const messages = (
            this.#s.visibleMessages!.all(this.#hub, id, now) as {
              id: number;
              execution_id: string | null;
              event: string;
              visible_at: number;
            }[]
          ).map((m): OrchestrationMessage => ({
            id: m.id,
            instanceId: id,
            ...(m.execution_id === null ? {} : { executionId: m.execution_id }),
            event: JSON.parse(m.event) as HistoryEvent,
            visibleAt: new Date(m.visible_at).toISOString(),
          }));
          claimed.push({
            instance: toInstance(row),
            messages,
            lockedUntil: new Date(until).toISOString(),
            deliveryCount: row.delivery_count ?? 1,
          });
        }
        return claimed;
      })
      .immediate();
  }

  commit(batch: CommitBatch): CommitResult {
    return this.#atomic(() => {
      const rejected: string[] = [];
      const exists: string[] = [];
      const now = this.#clock.now();
      const updatedTime = new Date(now).toISOString();
      for (const episode of batch.episodes) {
        if (!this.#commitEpisode(batch, episode, now, updatedTime, exists)) rejected.push(episode.instanceId);
      }
      for (const c of batch.activityCompletions) {
        const k = c.workItem;
        const deleted = this.#s.deleteWorkItem!.run(this.#hub, k.instanceId, k.executionId, k.taskScheduledId);
        if (deleted.changes === 0) continue; // already completed by someone else: drop the duplicate
        this.#enqueue([{ instanceId: k.instanceId, executionId: k.executionId, event: c.event }]);
      }
      return {
        rejectedEpisodes: rejected,
        updatedTime,
        ...(exists.length > 0 ? { instanceExists: exists } : {}),
      };
    });
  }

  /**
   * Runs fn atomically: inside the caller's transaction (the store's write batch, which gives each of several writes
   * a savepoint of its own), or in an IMMEDIATE transaction of its own. A savepoint here would only add a second copy
   * of every page the write changes to the statement journal.
   */
  #atomic<T>(fn: () => T): T {
    return this.#db.inTransaction ? fn() : this.#db.transaction(fn).immediate();
  }

  #commitEpisode(batch: CommitBatch, e: EpisodeCommit, now: number, updatedTime: string, exists: string[]): boolean {
    const s = this.#s;
    const hub = this.#hub;
    if (e.create) {
      const existing = s.instanceState!.get(hub, e.instanceId) as { runtime_status: RuntimeStatus } | undefined;
      if (existing && !e.create.replaceableStatuses.includes(existing.runtime_status)) {
        exists.push(e.instanceId);
        return false;
      }
      this.#create(e.create.instance, existing !== undefined, { workerId: batch.workerId, until: now + batch.leaseMs });
    }
    // The instance update is the check: it applies only where this worker holds the lock and the history is where
    // the episode started. Nothing else is written for a rejected episode.
    const base = e.replaceHistory ? 0 : e.expectedHistoryLength;
    const executionId = e.newExecutionId ?? e.executionId;
    const lockUntil = now + batch.leaseMs;
    // Terminal statuses keep their output and failure; any other status clears them (a rewound instance runs again).
    const terminal = isTerminal(e.runtimeStatus);
    const local = localWorkColumn(e.localWork);
    // A non-terminal row never holds an output or a failure (every write that leaves a terminal status clears them),
    // so continuing in the same status needs to write neither.
    const continues =
      !terminal &&
      e.create === undefined &&
      e.keepLock &&
      e.input === undefined &&
      e.entityState === undefined &&
      e.newExecutionId === undefined &&
      !e.replaceHistory &&
      s.continueInstance!.run(
        e.customStatus ?? null,
        base + e.append.length,
        updatedTime,
        lockUntil,
        local.set,
        local.text,
        hub,
        e.instanceId,
        batch.workerId,
        e.executionId,
        e.expectedHistoryLength,
        e.runtimeStatus,
      ).changes > 0;
    const updated = continues
      ? { changes: 1 }
      : s.updateInstance!.run(
          e.runtimeStatus,
          e.input ?? null,
          terminal ? (e.output ?? null) : null,
          terminal && e.failureDetails ? JSON.stringify(e.failureDetails) : null,
          e.customStatus ?? null,
          e.entityState ?? null,
          base + e.append.length,
          updatedTime,
          executionId,
          e.keepLock ? batch.workerId : null,
          e.keepLock ? lockUntil : 0,
          local.set,
          local.text,
          hub,
          e.instanceId,
          batch.workerId,
          e.executionId,
          e.expectedHistoryLength,
        );
    if (updated.changes === 0) return false;
    if (e.replaceHistory) s.deleteHistory!.run(hub, e.instanceId);
    if (e.append.length > 0) s.insertHistory!.run(hub, e.instanceId, base, JSON.stringify(e.append));
    for (const id of e.consumedMessageIds) s.deleteMessage!.run(id, hub);
    if (e.deletePendingMessages) s.deleteMessages!.run(hub, e.instanceId);
    for (const k of e.completedWorkItems) s.deleteWorkItem!.run(hub, k.instanceId, k.executionId, k.taskScheduledId);
    if (dropsWorkItems(e)) s.deleteWorkItems!.run(hub, e.instanceId);
    for (const w of e.newWorkItems) {
      s.insertWorkItem!.run(
        hub,
        e.instanceId,
        executionId,
        w.taskScheduledId,
        w.name,
        w.input ?? null,
        w.lockedBy ?? null,
        w.lockedBy ? lockUntil : 0,
        // Locked at once means delivered at once (local fast path): a crash during that run counts.
        w.lockedBy ? 1 : 0,
      );
    }
    for (const child of e.newInstances) {
      const existing = s.instanceState!.get(hub, child.instanceId) as { runtime_status: RuntimeStatus } | undefined;
      if (existing && !isTerminal(existing.runtime_status)) continue;
      this.#create(child, existing !== undefined);
    }
    this.#enqueue(e.newMessages);
    return true;
  }

  claimWorkItems(workerId: string, limit: number, leaseMs: number): WorkItem[] {
    return this.#db
      .transaction(() => {
        const now = this.#clock.now();
        const rows = this.#s.readyWorkItems!.all(this.#hub, now, limit) as {
          rowid: number;
          instance_id: string;
          execution_id: string;
          task_scheduled_id: number;
          name: string;
          input: string | null;
          delivery_count: number;
          solo: number;
        }[];
        for (const r of rows) this.#s.lockWorkItem!.run(workerId, now + leaseMs, r.rowid);
        return rows.map((r): WorkItem => ({
          instanceId: r.instance_id,
          executionId: r.execution_id,
          taskScheduledId: r.task_scheduled_id,
          name: r.name,
          ...(r.input === null ? {} : { input: r.input }),
          deliveryCount: r.delivery_count,
          ...(r.solo === 1 ? { lastDeliveryAlone: true } : {}),
        }));
      })
      .immediate();
  }

  markDeliveryAlone(workerId: string, key: WorkItemKey, alone: boolean): void {
    this.#s.markAlone!.run(alone ? 1 : 0, this.#hub, key.instanceId, key.executionId, key.taskScheduledId, workerId);
  }

  abandonWorkItem(workerId: string, key: WorkItemKey, undelivered = false): void {
    // Handed back as undelivered, its delivery is not the latest any more: whether that one ran alone is unknown.
    this.#s.abandonWorkItem!.run(
      undelivered ? 1 : 0,
      undelivered ? 1 : 0,
      this.#hub,
      key.instanceId,
      key.executionId,
      key.taskScheduledId,
      workerId,
    );
  }

  renewLocks(workerId: string, leaseMs: number): void {
    const until = this.#clock.now() + leaseMs;
    this.#db
      .transaction(() => {
        this.#s.renewInstances!.run(until, this.#hub, workerId);
        this.#s.renewWorkItems!.run(until, this.#hub, workerId);
      })
      .immediate();
  }

  releaseLocks(workerId: string, undelivered = false): void {
    this.#db
      .transaction(() => {
        if (this.#s.holderLocalToWorkItems!.run(undelivered ? 0 : 1, this.#hub, workerId).changes > 0) {
          this.#s.clearHolderLocal!.run(this.#hub, workerId);
        }
        this.#s.releaseInstances!.run(this.#hub, workerId);
        this.#s.releaseWorkItems!.run(this.#hub, workerId);
      })
      .immediate();
  }

  releaseInstances(workerId: string, instanceIds: readonly string[]): void {
    this.#db
      .transaction(() => {
        for (const id of instanceIds) {
          if (this.#s.heldLocalToWorkItems!.run(1, this.#hub, id, workerId).changes > 0) {
            this.#s.clearHeldLocal!.run(this.#hub, id, workerId);
          }
          this.#s.releaseInstance!.run(this.#hub, id, workerId);
        }
      })
      .immediate();
  }

  /** See Store.recoverLocalWork. */
  recoverLocalWork(workerId: string): number {
    return this.#db
      .transaction(() => {
        const now = this.#clock.now();
        this.#s.expiredLocalToWorkItems!.run(1, this.#hub, workerId, now);
        return this.#s.releaseExpiredLocal!.run(this.#hub, workerId, now).changes;
      })
      .immediate();
  }

  lockHolders(): string[] {
    return (this.#s.holders!.all(this.#hub, this.#hub) as { locked_by: string }[]).map((r) => r.locked_by);
  }

  nextVisibleAt(): string | undefined {
    const row = this.#s.nextVisible!.get(this.#hub, this.#clock.now()) as { t: number | null } | undefined;
    return row?.t == null ? undefined : new Date(row.t).toISOString();
  }
}

/** INSERT … SELECT turning the local work of the instances `where` names (alias i) into unclaimed work items. */
function localToWorkItems(where: string): string {
  return `INSERT OR IGNORE INTO work_items (hub, instance_id, execution_id, task_scheduled_id, name, input, locked_by,
      lock_expires, delivery_count)
    SELECT i.hub, i.instance_id, COALESCE(json_extract(j.value, '$.executionId'), i.execution_id),
      json_extract(j.value, '$.taskScheduledId'), json_extract(j.value, '$.name'), json_extract(j.value, '$.input'),
      NULL, 0, ?
    FROM instances i, json_each(i.local_work) j WHERE i.hub = ? AND ${where} AND i.local_work IS NOT NULL`;
}

/** The parameters of `local_work = CASE WHEN set THEN text ELSE local_work END`: undefined keeps the column. */
function localWorkColumn(list: readonly LocalWorkItem[] | undefined): { set: number; text: string | null } {
  if (list === undefined) return { set: 0, text: null };
  return { set: 1, text: list.length === 0 ? null : JSON.stringify(list) };
}
