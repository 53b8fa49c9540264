// On PostgreSQL (one schema per task hub), a client command that reads a hub that does not exist names the hubs that
// have instances, as it does for a SQLite file, and creates nothing: no schema for a typo on a production database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskHubClient } from '../../src/client/durable-client.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { taskhub } from './cli-helpers.js';

let server: PgServer;
let store: PostgresStore;
const cwd = mkdtempSync(path.join(tmpdir(), 'taskhub-cli-pg-'));

beforeAll(async () => {
  server = await startPgServer();
  store = openPostgresStore({ connectionString: server.connectionString, hubName: 'OrdersHub' });
  await store.migrate();
  const client = new TaskHubClient({ store });
  await client.startNew('Order', { instanceId: 'order-1', input: 1 });
  await client.startNew('Order', { instanceId: 'order-2', input: 2 });
}, 120_000);
afterAll(async () => {
  await store?.close();
  await server?.stop();
  rmSync(cwd, { recursive: true, force: true });
});

describe('taskhub on a PostgreSQL store with several hubs', () => {
  const schemas = async (): Promise<string[]> =>
    (
      await store.pool.query<{ name: string }>(
        "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE 'taskhub\\_%' ORDER BY 1",
      )
    ).rows.map((r) => r.name);

  it('names the hubs that have instances when the chosen one does not exist, and creates no schema', async () => {
    const empty = await taskhub(['list', '--store', server.connectionString], { cwd });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(
      "Task hub 'TestHubName' has no instances in this PostgreSQL database; it holds ordershub (2). " +
        'Pick one with --hub ordershub.',
    );
    const typo = await taskhub(['status', 'order-1', '--store', server.connectionString, '--hub', 'Typo'], { cwd });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("Task hub 'Typo' has no instances in this PostgreSQL database; it holds ordershub");
    expect(await schemas()).toEqual(['taskhub_ordershub']);

    const picked = await taskhub(['list', '--store', server.connectionString, '--hub', 'ordershub'], { cwd });
    expect(picked.stdout).toMatch(/order-2\s+Order\s+Pending/);
    expect(picked.stderr).toBe('');
  });

  it('doctor on a hub that does not exist fails with the same hint and creates no schema', async () => {
    const r = await taskhub(['doctor', '--store', server.connectionString, '--hub', 'NoSuchHub'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('No problems found');
    expect(r.stderr).toContain(
      "Task hub 'NoSuchHub' has no instances in this PostgreSQL database; it holds ordershub (2). " +
        'Pick one with --hub ordershub.',
    );
    expect(await schemas()).toEqual(['taskhub_ordershub']);

    const healthy = await taskhub(['doctor', '--store', server.connectionString, '--hub', 'OrdersHub'], { cwd });
    expect(healthy.stderr).toBe('');
    expect(healthy.stdout).toContain('Task hub OrdersHub');
  });
});
