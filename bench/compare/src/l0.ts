// L0: the raw store limits, no engine. Transactions that each insert 3 rows of about 200 bytes into one table:
// SQLite in WAL mode on one connection (synchronous FULL and NORMAL), and PostgreSQL as BEGIN, 3 INSERTs, COMMIT
// (the round trips an engine makes) from 1 and from 8 connections. Time-bounded loops after a short warm-up.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const PAYLOAD = 'x'.repeat(192);

export function l0Sqlite(synchronous: 'FULL' | 'NORMAL', seconds: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-compare-l0-'));
  const db = new Database(join(dir, 'l0.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, k TEXT NOT NULL, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO rows (k, v) VALUES (?, ?)');
    const tx = db.transaction((n: number) => {
      for (let r = 0; r < 3; r++) insert.run(`k${n}-${r}`, PAYLOAD);
    });
    for (let i = 0; i < 200; i++) tx(-i - 1);
    let commits = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    while (performance.now() < end) tx(commits++);
    const rate = commits / ((performance.now() - t0) / 1000);
    const rows = (db.prepare('SELECT count(*) AS c FROM rows').get() as { c: number }).c;
    if (rows !== (commits + 200) * 3) throw new Error(`L0 SQLite: ${rows} rows for ${commits + 200} commits`);
    return rate;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function l0Postgres(connectionString: string, connections: number, seconds: number): Promise<number> {
  const table = `l0_${connections}_${process.pid}`;
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, k text NOT NULL, v text NOT NULL)`);
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString });
      await c.connect();
      return c;
    }),
  );
  let seq = 0;
  const insert = { name: 'l0-insert', text: `INSERT INTO ${table} (k, v) VALUES ($1, $2)` };
  const txn = async (c: pg.Client): Promise<void> => {
    await c.query('BEGIN');
    for (let r = 0; r < 3; r++) await c.query({ ...insert, values: [`k${seq++}`, PAYLOAD] });
    await c.query('COMMIT');
  };
  try {
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < 20; i++) await txn(c);
      }),
    );
    let commits = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          await txn(c);
          commits++;
        }
      }),
    );
    const rate = commits / ((performance.now() - t0) / 1000);
    const { rows } = await admin.query<{ c: string }>(`SELECT count(*) AS c FROM ${table}`);
    const expected = (commits + 20 * connections) * 3;
    if (Number(rows[0]?.c) !== expected) throw new Error(`L0 PostgreSQL: ${rows[0]?.c} rows, expected ${expected}`);
    return rate;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  }
}
