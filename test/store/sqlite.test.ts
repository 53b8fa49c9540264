// The store conformance suite on a real SQLite file in a temp dir, plus what only SQLite has: the synchronous pragma,
// two store objects (two connections) on one file, reopening a file, migrating twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
