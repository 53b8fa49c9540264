// A PostgreSQL hub written by a Taskhub before migration 12 (finished rows indexed by last_updated_time, no
// finished_time column) is upgraded in place when a new store opens it: its finished instances are still found by
// their finish time and purged by retention, its running instance is left alone, and its instance pages are filled
// to 60 % from then on (room for in-place updates).
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { schemaFor } from '../../src/store/postgres/schema.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { daysAgo, remaining, seed } from './seed.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** The hub's schema as a Taskhub with migrations up to `last` left it. */
async function oldSchema(connectionString: string, hubName: string, last: number): Promise<void> {
  const schema = schemaFor(hubName);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    await client.query(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`);
    for (const m of MIGRATIONS.filter((x) => x.version <= last)) {
      for (const sql of m.postgres) await client.query(sql);
      await client.query('INSERT INTO schema_migrations VALUES ($1, $2)', [m.version, new Date().toISOString()]);
    }
  } finally {
    await client.end();
  }
}

it('an old hub is upgraded: its finished instances purge by finish time, its running one is kept', async () => {
  if (!server) throw new Error('PostgreSQL did not start');
  const hubName = 'Upgraded';
  await oldSchema(server.connectionString, hubName, 10);
  const old = openPostgresStore({ connectionString: server.connectionString, hubName });
  // Rows as the old schema has them: seed() writes finished_time, which does not exist yet; write them plainly.
  const s = schemaFor(hubName);
  for (const [id, status, updated] of [
    ['done-old', 'Completed', daysAgo(10)],
    ['failed-old', 'Failed', daysAgo(9)],
    ['done-new', 'Completed', daysAgo(1)],
    ['running', 'Running', daysAgo(10)],
  ] as const) {
    await old.pool.query(
      `INSERT INTO ${s}.instances (instance_id, execution_id, name, runtime_status, created_time, last_updated_time)
       VALUES ($1, 'e', 'Old', $2, $3, $3)`,
      [id, status, updated],
    );
  }
  await old.close();

  const store = openPostgresStore({ connectionString: server.connectionString, hubName });
  try {
    await store.migrate();
    const before = daysAgo(7);
    expect(
      await store.purgeInstanceBatch({ runtimeStatus: 'Completed', lastUpdatedTimeBefore: before, limit: 10 }),
    ).toBe(1);
    expect(await store.purgeInstanceBatch({ runtimeStatus: 'Failed', lastUpdatedTimeBefore: before, limit: 10 })).toBe(
      1,
    );
    expect(await remaining(store)).toEqual(['done-new', 'running']);
    // New rows after the upgrade are found the same way.
    await seed(store, [{ id: 'done-after', status: 'Terminated', updated: daysAgo(30) }]);
    expect(
      await store.purgeInstanceBatch({ runtimeStatus: 'Terminated', lastUpdatedTimeBefore: before, limit: 10 }),
    ).toBe(1);
    const { rows } = await store.pool.query<{ fillfactor: string | null }>(
      `SELECT (SELECT option_value FROM pg_options_to_table(c.reloptions) WHERE option_name = 'fillfactor') AS fillfactor
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'instances'`,
      [s],
    );
    expect(rows[0]?.fillfactor).toBe('60');
  } finally {
    await store.close();
  }
});
