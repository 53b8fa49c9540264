// Where a task hub lives in PostgreSQL: one schema per hub, named from the hub name, and the migrations that create
// it. Migrations run under a transaction-scoped advisory lock, so workers starting at once never race on DDL.
import type pg from 'pg';
import { TaskhubError } from '../../core/errors.js';
import { MIGRATIONS } from '../migrations.js';
import { withConnection } from './checkout.js';

/**
 * Durable Functions' rule for task hub names (letters and digits, starting with a letter, 3 to 45 characters) keeps
 * the derived schema name a plain identifier, safe to put in SQL text. Hub names are case-insensitive, as in Azure.
 */
export function schemaFor(hubName: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hubName)) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `Invalid task hub name '${hubName}': use 3 to 45 letters and digits, starting with a letter (as Durable Functions requires).`,
    );
  }
  return `taskhub_${hubName.toLowerCase()}`;
}

/**
 * The store's clock for leases and visibility: the database server's, so workers on machines with skewed clocks
 * agree. statement_timestamp() is stable within a statement (clock_timestamp() is volatile, which would keep the
 * planner from using the visibility and lease indexes).
 */
export const NOW_MS = '(extract(epoch from statement_timestamp()) * 1000)::bigint';

export function migrate(pool: pg.Pool, schema: string): Promise<void> {
  return withConnection(pool, (client) => migrateOn(client, schema));
}

async function migrateOn(client: pg.PoolClient, schema: string): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`taskhub-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
    );
    const applied = new Set(
      (await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`)).rows.map(
        (r) => r.version,
      ),
    );
    // The migration statements name tables without a schema: the search path points them at this hub's.
    await client.query(`SET LOCAL search_path TO ${schema}`);
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const sql of m.postgres) await client.query(sql);
      await client.query(`INSERT INTO ${schema}.schema_migrations (version, applied_at) VALUES ($1, $2)`, [
        m.version,
        new Date().toISOString(),
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
