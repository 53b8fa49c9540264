// Retention across real `taskhub worker` processes (--retention on the command line): two on one SQLite file, three
// on one PostgreSQL hub. Every old finished instance is purged, the running ones stay, and no schedule slot's pass
// ran in two processes (each pass logs the slot it claimed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startWorker, type RunningWorker } from '../outage/outage-helpers.js';
import { startPgServer } from '../store/pg-server.js';
import { until } from '../until.js';
import { daysAgo, remaining, seed, type SeedRow } from './seed.js';

const APP = 'test/outage/chain-app.ts';
const OLD = 3000;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-retention-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows: SeedRow[] = [
  ...Array.from({ length: OLD }, (_, i) => ({ id: `old-${i}`, status: 'Completed' as const, updated: daysAgo(2) })),
  ...Array.from({ length: 20 }, (_, i) => ({ id: `failed-${i}`, status: 'Failed' as const, updated: daysAgo(2) })),
  ...Array.from({ length: 20 }, (_, i) => ({ id: `run-${i}`, status: 'Running' as const, updated: daysAgo(9) })),
];

/** The slots of the retention passes each worker logged (JSON lines), and what they purged. */
function passes(workers: readonly RunningWorker[]): { slot: string; purged: number }[] {
  return workers.flatMap((w) =>
    w
      .output()
      .split('\n')
      .filter((line) => line.includes('"event":"retention.pass"'))
      .map((line) => JSON.parse(line) as { slot: string; purged: { Completed?: number } })
      .map((p) => ({ slot: p.slot, purged: p.purged.Completed ?? 0 })),
  );
}

async function purgedByOne(store: SqliteStore | PostgresStore, args: readonly string[], count: number): Promise<void> {
  await seed(store, rows);
  const workers: RunningWorker[] = [];
  try {
    for (let i = 0; i < count; i++) {
      workers.push(startWorker(APP, [...args, '--retention', 'Completed=1d,interval=1s,batchSize=100']));
    }
    const log = (): string => workers.map((w) => w.output()).join('\n');
    await until(async () => (await remaining(store)).length === 40, {
      what: `the ${OLD} old Completed instances purged`,
      timeoutMs: 120_000,
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${log()}`);
    });
    const left = await remaining(store);
    expect(left.filter((id) => id.startsWith('run-'))).toHaveLength(20);
    // Only Completed has an age here: Failed ones are kept.
    expect(left.filter((id) => id.startsWith('failed-'))).toHaveLength(20);
    // The pass that purged the last ones logs once it ends.
    const purged = (): number => passes(workers).reduce((n, p) => n + p.purged, 0);
    await until(() => purged() >= OLD, { what: 'the passes logged' });
    expect(purged()).toBe(OLD);
    const done = passes(workers);
    expect(new Set(done.map((p) => p.slot)).size).toBe(done.length);
    for (const w of workers) expect(w.child.exitCode).toBeNull();
  } finally {
    for (const w of workers) await w.stop();
  }
}

describe('retention across worker processes', () => {
  it('two workers on one SQLite file purge old instances, one pass per slot', async () => {
    const file = join(dir, 'shared.db');
    const store = openSqliteStore({ path: file, hubName: 'Shared' });
    await store.migrate();
    try {
      await purgedByOne(store, ['--store', `sqlite:${file}`, '--hub', 'Shared'], 2);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('three workers on one PostgreSQL hub purge old instances, one pass per slot', async () => {
    const server = await startPgServer();
    const store = openPostgresStore({ connectionString: server.connectionString, hubName: 'Kept' });
    try {
      await store.migrate();
      await purgedByOne(store, ['--store', server.connectionString, '--hub', 'Kept'], 3);
    } finally {
      await store.close();
      await server.stop();
    }
  }, 240_000);
});
