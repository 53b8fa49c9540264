// The group commit on PostgreSQL: every episode and activity completion of one batch in ONE transaction, with each
// kind of write done for the whole batch in one statement over arrays (unnest), so a batch of hundreds of episodes
// costs about ten round trips and one WAL flush. Mirrors the SQLite committer's semantics exactly.
import type pg from 'pg';
import { isTerminal, TERMINAL_SQL, TERMINAL_STATUSES, type RuntimeStatus } from '../../core/history.js';
import type {
  ActivityCompletion,
  CommitBatch,
  CommitResult,
  EpisodeCommit,
  NewInstance,
  NewMessage,
  WorkItemKey,
} from '../store.js';
import { dropsWorkItems } from '../store.js';
import type { PgClaims } from './claims.js';
import type { PgInstances } from './instances.js';
import { commitParams, commitStatement, localWorkText } from './commit-statement.js';
import type { Queryable } from './instances.js';
import { NOW_MS } from './schema.js';

/** Deadlock and serialization failure: a transaction that failed with these changed nothing and may run again. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set(['40P01', '40001']);

export class PgCommitter {
  readonly #sql: Record<
    | 'accept'
    | 'deleteHistory'
    | 'insertHistory'
    | 'deleteMessages'
    | 'deletePending'
    | 'deleteItems'
    | 'deleteAllItems'
    | 'insertItems'
    | 'complete'
    | 'notify',
    string
  >;
  readonly #instances: PgInstances;
  readonly #claims: PgClaims;
  readonly #channel: string;
  readonly #payload: string;
  readonly #statement: string;

  constructor(schema: string, instances: PgInstances, claims: PgClaims, channel: string, payload: string) {
    this.#instances = instances;
    this.#claims = claims;
    this.#channel = channel;
    this.#payload = payload;
    const s = schema;
    this.#statement = commitStatement(s);
    const keys = 'unnest($1::text[], $2::text[], $3::int[]) AS k(i, e, t)';
    const match = 'w.instance_id = k.i AND w.execution_id = k.e AND w.task_scheduled_id = k.t';
    this.#sql = {
      // The instance row update is the check: it applies only where this worker still holds the lock and the
      // history is where the episode started, and returns the episodes it accepted. Rows stay locked to COMMIT.
      accept: `UPDATE ${s}.instances i SET runtime_status = e.status, input = COALESCE(e.input, i.input),
          output = e.output, failure_details = e.failure, custom_status = COALESCE(e.custom, i.custom_status),
          entity_state = COALESCE(e.entity, i.entity_state),
          history_length = e.length, last_updated_time = $12,
          finished_time = CASE WHEN e.status IN ${TERMINAL_SQL} THEN $12 END,
          execution_id = e.next_execution,
          locked_by = CASE WHEN e.keep THEN $13 END, lock_expires = CASE WHEN e.keep THEN ${NOW_MS} + $14 ELSE 0 END,
          delivery_count = 0, local_work = CASE WHEN e.set_local THEN e.local_work ELSE i.local_work END
        FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
          $9::text[], $10::int[], $11::bool[], $15::text[], $16::bool[], $17::text[])
          AS e(id, execution, expected, next_execution, status, input, output, failure, custom, length, keep, entity,
            set_local, local_work)
        WHERE i.instance_id = e.id AND i.locked_by = $13 AND i.execution_id = e.execution
          AND i.history_length = e.expected
        RETURNING i.instance_id`,
      deleteHistory: `DELETE FROM ${s}.history WHERE instance_id = ANY($1::text[])`,
      insertHistory: `INSERT INTO ${s}.history (instance_id, seq, events)
        SELECT * FROM unnest($1::text[], $2::int[], $3::text[])`,
      deleteMessages: `DELETE FROM ${s}.messages WHERE id = ANY($1::bigint[])`,
      deletePending: `DELETE FROM ${s}.messages WHERE instance_id = ANY($1::text[])`,
      deleteItems: `DELETE FROM ${s}.work_items w USING ${keys} WHERE ${match}`,
      deleteAllItems: `DELETE FROM ${s}.work_items WHERE instance_id = ANY($1::text[])`,
      insertItems: `INSERT INTO ${s}.work_items (instance_id, execution_id, task_scheduled_id, name, input, locked_by,
          lock_expires, delivery_count)
        SELECT k.i, k.e, k.t, k.n, k.inp, k.l, CASE WHEN k.l IS NULL THEN 0 ELSE ${NOW_MS} + $7 END,
          CASE WHEN k.l IS NULL THEN 0 ELSE 1 END
        FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY
          AS k(i, e, t, n, inp, l, ord)
        ORDER BY k.ord ON CONFLICT DO NOTHING`,
      // Deleting the work item is what makes a completion count once: a second one finds nothing and is dropped.
      complete: `DELETE FROM ${s}.work_items w USING unnest($1::text[], $2::text[], $3::int[], $4::int[])
          AS k(i, e, t, ord) WHERE ${match} RETURNING k.ord`,
      notify: 'SELECT pg_notify($1, $2)',
    };
  }

  /** Whether `batch` can take the one-statement path (it creates no instances: no sub-orchestrations, no starts). */
  static isSimple(batch: CommitBatch): boolean {
    return batch.episodes.every((e) => e.newInstances.length === 0 && e.create === undefined);
  }

  /** The whole batch in one statement: see commit-statement.ts. */
  async commitSimple(db: Queryable, batch: CommitBatch, updatedTime = new Date().toISOString()): Promise<CommitResult> {
    const { rows } = await db.query<{ accepted: string[] | null }>(
      this.#statement,
      commitParams(batch, completionsOf(batch), this.#channel, this.#payload, updatedTime),
    );
    const accepted = new Set(rows[0]?.accepted ?? []);
    return {
      rejectedEpisodes: batch.episodes.filter((e) => !accepted.has(e.instanceId)).map((e) => e.instanceId),
      updatedTime,
    };
  }

  /** Whether `batch` creates no sub-instances (it may hold local starts): the path of commitWithStarts. */
  static hasNoChildren(batch: CommitBatch): boolean {
    return batch.episodes.every((e) => e.newInstances.length === 0);
  }

  /**
   * Local starts and the rest of the batch. First as ONE statement, where each start's row is inserted as its first
   * episode leaves it (one round trip, one row version). A start whose id is taken (a finished instance it may
   * replace, or one it may not) is left out of that statement's writes and goes through a transaction of two
   * statements: create-or-replace the row (locked for this worker), then the one-statement commit, which sees it.
   */
  async commitWithStarts(client: Queryable, input: CommitBatch): Promise<CommitResult> {
    // Two starts of one id in the batch: neither is written, both are rejected as existing (results name ids).
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const e of input.episodes) {
      if (!e.create) continue;
      if (seen.has(e.instanceId)) duplicates.add(e.instanceId);
      seen.add(e.instanceId);
    }
    const kept = duplicates.size === 0 ? input.episodes : input.episodes.filter((e) => !duplicates.has(e.instanceId));
    const first = await this.commitSimple(client, { ...input, episodes: kept });
    const taken = new Set(first.rejectedEpisodes);
    const retry = kept.filter((e) => e.create && taken.has(e.instanceId));
    const rejected = first.rejectedEpisodes.filter((id) => !retry.some((e) => e.instanceId === id));
    const exists = [...duplicates];
    if (retry.length > 0) {
      const second = await this.#replaceStarts(client, { ...input, episodes: retry, activityCompletions: [] }, first);
      rejected.push(...second.rejectedEpisodes);
      exists.push(...(second.instanceExists ?? []));
    }
    rejected.push(...duplicates);
    return {
      rejectedEpisodes: rejected,
      ...(first.updatedTime === undefined ? {} : { updatedTime: first.updatedTime }),
      ...(exists.length > 0 ? { instanceExists: exists } : {}),
    };
  }

  /**
   * Local starts over an existing id, in one transaction: create or replace the rows, then their episodes. The rest
   * of the batch is already committed, so a deadlock or serialization failure is retried here, not by the caller.
   */
  async #replaceStarts(client: Queryable, input: CommitBatch, first: CommitResult): Promise<CommitResult> {
    for (let attempt = 1; ; attempt++) {
      await client.query('BEGIN');
      try {
        const exists = await this.#createStarts(client, input);
        // The rows exist now, locked for this worker: the episodes update them like any other.
        const episodes = input.episodes
          .filter((e) => !exists.has(e.instanceId))
          .map(({ create: _create, ...e }): EpisodeCommit => e);
        const result = await this.commitSimple(client, { ...input, episodes }, first.updatedTime);
        await client.query('COMMIT');
        if (exists.size === 0) return result;
        return { ...result, rejectedEpisodes: [...result.rejectedEpisodes, ...exists], instanceExists: [...exists] };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (err as { code?: string }).code;
        if (attempt >= 3 || code === undefined || !RETRYABLE_CODES.has(code)) throw err;
      }
    }
  }

  /** The batch as a transaction of one statement per kind of write (used when it creates sub-instances). */
  async commit(client: pg.PoolClient, input: CommitBatch): Promise<CommitResult> {
    await client.query('BEGIN');
    try {
      const updatedTime = new Date().toISOString();
      // Local starts first: their rows must exist, locked for this worker, before their episodes are accepted.
      const exists = await this.#createStarts(client, input);
      const batch =
        exists.size === 0 ? input : { ...input, episodes: input.episodes.filter((e) => !exists.has(e.instanceId)) };
      const accepted = await this.#accept(client, batch, updatedTime);
      const episodes = batch.episodes.filter((e) => accepted.has(e.instanceId));
      const messages: NewMessage[] = [];
      let notify = await this.#applyEpisodes(client, batch, episodes, messages);
      const completions = completionsOf(batch);
      if (completions.length > 0) {
        const { rows } = await client.query<{ ord: number }>(this.#sql.complete, [
          ...keyArrays(completions.map((c) => c.workItem)),
          completions.map((_, i) => i),
        ]);
        for (const ord of rows.map((r) => r.ord).sort((a, b) => a - b)) {
          const c = completions[ord];
          if (c)
            messages.push({ instanceId: c.workItem.instanceId, executionId: c.workItem.executionId, event: c.event });
        }
      }
      // enqueue notifies by itself when it stores anything.
      if (messages.length > 0 && (await this.#claims.enqueue(client, messages)) > 0) notify = false;
      if (notify) await client.query(this.#sql.notify, [this.#channel, this.#payload]);
      await client.query('COMMIT');
      return {
        rejectedEpisodes: input.episodes.filter((e) => !accepted.has(e.instanceId)).map((e) => e.instanceId),
        updatedTime,
        ...(exists.size > 0 ? { instanceExists: [...exists] } : {}),
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * Creates the instances of the batch's local starts, locked for its worker and without start messages; returns the
   * ids that already existed in a status their start may not replace (a second start of one id in the batch too).
   */
  async #createStarts(client: Queryable, batch: CommitBatch): Promise<Set<string>> {
    const exists = new Set<string>();
    const groups = new Map<string, { replaceable: readonly RuntimeStatus[]; instances: NewInstance[] }>();
    const seen = new Set<string>();
    for (const e of batch.episodes) {
      if (!e.create) continue;
      if (seen.has(e.instanceId)) {
        exists.add(e.instanceId);
        continue;
      }
      seen.add(e.instanceId);
      const key = [...e.create.replaceableStatuses].sort().join(',');
      const group = groups.get(key) ?? { replaceable: e.create.replaceableStatuses, instances: [] };
      group.instances.push(e.create.instance);
      groups.set(key, group);
    }
    for (const { replaceable, instances } of groups.values()) {
      const created = await this.#instances.create(client, instances, replaceable, {
        workerId: batch.workerId,
        leaseMs: batch.leaseMs,
      });
      for (const i of instances) if (!created.has(i.instanceId)) exists.add(i.instanceId);
    }
    return exists;
  }

  /** Updates the instance rows of the episodes whose lock and history position still hold; returns their ids. */
  async #accept(client: pg.PoolClient, batch: CommitBatch, updatedTime: string): Promise<Set<string>> {
    // Sorted, so concurrent batches lock overlapping rows in one order.
    const episodes = [...batch.episodes].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
    if (episodes.length === 0) return new Set();
    // Terminal statuses keep their output and failure; any other status clears them (a rewound instance runs again).
    const terminal = (e: EpisodeCommit): boolean => isTerminal(e.runtimeStatus);
    const { rows } = await client.query<{ instance_id: string }>(this.#sql.accept, [
      episodes.map((e) => e.instanceId),
      episodes.map((e) => e.executionId),
      episodes.map((e) => e.expectedHistoryLength),
      episodes.map((e) => e.newExecutionId ?? e.executionId),
      episodes.map((e) => e.runtimeStatus),
      episodes.map((e) => e.input ?? null),
      episodes.map((e) => (terminal(e) ? (e.output ?? null) : null)),
      episodes.map((e) => (terminal(e) && e.failureDetails ? JSON.stringify(e.failureDetails) : null)),
      episodes.map((e) => e.customStatus ?? null),
      episodes.map((e) => (e.replaceHistory ? 0 : e.expectedHistoryLength) + e.append.length),
      episodes.map((e) => e.keepLock),
      updatedTime,
      batch.workerId,
      batch.leaseMs,
      episodes.map((e) => e.entityState ?? null),
      episodes.map((e) => e.localWork !== undefined),
      episodes.map((e) => localWorkText(e.localWork)),
    ]);
    return new Set(rows.map((r) => r.instance_id));
  }

  /** Every write of the accepted episodes, one statement per kind. Returns whether it stored new visible work. */
  async #applyEpisodes(
    client: pg.PoolClient,
    batch: CommitBatch,
    episodes: readonly EpisodeCommit[],
    messages: NewMessage[],
  ): Promise<boolean> {
    if (episodes.length === 0) return false;
    const replaced = episodes.filter((e) => e.replaceHistory).map((e) => e.instanceId);
    if (replaced.length > 0) await client.query(this.#sql.deleteHistory, [replaced]);
    const appends = episodes.filter((e) => e.append.length > 0);
    if (appends.length > 0) {
      await client.query(this.#sql.insertHistory, [
        appends.map((e) => e.instanceId),
        appends.map((e) => (e.replaceHistory ? 0 : e.expectedHistoryLength)),
        appends.map((e) => JSON.stringify(e.append)),
      ]);
    }
    const consumed = episodes.flatMap((e) => e.consumedMessageIds);
    if (consumed.length > 0) await client.query(this.#sql.deleteMessages, [consumed]);
    const ended = episodes.filter((e) => e.deletePendingMessages).map((e) => e.instanceId);
    if (ended.length > 0) await client.query(this.#sql.deletePending, [ended]);
    const done = episodes.flatMap((e) => e.completedWorkItems);
    if (done.length > 0) await client.query(this.#sql.deleteItems, keyArrays(done));
    // A new execution (continue-as-new) drops the old one's work items before its own are stored.
    const restarted = episodes.filter(dropsWorkItems).map((e) => e.instanceId);
    if (restarted.length > 0) await client.query(this.#sql.deleteAllItems, [restarted]);
    const items = episodes.flatMap((e) =>
      e.newWorkItems.map((w) => ({ e, w, execution: e.newExecutionId ?? e.executionId })),
    );
    if (items.length > 0) {
      await client.query(this.#sql.insertItems, [
        items.map((x) => x.e.instanceId),
        items.map((x) => x.execution),
        items.map((x) => x.w.taskScheduledId),
        items.map((x) => x.w.name),
        items.map((x) => x.w.input ?? null),
        items.map((x) => x.w.lockedBy ?? null),
        batch.leaseMs,
      ]);
    }
    // Sub-instances in one statement; an existing id is left alone unless it finished, and the first of
    // duplicate ids in one batch wins (a second would be left alone anyway).
    const children = new Map<string, NewInstance>();
    for (const e of episodes) {
      for (const child of e.newInstances) if (!children.has(child.instanceId)) children.set(child.instanceId, child);
      messages.push(...e.newMessages);
    }
    const created = (await this.#instances.create(client, [...children.values()], TERMINAL_STATUSES)).size > 0;
    return created || items.some((x) => x.w.lockedBy === undefined);
  }
}

function keyArrays(keys: readonly WorkItemKey[]): [string[], string[], number[]] {
  return [keys.map((k) => k.instanceId), keys.map((k) => k.executionId), keys.map((k) => k.taskScheduledId)];
}

/**
 * The batch's activity completions that may count: the first of each work item (later duplicates are dropped, as a
 * later commit's would be), and none for a work item an episode of the batch completes in memory or for an instance
 * an episode restarts (the episodes come first, as on SQLite). If that episode is rejected, the work item stays and is
 * delivered again when its lease ends: at least once still holds.
 */
function completionsOf(batch: CommitBatch): ActivityCompletion[] {
  const key = (k: WorkItemKey): string => `${k.instanceId}\u0000${k.executionId}\u0000${k.taskScheduledId}`;
  const seen = new Set(batch.episodes.flatMap((e) => e.completedWorkItems.map(key)));
  const restarted = new Set(batch.episodes.filter(dropsWorkItems).map((e) => e.instanceId));
  return batch.activityCompletions.filter((c) => {
    const k = key(c.workItem);
    if (seen.has(k) || restarted.has(c.workItem.instanceId)) return false;
    seen.add(k);
    return true;
  });
}
