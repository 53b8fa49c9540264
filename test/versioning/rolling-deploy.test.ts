// Deploying a new version under running instances, with real processes. On SQLite: 50 instances of Order 1.0 wait for
// an event; the app is replaced by one that registers 1.0 and 2.0 side by side (2.0 changes the activity sequence) and
// starts 50 more, which get 2.0; once the events are raised, every instance completes on the code of its own version.
// On PostgreSQL, a rolling deploy: an old worker (1.0 only) and a new one (1.0 and 2.0) run side by side; the old
// worker never claims a 2.0 instance (the claim filters by version), and nothing fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InstanceRecord, Store } from '../../src/store/store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { until } from '../until.js';

const COUNT = 50;
const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface App {
  readonly child: ChildProcess;
  /** Its warnings so far (JSON lines). */
  warnings(): string;
  stop(): Promise<void>;
}

/** Starts order-app.ts and waits for its 'ready' (after the instances it starts, if any, are durable). */
function startApp(store: string, hub: string, versions: string, start?: string): Promise<App> {
  const args = [join(import.meta.dirname, 'order-app.ts'), store, hub, versions, ...(start ? [start] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  const app: App = {
    child,
    warnings: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(app);
    });
    child.on('exit', (code) => reject(new Error(`app exited with ${String(code)} before it was ready: ${stderr}`)));
  });
}

async function instances(store: Store, prefix: string): Promise<InstanceRecord[]> {
  const page = await store.queryInstances({ instanceIdPrefix: `${prefix}-`, pageSize: 1000 });
  return [...page.instances];
}

async function waitingCount(store: Store, prefix: string): Promise<number> {
  return (await instances(store, prefix)).filter((i) => i.customStatus === '"waiting"').length;
}

async function approveAll(store: Store, prefix: string): Promise<void> {
  const stored = await store.enqueueMessages(
    Array.from({ length: COUNT }, (_, n) => ({
      instanceId: `${prefix}-${n}`,
      event: { eventType: 'EventRaised', eventId: -1, timestamp: new Date().toISOString(), name: 'Approve' },
    })),
  );
  expect(stored).toBe(COUNT);
}

/** Every instance of the prefix completed on `version`'s code: its output names that version and its steps. */
async function expectCompletedOn(store: Store, prefix: string, version: string, steps: string[]): Promise<void> {
  const all = await instances(store, prefix);
  expect(all).toHaveLength(COUNT);
  for (const instance of all) {
    expect(instance.runtimeStatus, `${instance.instanceId}: ${JSON.stringify(instance.failureDetails)}`).toBe(
      'Completed',
    );
    expect(instance.version).toBe(version);
    expect(JSON.parse(instance.output ?? 'null')).toEqual({ version, steps });
  }
}

async function completedCount(store: Store, prefix: string): Promise<number> {
  return (await instances(store, prefix)).filter((i) => i.runtimeStatus !== 'Running').length;
}

const V1_STEPS = ['Reserve', 'Ship'];
const V2_STEPS = ['Validate', 'Reserve', 'Ship'];

describe('deploying a new version under running instances', () => {
  it('SQLite: 50 instances on 1.0 finish on 1.0 after 2.0 is deployed beside it; new instances run 2.0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taskhub-versioning-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'hub.db');
    const store = openSqliteStore({ path: file, hubName: 'Orders' });
    await store.migrate();
    cleanups.push(() => store.close());

    const v1 = await startApp(file, 'Orders', '1.0', `old:${COUNT}`);
    await until(async () => (await waitingCount(store, 'old')) === COUNT, { what: '50 instances of 1.0 waiting' });
    await v1.stop();

    const v2 = await startApp(file, 'Orders', '1.0,2.0', `new:${COUNT}`);
    await until(async () => (await waitingCount(store, 'new')) === COUNT, { what: '50 instances of 2.0 waiting' });
    await approveAll(store, 'old');
    await approveAll(store, 'new');
    await until(async () => (await completedCount(store, 'old')) + (await completedCount(store, 'new')) === 2 * COUNT, {
      what: 'every instance to end',
    });
    await expectCompletedOn(store, 'old', '1.0', V1_STEPS);
    await expectCompletedOn(store, 'new', '2.0', V2_STEPS);
    expect(v2.warnings()).not.toContain('orchestration.version-rejected');
    await v2.stop();
  });

  it('PostgreSQL: an old worker (1.0) and a new one (1.0, 2.0) side by side: nothing fails, nothing is misrouted', async () => {
    const server: PgServer = await startPgServer();
    cleanups.push(() => server.stop());
    const store = openPostgresStore({ connectionString: server.connectionString, hubName: 'Rolling' });
    await store.migrate();
    cleanups.push(() => store.close());

    const old = await startApp(server.connectionString, 'Rolling', '1.0', `old:${COUNT}`);
    await until(async () => (await waitingCount(store, 'old')) === COUNT, { what: '50 instances of 1.0 waiting' });

    // The rolling deploy: the new worker joins while the old one keeps running, and starts instances of its newest.
    const next = await startApp(server.connectionString, 'Rolling', '1.0,2.0', `new:${COUNT}`);
    await until(async () => (await waitingCount(store, 'new')) === COUNT, { what: '50 instances of 2.0 waiting' });
    // Raised from outside either worker: any worker may claim them, and the old one polls for work all along.
    await approveAll(store, 'new');
    await approveAll(store, 'old');
    await until(async () => (await completedCount(store, 'old')) + (await completedCount(store, 'new')) === 2 * COUNT, {
      what: 'every instance to end',
    });
    await expectCompletedOn(store, 'old', '1.0', V1_STEPS);
    await expectCompletedOn(store, 'new', '2.0', V2_STEPS);
    // The old worker never even claimed a 2.0 instance: it would have said so once (versionFailureStrategy Reject).
    expect(old.warnings()).not.toContain('orchestration.version-rejected');
    expect(next.warnings()).not.toContain('orchestration.version-rejected');
    await Promise.all([old.stop(), next.stop()]);
  });
});
