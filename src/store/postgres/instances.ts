// Instances and their history on PostgreSQL: creation (with the replace rules), reads, filtered queries with keyset
// continuation, purge. Each public operation is one statement, so it costs one round trip and runs atomically.
import type pg from 'pg';
import { TaskhubError } from '../../core/errors.js';
import { TERMINAL_STATUSES, type HistoryEvent, type RuntimeStatus } from '../../core/history.js';
import {
  continuationOf,
  pageSizeOf,
  tagsText,
  toInstance,
  toPage,
  versionOf,
  type InstanceRow,
} from '../sqlite/rows.js';
import type { InstancePage, InstanceQuery, InstanceRecord, NewInstance, PurgeQuery } from '../store.js';
import { NOW_MS } from './schema.js';

/** A pool or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export class PgInstances {
  readonly #s: string;
  readonly #channel: string;
  readonly #payload: string;
  readonly #create: string;

  constructor(schema: string, channel: string, payload: string) {
    this.#s = schema;
    this.#channel = channel;
    this.#payload = payload;
    const s = schema;
    // Insert, or replace a row whose status the caller allows: the ON CONFLICT ... WHERE decides under the row lock,
    // so two racing creates of one id can never both win. A replaced instance loses its history, messages and work
    // items; all sub-statements share one snapshot, so the DELETE of messages never sees the new start message.
    this.#create = `WITH k AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
          $8::bigint[], $15::text[], $16::text[]) WITH ORDINALITY AS k(id, execution, name, input, parent, created,
          start, visible, tags, version, ord)),
      up AS (
        INSERT INTO ${s}.instances AS i (instance_id, execution_id, name, runtime_status, input, parent_instance_id,
          created_time, last_updated_time, history_length, locked_by, lock_expires, tags, version)
        SELECT id, execution, name, 'Pending', input, parent, created, $9, 0, $13::text,
          CASE WHEN $13::text IS NULL THEN 0 ELSE ${NOW_MS} + $14::bigint END, tags, version FROM k ORDER BY ord
        ON CONFLICT (instance_id) DO UPDATE SET execution_id = excluded.execution_id, name = excluded.name,
          runtime_status = 'Pending', input = excluded.input, output = NULL, failure_details = NULL,
          custom_status = NULL, parent_instance_id = excluded.parent_instance_id, created_time = excluded.created_time,
          last_updated_time = excluded.last_updated_time, finished_time = NULL, history_length = 0,
          locked_by = excluded.locked_by,
          lock_expires = excluded.lock_expires, delivery_count = 0, tags = excluded.tags,
          version = excluded.version, local_work = NULL
        WHERE i.runtime_status = ANY($10::text[])
        RETURNING instance_id),
      dh AS (DELETE FROM ${s}.history WHERE instance_id IN (SELECT instance_id FROM up)),
      dm AS (DELETE FROM ${s}.messages WHERE instance_id IN (SELECT instance_id FROM up)),
      dw AS (DELETE FROM ${s}.work_items WHERE instance_id IN (SELECT instance_id FROM up)),
      msg AS (INSERT INTO ${s}.messages (instance_id, execution_id, event, visible_at)
        SELECT k.id, k.execution, k.start, COALESCE(k.visible, ${NOW_MS}) FROM k JOIN up ON up.instance_id = k.id
        WHERE k.start IS NOT NULL ORDER BY k.ord),
      -- A local start (locked, no start message) is run by its worker at once: nobody else needs waking.
      note AS (SELECT pg_notify($11, $12) WHERE $13::text IS NULL AND EXISTS (SELECT 1 FROM up))
      SELECT (SELECT array_agg(instance_id) FROM up) AS created, (SELECT count(*) FROM note) AS notified`;
  }

  /**
   * Creates each instance whose id is free or in one of `replaceable`, all in one statement; returns the ids created
   * (an existing instance in another status is kept). Ids must be distinct: ON CONFLICT cannot touch a row twice.
   * `localStart` locks the rows for that worker and stores no start messages: the worker's first episodes,
   * committed in the same transaction, consume the starts.
   */
  async create(
    db: Queryable,
    instances: readonly NewInstance[],
    replaceable: readonly RuntimeStatus[],
    localStart?: { readonly workerId: string; readonly leaseMs: number },
  ): Promise<Set<string>> {
    if (instances.length === 0) return new Set();
    const now = new Date().toISOString();
    const { rows } = await db.query<{ created: string[] | null }>(this.#create, [
      instances.map((i) => i.instanceId),
      instances.map((i) => i.executionId),
      instances.map((i) => i.name),
      instances.map((i) => i.input ?? null),
      instances.map((i) => i.parentInstanceId ?? null),
      instances.map((i) => i.createdTime ?? now),
      instances.map((i) => (localStart ? null : JSON.stringify(i.startEvent))),
      instances.map((i) => (i.visibleAt ? Date.parse(i.visibleAt) : null)),
      now,
      replaceable,
      this.#channel,
      this.#payload,
      localStart?.workerId ?? null,
      localStart?.leaseMs ?? null,
      instances.map((i) => tagsText(i.tags)),
      instances.map(versionOf),
    ]);
    return new Set(rows[0]?.created ?? []);
  }

  /** The INSTANCE_EXISTS error for an id create() kept. */
  async existsError(db: Queryable, instanceId: string): Promise<TaskhubError> {
    const existing = await this.get(db, instanceId);
    return new TaskhubError(
      'INSTANCE_EXISTS',
      `An instance with ID '${instanceId}' already exists and is ${existing?.runtimeStatus ?? 'in use'}. ` +
        'Use another instance id, or wait until it finishes (or terminate it) before reusing this one.',
    );
  }

  /** Several instances in one query, keyed by id (missing ids are absent). */
  async getMany(db: Queryable, instanceIds: readonly string[]): Promise<Map<string, InstanceRecord>> {
    const { rows } = await db.query<InstanceRow>(
      `SELECT * FROM ${this.#s}.instances WHERE instance_id = ANY($1::text[])`,
      [instanceIds],
    );
    return new Map(rows.map((r) => [r.instance_id, toInstance(r)]));
  }

  async get(db: Queryable, instanceId: string): Promise<InstanceRecord | undefined> {
    const { rows } = await db.query<InstanceRow>(`SELECT * FROM ${this.#s}.instances WHERE instance_id = $1`, [
      instanceId,
    ]);
    return rows[0] ? toInstance(rows[0]) : undefined;
  }

  async history(db: Queryable, instanceId: string): Promise<HistoryEvent[]> {
    const { rows } = await db.query<{ events: string }>(
      `SELECT events FROM ${this.#s}.history WHERE instance_id = $1 ORDER BY seq`,
      [instanceId],
    );
    return rows.flatMap((r) => JSON.parse(r.events) as HistoryEvent[]);
  }

  async query(db: Queryable, query: InstanceQuery): Promise<InstancePage> {
    const pageSize = pageSizeOf(query);
    const { where, params } = filter(query);
    if (query.continuationToken) {
      const [created, id] = continuationOf(query.continuationToken);
      params.push(created, id);
      where.push(`(created_time, instance_id) > ($${params.length - 1}, $${params.length})`);
    }
    params.push(pageSize + 1);
    const { rows } = await db.query<InstanceRow>(
      `SELECT * FROM ${this.#s}.instances WHERE ${where.join(' AND ')}
       ORDER BY created_time, instance_id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, pageSize, 'created_time', query.showInput ?? true);
  }

  /** Deletes terminal instances matching the filter (or the one id) with their history, messages and work items. */
  async purge(db: Queryable, query: PurgeQuery & { instanceId?: string }): Promise<number> {
    const { where, params } = filter(query);
    if (query.instanceId !== undefined) {
      params.push(query.instanceId);
      where.push(`instance_id = $${params.length}`);
    }
    params.push(TERMINAL_STATUSES);
    where.push(`runtime_status = ANY($${params.length}::text[])`);
    const s = this.#s;
    const { rows } = await db.query<{ n: number }>(
      `WITH del AS (DELETE FROM ${s}.instances WHERE ${where.join(' AND ')} RETURNING instance_id),
        dh AS (DELETE FROM ${s}.history WHERE instance_id IN (SELECT instance_id FROM del)),
        dm AS (DELETE FROM ${s}.messages WHERE instance_id IN (SELECT instance_id FROM del)),
        dw AS (DELETE FROM ${s}.work_items WHERE instance_id IN (SELECT instance_id FROM del))
       SELECT count(*)::int AS n FROM del`,
      params,
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * See Store.deleteEntityIfIdle. The row is deleted first (an enqueue that conflicts with it now waits for this
   * transaction and then creates the row again), then the messages are checked in a statement of their own, whose
   * snapshot sees every message committed before the delete; any message rolls the deletion back.
   */
  async deleteEntityIfIdle(pool: pg.Pool, instanceId: string, entityState: string | undefined): Promise<boolean> {
    const s = this.#s;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const deleted = await client.query(
          `DELETE FROM ${s}.instances WHERE instance_id = $1 AND left(instance_id, 1) = '@'
            AND entity_state IS NOT DISTINCT FROM $2 AND (locked_by IS NULL OR lock_expires < ${NOW_MS})`,
          [instanceId, entityState ?? null],
        );
        const waiting =
          deleted.rowCount === 1 &&
          (await client.query(`SELECT 1 FROM ${s}.messages WHERE instance_id = $1 LIMIT 1`, [instanceId])).rowCount;
        if (deleted.rowCount !== 1 || waiting) {
          await client.query('ROLLBACK');
          return false;
        }
        await client.query(`DELETE FROM ${s}.history WHERE instance_id = $1`, [instanceId]);
        await client.query('COMMIT');
        return true;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } finally {
      client.release();
    }
  }
}

export function filter(query: PurgeQuery & { version?: string }): { where: string[]; params: unknown[] } {
  const where = ['TRUE'];
  const params: unknown[] = [];
  const add = (sql: (n: number) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(params.length));
  };
  if (query.createdTimeFrom !== undefined) add((n) => `created_time >= $${n}`, query.createdTimeFrom);
  if (query.createdTimeTo !== undefined) add((n) => `created_time <= $${n}`, query.createdTimeTo);
  if (query.runtimeStatus && query.runtimeStatus.length > 0) {
    add((n) => `runtime_status = ANY($${n}::text[])`, query.runtimeStatus);
  }
  if (query.instanceIdPrefix) {
    // A range in the C collation instead of LIKE: '%' and '_' in ids mean themselves, and the primary key serves it.
    add((n) => `instance_id >= $${n}`, query.instanceIdPrefix);
    add((n) => `instance_id < $${n}`, query.instanceIdPrefix + '\u{10FFFF}');
  }
  if (query.version !== undefined) add((n) => `coalesce(version, '') = $${n}`, query.version);
  return { where, params };
}
