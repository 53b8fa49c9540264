// Retention in one process on real stores: a hub's background passes purge only what is old enough for its status
// and leave running instances alone; a pass goes on batch after batch and cleans entity storage; of two workers on
// one file only one runs a slot's pass; and a PostgreSQL outage fails passes without ending anything, after which
// retention goes on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { Retention, type RetentionPassSummary } from '../../src/retention/retention.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startPgServer } from '../store/pg-server.js';
import { until } from '../until.js';
import { openTestHub, type TestHub } from '../worker/helpers.js';
import { daysAgo, leftovers, remaining, seed } from './seed.js';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-retention-'));
let hub: TestHub | undefined;
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  for (const close of closing.splice(0)) await close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function captured() {
  const records: { event?: string; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()) as (typeof records)[number]);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), records };
}

async function sqlite(file: string, hubName = 'TestHubName'): Promise<SqliteStore> {
  const store = openSqliteStore({ path: file, hubName });
  await store.migrate();
  closing.push(() => store.close());
  return store;
}

describe('retention', () => {
  it("purges a hub's finished instances once old enough for their status, and leaves running ones", async () => {
    const h = (hub = await openTestHub(
      (r) => {
        r.registerOrchestration('Quick', function* (ctx: OrchestrationContext) {
          return ctx.df.getInput();
        });
        r.registerOrchestration('Breaks', function* () {
          throw new Error('broken');
        });
        r.registerOrchestration('Waits', function* (ctx: OrchestrationContext) {
          return yield ctx.df.waitForExternalEvent('Go');
        });
      },
      { retention: { olderThanMs: { Completed: DAY, Failed: 30 * DAY }, intervalMs: 200 } },
    ));
    for (let i = 0; i < 4; i++) await h.client.startNew('Quick', { instanceId: `q${i}`, input: i });
    for (let i = 0; i < 3; i++) await h.client.startNew('Breaks', { instanceId: `b${i}` });
    await h.client.startNew('Waits', { instanceId: 'w0' });
    for (const id of ['q0', 'q1', 'q2', 'q3', 'b0', 'b1', 'b2']) {
      await h.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
    }
    await until(async () => (await h.client.getStatus('w0')).runtimeStatus === 'Running', { what: 'w0 running' });
    // Their ages, as if they had finished that long ago (a second connection to the hub's file).
    const other = await sqlite(h.file);
    const age = other.db.prepare('UPDATE instances SET last_updated_time = ? WHERE instance_id = ?');
    for (const [id, days] of [
      ['q0', 2],
      ['q1', 2],
      ['b0', 2],
      ['b1', 40],
      ['w0', 100],
    ] as const) {
      age.run(daysAgo(days), id);
    }
    await until(async () => (await remaining(other)).join() === 'b0,b2,q2,q3,w0', {
      what: 'q0, q1 (Completed, 2 days) and b1 (Failed, 40 days) purged',
    });
    expect(await leftovers(other, ['q0', 'q1', 'b1'])).toBe(0);
    // The running instance, however old its last update, is untouched and still finishes.
    await h.client.raiseEvent('w0', 'Go', 'went');
    expect((await h.client.waitForCompletion('w0', { timeoutInMilliseconds: 20_000 })).output).toBe('went');
  });

  it('goes on batch after batch in one pass, and removes empty entities', async () => {
    const store = await sqlite(join(dir, 'batches.db'));
    await seed(store, [
      ...Array.from({ length: 50 }, (_, i) => ({ id: `old${i}`, status: 'Terminated' as const, updated: daysAgo(3) })),
      ...Array.from({ length: 5 }, (_, i) => ({ id: `new${i}`, status: 'Terminated' as const, updated: daysAgo(0) })),
    ]);
    // An entity with no state, no lock and nothing queued: what cleanEntityStorage removes.
    store.db
      .prepare(
        `INSERT INTO instances (hub, instance_id, execution_id, name, runtime_status, created_time, last_updated_time)
         VALUES ('TestHubName', '@counter@empty', 'e', 'counter', 'Running', ?, ?)`,
      )
      .run(daysAgo(0), daysAgo(0));
    const passes: RetentionPassSummary[] = [];
    const { logger, records } = captured();
    const retention = new Retention(
      store,
      { olderThanMs: { Terminated: DAY }, batchSize: 7, intervalMs: 3_600_000 },
      logger,
      (s) => passes.push(s),
    );
    retention.start();
    closing.unshift(() => retention.stop());
    await until(() => passes.length === 1, { what: 'the first pass' });
    expect(passes[0]).toMatchObject({
      purged: { Terminated: 50 },
      batches: 8,
      emptyEntitiesRemoved: 1,
      complete: true,
    });
    expect(await remaining(store)).toEqual(['new0', 'new1', 'new2', 'new3', 'new4']);
    expect(records.find((r) => r.event === 'retention.pass')?.msg).toMatch(/purged 50 Terminated; 1 empty entities/);
  });

  it('gives each slot to one of the workers sharing a store', async () => {
    const file = join(dir, 'shared.db');
    const a = await sqlite(file);
    const b = await sqlite(file);
    await seed(a, [{ id: 'x', status: 'Completed', updated: daysAgo(2) }]);
    const passes: { worker: string; slot: string }[] = [];
    const policy = { olderThanMs: { Completed: DAY }, intervalMs: 200 };
    const silent = pino({ level: 'silent' });
    const workers = ['a', 'b'].map(
      (worker, i) => new Retention([a, b][i]!, policy, silent, (s) => passes.push({ worker, slot: s.slot })),
    );
    for (const w of workers) w.start();
    closing.unshift(() => Promise.all(workers.map((w) => w.stop())).then(() => undefined));
    await until(() => passes.length >= 8, { what: 'eight passes' });
    await until(async () => (await remaining(a)).length === 0, { what: 'x purged' });
    // Every slot ran once, by one worker or the other: never by both.
    const slots = passes.map((p) => p.slot);
    expect(new Set(slots).size).toBe(slots.length);
  });

  it('survives a PostgreSQL outage: passes fail while it is down, and purge again once it is back', async () => {
    const server = await startPgServer();
    closing.push(() => server.stop());
    const store = openPostgresStore({ connectionString: server.connectionString, hubName: 'Outage' });
    await store.migrate();
    closing.unshift(() => store.close());
    const { logger, records } = captured();
    const retention = new Retention(store, { olderThanMs: { Completed: DAY }, intervalMs: 250 }, logger);
    retention.start();
    closing.unshift(() => retention.stop());
    await until(() => records.some((r) => r.event === 'retention.pass'), { what: 'a pass before the outage' });
    await server.halt();
    await until(() => records.some((r) => r.event === 'retention.failed'), { what: 'a pass failing in the outage' });
    await server.start();
    await seed(store, [
      { id: 'old', status: 'Completed', updated: daysAgo(2) },
      { id: 'new', status: 'Completed', updated: daysAgo(0) },
    ]);
    await until(async () => (await remaining(store)).join() === 'new', { what: 'old purged after the outage' });
  }, 120_000);
});
