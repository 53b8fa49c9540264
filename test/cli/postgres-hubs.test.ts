// On PostgreSQL (one schema per task hub), a client command that reads an empty hub names the hubs that have
// instances, as it does for a SQLite file.
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
  it('names the hubs that have instances when the chosen one is empty', async () => {
    const empty = await taskhub(['list', '--store', server.connectionString], { cwd });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('No instances in task hub TestHubName in PostgreSQL');
    expect(empty.stderr).toContain(
      "Task hub 'TestHubName' has no instances in this PostgreSQL database; it holds ordershub (2). " +
        'Pick one with --hub ordershub.',
    );

    const picked = await taskhub(['list', '--store', server.connectionString, '--hub', 'ordershub'], { cwd });
    expect(picked.stdout).toMatch(/order-2\s+Order\s+Pending/);
    expect(picked.stderr).toBe('');
  });
});
