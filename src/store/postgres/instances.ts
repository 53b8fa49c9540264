// Instances and their history on PostgreSQL: creation (with the replace rules), reads, filtered queries with keyset
// continuation, purge. Each public operation is one statement, so it costs one round trip and runs atomically.
import type pg from 'pg';
import { TaskhubError } from '../../core/errors.js';
import { TERMINAL_STATUSES, type HistoryEvent, type RuntimeStatus } from '../../core/history.js';
import { decodeToken, encodeToken, toInstance, type InstanceRow } from '../sqlite/rows.js';
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
    this.#create = `WITH up AS (
        INSERT INTO ${s}.instances AS i (instance_id, execution_id, name, runtime_status, input, parent_instance_id,
          created_time, last_updated_time, history_length, locked_by, lock_expires)
        VALUES ($1, $2, $3, 'Pending', $4, $5, $6, $7, 0, NULL, 0)
        ON CONFLICT (instance_id) DO UPDATE SET execution_id = excluded.execution_id, name = excluded.name,
          runtime_status = 'Pending', input = excluded.input, output = NULL, failure_details = NULL,
          custom_status = NULL, parent_instance_id = excluded.parent_instance_id, created_time = excluded.created_time,
          last_updated_time = excluded.last_updated_time, history_length = 0, locked_by = NULL, lock_expires = 0
        WHERE i.runtime_status = ANY($8::text[])
        RETURNING instance_id),
      dh AS (DELETE FROM ${s}.history WHERE instance_id IN (SELECT instance_id FROM up)),
      dm AS (DELETE FROM ${s}.messages WHERE instance_id IN (SELECT instance_id FROM up)),
      dw AS (DELETE FROM ${s}.work_items WHERE instance_id IN (SELECT instance_id FROM up)),
      msg AS (INSERT INTO ${s}.messages (instance_id, execution_id, event, visible_at)
        SELECT instance_id, $2, $9, COALESCE($10::bigint, ${NOW_MS}) FROM up),
      note AS (SELECT pg_notify($11, $12) FROM up)
      SELECT (SELECT count(*) FROM up)::int AS n, (SELECT count(*) FROM note) AS notified`;
  }

  /** Creates `instance` if its id is free or in one of `replaceable`; false if an existing instance was kept. */
  async create(db: Queryable, instance: NewInstance, replaceable: readonly RuntimeStatus[]): Promise<boolean> {
    const now = new Date().toISOString();
    const { rows } = await db.query<{ n: number }>(this.#create, [
      instance.instanceId,
      instance.executionId,
      instance.name,
      instance.input ?? null,
      instance.parentInstanceId ?? null,
      instance.createdTime ?? now,
      now,
      replaceable,
      JSON.stringify(instance.startEvent),
      instance.visibleAt ? Date.parse(instance.visibleAt) : null,
      this.#channel,
      this.#payload,
    ]);
    return rows[0]?.n === 1;
  }

  async createOrThrow(db: Queryable, instance: NewInstance, replaceable: readonly RuntimeStatus[]): Promise<void> {
    if (await this.create(db, instance, replaceable)) return;
    const existing = await this.get(db, instance.instanceId);
    throw new TaskhubError(
      'INSTANCE_EXISTS',
      `An instance with ID '${instance.instanceId}' already exists and is ${existing?.runtimeStatus ?? 'in use'}. ` +
        'Use another instance id, or wait until it finishes (or terminate it) before reusing this one.',
    );
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
    const pageSize = query.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        `Page size must be a positive integer, got ${String(query.pageSize)}.`,
      );
    }
    const { where, params } = filter(query);
    if (query.continuationToken) {
      let created: string, id: string;
      try {
        [created, id] = decodeToken(query.continuationToken);
      } catch (err) {
        throw new TaskhubError('INVALID_ARGUMENT', (err as Error).message);
      }
      params.push(created, id);
      where.push(`(created_time, instance_id) > ($${params.length - 1}, $${params.length})`);
    }
    params.push(pageSize + 1);
    const { rows } = await db.query<InstanceRow>(
      `SELECT * FROM ${this.#s}.instances WHERE ${where.join(' AND ')}
       ORDER BY created_time, instance_id LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > pageSize;
    const page = more ? rows.slice(0, pageSize) : rows;
    const last = page.at(-1);
    return {
      instances: page.map((r) => toInstance(r, query.showInput ?? true)),
      ...(more && last ? { continuationToken: encodeToken(last.created_time, last.instance_id) } : {}),
    };
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
}

function filter(query: PurgeQuery): { where: string[]; params: unknown[] } {
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
  return { where, params };
}
