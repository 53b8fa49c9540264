// The store conformance suite on a real SQLite file in a temp dir, plus what only SQLite has: the synchronous pragma,
// two store objects (two connections) on one file, reopening a file, migrating twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storeConformance } from './conformance.js';
import { claimOne, episode, newInstance } from './conformance-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'taskhub-sqlite-'));
const file = join(dir, 'hub.db');
let hubs = 0;

storeConformance(
  'SQLite',
  () => Promise.resolve(openSqliteStore({ path: file, hubName: `Hub${++hubs}` })),
  () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
);

describe('SQLite store specifics', () => {
  const local = mkdtempSync(join(tmpdir(), 'taskhub-sqlite-own-'));
  const open: SqliteStore[] = [];
  afterAll(async () => {
    for (const s of open) await s.close();
    rmSync(local, { recursive: true, force: true });
  });
  const store = async (path: string, options: { durability?: 'full' | 'normal'; hubName?: string } = {}) => {
    const s = openSqliteStore({ path, ...options });
    await s.migrate();
    open.push(s);
    return s;
  };

  it('applies synchronous=FULL by default and NORMAL on request, in WAL mode', async () => {
    const full = await store(join(local, 'full.db'));
    const normal = await store(join(local, 'normal.db'), { durability: 'normal' });
    // PRAGMA synchronous: 1 = NORMAL, 2 = FULL.
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(normal.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(full.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('two store objects on one file contend for one instance and only one gets it', async () => {
    const path = join(local, 'shared.db');
    const a = await store(path);
    const b = await store(path);
    await a.createInstance(newInstance('x'));
    const [fromA, fromB] = await Promise.all([
      a.claimOrchestrations('wa', 10, 10_000),
      b.claimOrchestrations('wb', 10, 10_000),
    ]);
    expect(fromA.length + fromB.length).toBe(1);
    const winner = fromA.length === 1 ? 'wa' : 'wb';
    expect(await a.lockHolders()).toEqual([winner]);
    expect(await b.claimOrchestrations(winner === 'wa' ? 'wb' : 'wa', 10, 10_000)).toEqual([]);
  });

  it('keeps committed data across close and reopen', async () => {
    const path = join(local, 'reopen.db');
    const first = openSqliteStore({ path, hubName: 'Keep' });
    await first.migrate();
    await first.createInstance(newInstance('k'));
    const claimed = await claimOne(first, 'w1', 'k');
    await first.commit({
      workerId: 'w1',
      leaseMs: 10_000,
      episodes: [episode(claimed, { runtimeStatus: 'Completed', output: '7' })],
      activityCompletions: [],
    });
    await first.close();
    const second = await store(path, { hubName: 'Keep' });
    expect(await second.getInstance('k')).toMatchObject({ runtimeStatus: 'Completed', output: '7', historyLength: 2 });
    expect((await second.getHistory('k')).map((e) => e.eventType)).toEqual(['OrchestratorStarted', 'ExecutionStarted']);
  });

  it('migrating twice is a no-op', async () => {
    const s = await store(join(local, 'twice.db'));
    await s.createInstance(newInstance('m'));
    await s.migrate();
    const versions = s.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
      version: number;
    }[];
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await s.getInstance('m')).toBeDefined();
  });

  it('migration 9 rebuilds the history of an existing hub as a rowid table, rows kept, read by instance through the index', async () => {
    const path = join(local, 'before-9.db');
    // A hub written before migration 9: WITHOUT ROWID history, rows of two hubs and instances interleaved.
    const old = new Database(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version < 9)) {
      for (const sql of m.sqlite) old.exec(sql);
      old.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, 'then');
    }
    const insert = old.prepare('INSERT INTO history (hub, instance_id, seq, events) VALUES (?, ?, ?, ?)');
    const event = (n: number) =>
      JSON.stringify([{ eventType: 'EventRaised', eventId: -1, timestamp: 't', name: `e${n}` }]);
    for (const seq of [2, 0, 1])
      for (const [hub, id] of [
        ['TestHubName', 'a'],
        ['Other', 'a'],
        ['TestHubName', 'b'],
      ]) {
        insert.run(hub, id, seq, event(seq));
      }
    old.close();
    const s = await store(path);
    const names = (id: string) => s.getHistory(id).then((h) => h.map((e) => (e as { name?: string }).name));
    expect(await names('a')).toEqual(['e0', 'e1', 'e2']);
    expect(await names('b')).toEqual(['e0', 'e1', 'e2']);
    expect(s.db.prepare('SELECT count(*) AS n FROM history').get()).toEqual({ n: 9 });
    // A rowid table now, and reads by instance in seq order are a range scan of the unique index (no sort, no scan).
    expect(s.db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'history'").pluck().get()).not.toMatch(
      /WITHOUT ROWID/i,
    );
    const plan = s.db
      .prepare('EXPLAIN QUERY PLAN SELECT events FROM history WHERE hub = ? AND instance_id = ? ORDER BY seq')
      .all('TestHubName', 'a') as { detail: string }[];
    expect(plan.map((p) => p.detail)).toEqual([
      'SEARCH history USING INDEX history_instance_seq (hub=? AND instance_id=?)',
    ]);
    expect(() =>
      s.db
        .prepare('INSERT INTO history (hub, instance_id, seq, events) VALUES (?, ?, ?, ?)')
        .run('TestHubName', 'a', 1, '[]'),
    ).toThrow(/UNIQUE/);
  });
});
