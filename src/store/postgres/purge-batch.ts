// Batch purges on PostgreSQL (retention, large purges): one statement picks a few finished instances through the
// partial index `instances_finished` (migrations 8 and 12), skipping rows another transaction holds, and deletes them with
// their history, messages and work items. One short transaction per batch: the hub's workers are never held up long.
import { TERMINAL_SQL, TERMINAL_STATUSES } from '../../core/history.js';
import type { PurgeBatch } from '../store.js';
import type { Queryable } from './instances.js';

/** Finished rows; the first test is the partial index's predicate, so the planner sees that the index serves it. */
const FINISHED = `finished_time IS NOT NULL AND runtime_status IN ${TERMINAL_SQL}`;

export class PgPurgeBatch {
  readonly #oldest: string;
  readonly #byId: string;

  constructor(schema: string) {
    const s = schema;
    const cascade = `dh AS (DELETE FROM ${s}.history WHERE instance_id IN (SELECT instance_id FROM del)),
      dm AS (DELETE FROM ${s}.messages WHERE instance_id IN (SELECT instance_id FROM del)),
      dw AS (DELETE FROM ${s}.work_items WHERE instance_id IN (SELECT instance_id FROM del))
      SELECT count(*)::int AS n FROM del`;
    this.#oldest = `WITH pick AS (
        SELECT instance_id FROM ${s}.instances
        WHERE ${FINISHED} AND runtime_status = $1 AND finished_time < $2
        ORDER BY finished_time LIMIT $3 FOR UPDATE SKIP LOCKED),
      del AS (DELETE FROM ${s}.instances i USING pick WHERE i.instance_id = pick.instance_id RETURNING i.instance_id),
      ${cascade}`;
    this.#byId = `WITH pick AS (
        SELECT instance_id FROM ${s}.instances WHERE instance_id = ANY($1::text[]) AND ${FINISHED}
        FOR UPDATE SKIP LOCKED),
      del AS (DELETE FROM ${s}.instances i USING pick WHERE i.instance_id = pick.instance_id RETURNING i.instance_id),
      ${cascade}`;
  }

  async purge(db: Queryable, batch: PurgeBatch): Promise<number> {
    if ('instanceIds' in batch) {
      if (batch.instanceIds.length === 0) return 0;
      const { rows } = await db.query<{ n: number }>(this.#byId, [batch.instanceIds]);
      return rows[0]?.n ?? 0;
    }
    if (!TERMINAL_STATUSES.includes(batch.runtimeStatus)) return 0;
    const { rows } = await db.query<{ n: number }>(this.#oldest, [
      batch.runtimeStatus,
      batch.lastUpdatedTimeBefore,
      batch.limit,
    ]);
    return rows[0]?.n ?? 0;
  }
}
