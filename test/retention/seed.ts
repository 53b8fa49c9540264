// Finished (and running) instances written straight into a real store, with the last-update times a test needs: a
// retention age of days cannot be waited for. Each gets one history row and one message, so a purge that left
// either behind shows. The message is a timer due in 2223, so no worker claims (and touches) a seeded instance.
import type { RuntimeStatus } from '../../src/core/history.js';
import type { PostgresStore } from '../../src/store/postgres/index.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export interface SeedRow {
  readonly id: string;
  readonly status: RuntimeStatus;
  /** ISO 8601 last update (for a finished instance: when it finished). */
  readonly updated: string;
}

const history = JSON.stringify([{ eventType: 'ExecutionStarted', eventId: -1, timestamp: '2026-01-01T00:00:00Z' }]);
const event = JSON.stringify({ eventType: 'GenericEvent', eventId: -1, timestamp: '2026-01-01T00:00:00Z' });

export async function seed(store: SqliteStore | PostgresStore, rows: readonly SeedRow[]): Promise<void> {
  if ('db' in store) {
    const db = store.db;
    const hub = store.hubName;
    const insert = db.prepare(
      `INSERT INTO instances (hub, instance_id, execution_id, name, runtime_status, created_time, last_updated_time)
       VALUES (?, ?, 'e', 'Seeded', ?, ?, ?)`,
    );
    const h = db.prepare(`INSERT INTO history (hub, instance_id, seq, events) VALUES (?, ?, 0, ?)`);
    const m = db.prepare(`INSERT INTO messages (hub, instance_id, event, visible_at) VALUES (?, ?, ?, 8000000000000)`);
    db.transaction(() => {
      for (const r of rows) {
        insert.run(hub, r.id, r.status, r.updated, r.updated);
        h.run(hub, r.id, history);
        m.run(hub, r.id, event);
      }
    })();
    return;
  }
  const s = store.schema;
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    const ids = chunk.map((r) => r.id);
    await store.pool.query(
      `WITH k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS k(id, status, updated)),
        i AS (INSERT INTO ${s}.instances (instance_id, execution_id, name, runtime_status, created_time,
          last_updated_time, finished_time)
          SELECT id, 'e', 'Seeded', status, updated, updated,
            CASE WHEN status IN ('Completed', 'Failed', 'Terminated', 'Canceled') THEN updated END FROM k),
        h AS (INSERT INTO ${s}.history (instance_id, seq, events) SELECT id, 0, $4 FROM k)
       INSERT INTO ${s}.messages (instance_id, event, visible_at) SELECT id, $5, 8000000000000 FROM k`,
      [ids, chunk.map((r) => r.status), chunk.map((r) => r.updated), history, event],
    );
  }
}

/** Instance ids left in the store, sorted. */
export async function remaining(store: SqliteStore | PostgresStore): Promise<string[]> {
  const ids: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.queryInstances({ pageSize: 1000, continuationToken, showInput: false });
    ids.push(...page.instances.map((i) => i.instanceId));
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return ids.sort();
}

/** Rows of history and messages left for `ids` (a purge must leave none). */
export async function leftovers(store: SqliteStore | PostgresStore, ids: readonly string[]): Promise<number> {
  let n = 0;
  for (const id of ids) n += (await store.getHistory(id)).length;
  if ('db' in store) {
    const q = store.db.prepare('SELECT count(*) AS n FROM messages WHERE hub = ? AND instance_id = ?');
    for (const id of ids) n += (q.get(store.hubName, id) as { n: number }).n;
  } else {
    const { rows } = await store.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${store.schema}.messages WHERE instance_id = ANY($1::text[])`,
      [ids],
    );
    n += rows[0]?.n ?? 0;
  }
  return n;
}

export const daysAgo = (days: number): string => new Date(Date.now() - days * 86_400_000).toISOString();
