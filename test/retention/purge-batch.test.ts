// Store.purgeInstanceBatch on a real SQLite file and a real PostgreSQL: only finished instances of the asked status
// older than the time, oldest first, at most the limit, with their history and messages; the ids form purges only
// finished ones; and the query is served by migration 8's index, not a scan of every instance.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { daysAgo, leftovers, remaining, seed } from './seed.js';

let server: PgServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-purge-batch-'));
beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let hubs = 0;
const backends: [string, () => Promise<SqliteStore | PostgresStore>][] = [
  [
    'SQLite',
    async () => {
      const s = openSqliteStore({ path: join(dir, `hub${++hubs}.db`), hubName: 'Batch' });
      await s.migrate();
      return s;
    },
  ],
  [
    'PostgreSQL',
    async () => {
      if (!server) throw new Error('PostgreSQL did not start');
      const s = openPostgresStore({ connectionString: server.connectionString, hubName: `Batch${++hubs}` });
      await s.migrate();
      return s;
    },
  ],
];

describe.each(backends)('purgeInstanceBatch on %s', (_name, open) => {
  it('takes the oldest finished instances of one status before the time, at most the limit, and all their rows', async () => {
    const store = await open();
    try {
      await seed(store, [
        { id: 'c-old-1', status: 'Completed', updated: daysAgo(10) },
        { id: 'c-old-2', status: 'Completed', updated: daysAgo(9) },
        { id: 'c-old-3', status: 'Completed', updated: daysAgo(8) },
        { id: 'c-new', status: 'Completed', updated: daysAgo(1) },
        { id: 'f-old', status: 'Failed', updated: daysAgo(10) },
        { id: 'r-old', status: 'Running', updated: daysAgo(10) },
        { id: 'p-old', status: 'Pending', updated: daysAgo(10) },
      ]);
      const before = daysAgo(7);
      expect(
        await store.purgeInstanceBatch({ runtimeStatus: 'Completed', lastUpdatedTimeBefore: before, limit: 2 }),
      ).toBe(2);
      // Oldest first: the third old one is left for the next batch.
      expect(await remaining(store)).toEqual(['c-new', 'c-old-3', 'f-old', 'p-old', 'r-old']);
      expect(await leftovers(store, ['c-old-1', 'c-old-2'])).toBe(0);
      expect(
        await store.purgeInstanceBatch({ runtimeStatus: 'Completed', lastUpdatedTimeBefore: before, limit: 2 }),
      ).toBe(1);
      expect(
        await store.purgeInstanceBatch({ runtimeStatus: 'Completed', lastUpdatedTimeBefore: before, limit: 2 }),
      ).toBe(0);
      // A status that is not finished purges nothing, however old.
      expect(
        await store.purgeInstanceBatch({ runtimeStatus: 'Running', lastUpdatedTimeBefore: before, limit: 9 }),
      ).toBe(0);
      expect(await remaining(store)).toEqual(['c-new', 'f-old', 'p-old', 'r-old']);
      expect(await leftovers(store, ['r-old'])).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('purges the finished ones among given ids and leaves the others', async () => {
    const store = await open();
    try {
      await seed(store, [
        { id: 'a', status: 'Terminated', updated: daysAgo(1) },
        { id: 'b', status: 'Running', updated: daysAgo(1) },
        { id: 'c', status: 'Failed', updated: daysAgo(1) },
      ]);
      expect(await store.purgeInstanceBatch({ instanceIds: ['a', 'b', 'c', 'missing', 'a'] })).toBe(2);
      expect(await remaining(store)).toEqual(['b']);
      expect(await store.purgeInstanceBatch({ instanceIds: [] })).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('finds the batch through the finished-instances index', async () => {
    const store = await open();
    try {
      let plan: string;
      if ('db' in store) {
        plan = (
          store.db
            .prepare(
              `EXPLAIN QUERY PLAN SELECT instance_id FROM instances WHERE hub = ?
               AND runtime_status IN ('Completed','Failed','Terminated','Canceled') AND runtime_status = ?
               AND last_updated_time < ? ORDER BY last_updated_time LIMIT 10`,
            )
            .all('Batch', 'Completed', daysAgo(7)) as { detail: string }[]
        )
          .map((r) => r.detail)
          .join('\n');
        expect(plan).not.toMatch(/TEMP B-TREE/);
      } else {
        await seed(
          store,
          Array.from({ length: 3000 }, (_, i) => ({
            id: `r${i}`,
            status: 'Running' as const,
            updated: daysAgo(10),
          })),
        );
        await store.pool.query(`ANALYZE ${store.schema}.instances`);
        const { rows } = await store.pool.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT instance_id FROM ${store.schema}.instances
           WHERE finished_time IS NOT NULL AND runtime_status IN ('Completed','Failed','Terminated','Canceled')
           AND runtime_status = 'Completed' AND finished_time < '2026-01-01' ORDER BY finished_time LIMIT 10`,
        );
        plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      }
      expect(plan).toMatch(/instances_finished/);
    } finally {
      await store.close();
    }
  });
});
