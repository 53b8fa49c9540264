// The stores' side of versioning, on a real SQLite file and a real PostgreSQL server: the version is stored with the
// instance (migration 6), instances are listed by version, and a claim with a version filter takes exactly the
// instances whose version it allows, however many refused ones wait ahead of them. PostgreSQL compares versions in
// SQL; its answers must be TypeScript's (compareVersions).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, type VersionFilter } from '../../src/core/versioning.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';

let server: PgServer;
let pgStore: PostgresStore;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-versioning-claims-'));

beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await pgStore?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function create(store: Store, instanceId: string, name: string, version?: string): Promise<void> {
  const executionId = `${instanceId}-1`;
  await store.createInstance({
    instanceId,
    executionId,
    name,
    startEvent: {
      eventType: 'ExecutionStarted',
      eventId: -1,
      timestamp: new Date().toISOString(),
      name,
      instanceId,
      executionId,
      ...(version === undefined ? {} : { version }),
    },
  });
}

// A worker running Order 1.0 and 2.0 side by side, and Invoice up to 2.0 (CurrentOrOlder).
const FILTER: VersionFilter = {
  names: ['order', 'invoice'],
  rules: [
    { name: 'order', min: '1.0', max: '1.0' },
    { name: 'order', min: '2.0', max: '2.0' },
    { name: 'invoice', max: '2.0' },
  ],
};

const stores: [string, () => Store][] = [
  ['SQLite', () => openSqliteStore({ path: join(dir, `hub-${Date.now()}.db`), hubName: 'Versions' })],
  [
    'PostgreSQL',
    () => {
      pgStore = openPostgresStore({ connectionString: server.connectionString, hubName: 'Versions' });
      return pgStore;
    },
  ],
];

describe.each(stores)('%s', (_kind, open) => {
  let store: Store;
  beforeAll(async () => {
    store = open();
    await store.migrate();
  });

  it('stores the version an instance was created with, and lists instances by version', async () => {
    await create(store, 'list-a', 'Report', '1.0');
    await create(store, 'list-b', 'Report', '2.0');
    await create(store, 'list-c', 'Report');
    expect((await store.getInstance('list-a'))?.version).toBe('1.0');
    expect((await store.getInstance('list-c'))?.version).toBeUndefined();
    const ids = async (version: string): Promise<string[]> =>
      (await store.queryInstances({ instanceIdPrefix: 'list-', version })).instances.map((i) => i.instanceId);
    expect(await ids('2.0')).toEqual(['list-b']);
    expect(await ids('')).toEqual(['list-c']);
    expect(await ids('3.0')).toEqual([]);
  });

  it('claims only the versions the filter allows, past any number of refused instances ahead', async () => {
    // Refused ones first, so their messages are the oldest: they must not fill the claim's read-ahead.
    for (let n = 0; n < 30; n++) await create(store, `claim-refused-${n}`, 'Order', '3.0');
    await create(store, 'claim-none', 'Order');
    await create(store, 'claim-invoice-new', 'Invoice', '2.1');
    await create(store, 'claim-order-1', 'Order', '1.0');
    await create(store, 'claim-order-2', 'Order', '2.0');
    await create(store, 'claim-invoice-old', 'Invoice', '1.5');
    await create(store, 'claim-invoice-plain', 'Invoice');
    await create(store, 'claim-other', 'Shipping', '9.0');

    const claimed: string[] = [];
    for (;;) {
      const batch = await store.claimOrchestrations('w-filter', 1, 60_000, new Set(claimed), FILTER);
      if (batch.length === 0) break;
      claimed.push(...batch.map((c) => c.instance.instanceId));
    }
    expect(claimed.filter((id) => id.startsWith('claim-')).sort()).toEqual([
      'claim-invoice-old',
      'claim-invoice-plain',
      'claim-order-1',
      'claim-order-2',
      'claim-other',
    ]);
    // The refused instances were never claimed: no delivery counted against them, a worker that runs 3.0 takes them.
    const later = await store.claimOrchestrations('w-any', 100, 60_000);
    const refused = later.filter((c) => c.instance.instanceId.startsWith('claim-refused-'));
    expect(refused).toHaveLength(30);
    expect(refused.every((c) => c.deliveryCount === 1)).toBe(true);
  });
});

describe('PostgreSQL version_compare', () => {
  it('agrees with compareVersions', async () => {
    const versions = [null, '', ' ', '1.0', '1.0.0', '1.0.0.0', '2.0', '10.0', '1.10', '1.9', '10', '9', 'v1', 'V1'];
    versions.push('1.2147483648', '2025-01-01', 'b', 'A', '1.0-beta');
    const pairs = versions.flatMap((a) => versions.map((b) => [a, b] as const));
    const { rows } = await pgStore.pool.query<{ c: number }>(
      `SELECT ${pgStore.schema}.version_compare(a, b) AS c FROM unnest($1::text[], $2::text[]) p(a, b)`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    const sql = rows.map((r) => Math.sign(r.c));
    const ts = pairs.map(([a, b]) => Math.sign(compareVersions(a ?? undefined, b ?? undefined)));
    expect(sql.map((c, i) => `${String(pairs[i]![0])} ${String(pairs[i]![1])} ${c}`)).toEqual(
      ts.map((c, i) => `${String(pairs[i]![0])} ${String(pairs[i]![1])} ${c}`),
    );
  });
});
