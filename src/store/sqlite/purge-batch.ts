// Batch purges on SQLite (retention, large purges): pick a few finished instances through the partial index
// `instances_finished` (migration 8) and delete them with their history, messages and work items. The caller runs it
// inside the store's write transaction, so a batch holds the file only for as long as its few deletes take.
import type Database from 'better-sqlite3';
import { TERMINAL_SQL, TERMINAL_STATUSES } from '../../core/history.js';
import type { PurgeBatch } from '../store.js';

/** Written out as the index's predicate is, so SQLite sees that the partial index serves the query. */
const FINISHED = `runtime_status IN ${TERMINAL_SQL}`;
const TABLES = ['instances', 'history', 'messages', 'work_items'] as const;

export class SqlitePurgeBatch {
  readonly #hub: string;
  readonly #oldest: Database.Statement<[string, string, string, number], { instance_id: string }>;
  readonly #finished: Database.Statement<[string, string], { instance_id: string }>;
  readonly #deletes: Database.Statement<[string, string]>[];

  constructor(db: Database.Database, hub: string) {
    this.#hub = hub;
    this.#oldest = db.prepare(
      `SELECT instance_id FROM instances INDEXED BY instances_finished
       WHERE hub = ? AND ${FINISHED} AND runtime_status = ? AND last_updated_time < ?
       ORDER BY last_updated_time LIMIT ?`,
    );
    this.#finished = db.prepare(`SELECT instance_id FROM instances WHERE hub = ? AND instance_id = ? AND ${FINISHED}`);
    this.#deletes = TABLES.map((t) => db.prepare(`DELETE FROM ${t} WHERE hub = ? AND instance_id = ?`));
  }

  /** Deletes the batch; call it inside a write transaction. Returns how many instances. */
  purge(batch: PurgeBatch): number {
    const ids =
      'instanceIds' in batch
        ? batch.instanceIds.filter((id) => this.#finished.get(this.#hub, id) !== undefined)
        : TERMINAL_STATUSES.includes(batch.runtimeStatus)
          ? this.#oldest
              .all(this.#hub, batch.runtimeStatus, batch.lastUpdatedTimeBefore, batch.limit)
              .map((r) => r.instance_id)
          : [];
    for (const id of new Set(ids)) for (const d of this.#deletes) d.run(this.#hub, id);
    return new Set(ids).size;
  }
}
