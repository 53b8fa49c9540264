// Timer-trigger schedules on SQLite: one status row per timer function. A claim is one upsert whose update only
// happens when the stored `last` is earlier, inside the store's IMMEDIATE write transaction, so of several processes
// on one file exactly one claims each occurrence.
import type Database from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import type { TimerClaim, TimerStatus } from '../store.js';

interface TimerRow {
  readonly last: string;
  readonly next: string;
  readonly last_updated: string;
}

export class SqliteTimers {
  readonly #get: Database.Statement<[string, string], TimerRow>;
  readonly #claim: Database.Statement<[string, string, string, string, string, string]>;

  constructor(
    db: Database.Database,
    private readonly hub: string,
    private readonly clock: Clock,
  ) {
    this.#get = db.prepare('SELECT last, next, last_updated FROM timer_schedules WHERE hub = ? AND function_name = ?');
    this.#claim = db.prepare(
      `INSERT INTO timer_schedules (hub, function_name, last, next, last_updated, claimed_by)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (hub, function_name) DO UPDATE SET
         last = excluded.last, next = excluded.next, last_updated = excluded.last_updated,
         claimed_by = excluded.claimed_by
       WHERE timer_schedules.last < excluded.last`,
    );
  }

  status(functionName: string): TimerStatus | undefined {
    const row = this.#get.get(this.hub, functionName);
    return row ? { last: row.last, next: row.next, lastUpdated: row.last_updated } : undefined;
  }

  claim(c: TimerClaim): boolean {
    const now = new Date(this.clock.now()).toISOString();
    return this.#claim.run(this.hub, c.functionName, c.occurrence, c.next, now, c.workerId).changes === 1;
  }
}
