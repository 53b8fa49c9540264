// The store conformance suite, unchanged, on a real PostgreSQL 15 started for this file; plus what only PostgreSQL
// has: one schema per hub, hub name validation, migrations racing, LISTEN/NOTIFY across connections.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { storeConformance } from './conformance.js';
import { newInstance, raised, sleep } from './conformance-helpers.js';
import { startPgServer, type PgServer } from './pg-server.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});
const url = (): string => {
  if (!server) throw new Error('PostgreSQL did not start');
  return server.connectionString;
};

let hubs = 0;
storeConformance('PostgreSQL', () =>
  Promise.resolve(openPostgresStore({ connectionString: url(), hubName: `Conf${++hubs}` })),
);

describe('PostgreSQL store specifics', () => {
  const open: PostgresStore[] = [];
  const store = async (hubName: string): Promise<PostgresStore> => {
    const s = openPostgresStore({ connectionString: url(), hubName, poolSize: 4 });
    open.push(s);
    await s.migrate();
    return s;
  };
  afterAll(async () => {
    for (const s of open) await s.close();
  });

  it('gives each hub its own schema, named from the hub name', async () => {
    const a = await store('AlphaHub');
    const b = await store('BetaHub');
    expect(a.schema).toBe('taskhub_alphahub');
    await a.createInstance(newInstance('x'));
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_schema: string; n: string }>(
        `SELECT table_schema, count(*) AS n FROM information_schema.tables
         WHERE table_schema IN ('taskhub_alphahub', 'taskhub_betahub') GROUP BY table_schema ORDER BY table_schema`,
      );
      expect(rows.map((r) => [r.table_schema, Number(r.n)])).toEqual([
        ['taskhub_alphahub', 6],
        ['taskhub_betahub', 6],
      ]);
      const count = await client.query<{ n: string }>('SELECT count(*) AS n FROM taskhub_alphahub.instances');
      expect(Number(count.rows[0]?.n)).toBe(1);
    } finally {
      await client.end();
    }
    expect(await b.getInstance('x')).toBeUndefined();
  });

  it('refuses hub names that are not letters and digits', () => {
    for (const bad of ['a', 'x;drop', 'has space', '9lives', 'a-b']) {
      expect(() => openPostgresStore({ connectionString: url(), hubName: bad })).toThrow(/Invalid task hub name/);
    }
  });

  it('applies migrations once when many workers start at the same time', async () => {
    const racers = Array.from({ length: 6 }, () =>
      openPostgresStore({ connectionString: url(), hubName: 'RaceHub', poolSize: 2 }),
    );
    open.push(...racers);
    await Promise.all(racers.map((s) => s.migrate()));
    const { rows } = await racers[0]!.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM taskhub_racehub.schema_migrations',
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    await racers[1]!.migrate();
    const again = await racers[0]!.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM taskhub_racehub.schema_migrations',
    );
    expect(again.rows[0]?.n).toBe(rows[0]?.n);
  });

  it('LISTEN/NOTIFY wakes a subscriber soon after another connection enqueues work', async () => {
    const worker = await store('NotifyHub');
    const other = await store('NotifyHub');
    const otherHub = await store('QuietHub');
    let woke = 0;
    let wokeAt = 0;
    const unsubscribe = worker.onWork(() => {
      woke++;
      wokeAt = Date.now();
    });
    await worker.listening();
    await sleep(50);
    woke = 0;
    // Work in another hub does not wake this one; the store's own writes do not either.
    await otherHub.createInstance(newInstance('elsewhere'));
    await worker.createInstance(newInstance('mine'));
    await sleep(150);
    expect(woke).toBe(0);
    const start = Date.now();
    await other.createInstance(newInstance('a'));
    for (let i = 0; i < 100 && woke === 0; i++) await sleep(5);
    expect(woke).toBeGreaterThan(0);
    expect(wokeAt - start).toBeLessThan(200);
    woke = 0;
    await other.enqueueMessages([{ instanceId: 'a', event: raised('go') }]);
    for (let i = 0; i < 100 && woke === 0; i++) await sleep(5);
    expect(woke).toBeGreaterThan(0);
    unsubscribe();
    woke = 0;
    await other.enqueueMessages([{ instanceId: 'a', event: raised('again') }]);
    await sleep(150);
    expect(woke).toBe(0);
  });
});
