// Timer-trigger schedules on PostgreSQL: one status row per timer function. A claim is one upsert whose update only
// happens when the stored `last` is earlier; concurrent claims of one function serialize on its row (the loser of an
// insert race re-checks the winner's row), so of any number of workers exactly one claims each occurrence.
import type { TimerClaim, TimerStatus } from '../store.js';
import type { Queryable } from './instances.js';

export class PgTimers {
  readonly #get: string;
  readonly #claim: string;

  constructor(schema: string) {
    this.#get = `SELECT last, next, last_updated FROM ${schema}.timer_schedules WHERE function_name = $1`;
    this.#claim = `INSERT INTO ${schema}.timer_schedules AS t (function_name, last, next, last_updated, claimed_by)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (function_name) DO UPDATE SET last = excluded.last, next = excluded.next,
        last_updated = excluded.last_updated, claimed_by = excluded.claimed_by
      WHERE t.last < excluded.last`;
  }

  async status(db: Queryable, functionName: string): Promise<TimerStatus | undefined> {
    const { rows } = await db.query<{ last: string; next: string; last_updated: string }>(this.#get, [functionName]);
    const row = rows[0];
    return row ? { last: row.last, next: row.next, lastUpdated: row.last_updated } : undefined;
  }

  async claim(db: Queryable, c: TimerClaim): Promise<boolean> {
    const now = new Date().toISOString();
    const result = await db.query(this.#claim, [c.functionName, c.occurrence, c.next, now, c.workerId]);
    return result.rowCount === 1;
  }
}
