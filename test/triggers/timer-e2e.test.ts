// Timer triggers end to end, as a user runs them: `taskhub start` on a code-first app (df.app.client.timer and
// app.timer) and on a classic function.json app, and three `taskhub worker` processes sharing one hub, on PostgreSQL
// and on one SQLite file, where each occurrence starts its orchestration exactly once. Orchestration inputs carry the
// occurrence (scheduleStatus.next), so the test counts starts per occurrence in the store.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { cliCommand, ROOT, startHost } from '../e2e/host.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { until } from '../until.js';

const CODE_FIRST = path.join(ROOT, 'test/fixtures/timer-code-first');
const CLASSIC = path.join(ROOT, 'test/fixtures/timer-classic');
const YEARLY = '0 0 0 1 1 *';
const EVERY_SECOND = '* * * * * *';

/** The app settings of the code-first fixture: every second for ClientTimer (monitored), the others quiet. */
function settings(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CLIENT_SCHEDULE: EVERY_SECOND,
    CLIENT_USE_MONITOR: 'true',
    CLIENT_RUN_ON_STARTUP: 'false',
    AZURE_SCHEDULE: YEARLY,
    FAILING_SCHEDULE: YEARLY,
    ...overrides,
  };
}

interface Tick {
  readonly source: string;
  readonly occurrence: string | null;
  readonly isPastDue: boolean;
  readonly pid: number;
  readonly sameValue?: boolean;
  readonly runtimeStatus: string;
}

/** The orchestrations the fixture's timers started, read from the store. */
async function ticks(store: Store, source: string): Promise<Tick[]> {
  const found: Tick[] = [];
  let token: string | undefined;
  do {
    const page = await store.queryInstances({ pageSize: 500, ...(token ? { continuationToken: token } : {}) });
    for (const instance of page.instances) {
      const input = JSON.parse(instance.input ?? 'null') as Omit<Tick, 'runtimeStatus'> | null;
      if (input?.source === source) found.push({ ...input, runtimeStatus: instance.runtimeStatus });
    }
    token = page.continuationToken;
  } while (token);
  return found;
}

/** Occurrences started more than once (none, when each occurrence fired exactly once). */
function duplicates(list: readonly Tick[]): string[] {
  const seen = new Map<string, number>();
  for (const t of list) seen.set(String(t.occurrence), (seen.get(String(t.occurrence)) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([occurrence]) => occurrence);
}

interface WorkerProcess {
  output(): string;
  /** SIGTERM, and the exit code once it has drained. */
  stop(): Promise<number | null>;
}

/** `taskhub worker <app>` on a shared store, resolved once it says it is ready (its start-up claims are stored). */
async function startWorker(
  store: string,
  hub: string,
  env: Record<string, string>,
  app = CODE_FIRST,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...cliCommand(), 'worker', app, '--store', store, '--hub', hub], {
    cwd: ROOT,
    env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await until(
    () => {
      if (child.exitCode !== null) throw new Error(`taskhub worker exited with ${child.exitCode}:\n${output}`);
      return output.includes('Taskhub worker:');
    },
    { what: 'taskhub worker to be ready' },
  );
  return {
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('timer trigger with taskhub start', () => {
  it('starts orchestrations from df.app.client.timer and app.timer; logs the failing and the invalid one', async () => {
    const host = await startHost(CODE_FIRST, {
      env: settings({ AZURE_SCHEDULE: '*/2 * * * * *', FAILING_SCHEDULE: EVERY_SECOND }),
    });
    const store = openSqliteStore({ path: path.join(host.dir, 'hub.db') });
    try {
      await store.migrate();
      await until(
        async () =>
          (await ticks(store, 'ClientTimer')).filter((t) => t.runtimeStatus === 'Completed').length >= 3 &&
          (await ticks(store, 'AzureTimer')).length >= 1,
        { what: 'orchestrations started by both timers' },
      );
      await until(() => host.output().includes("timer function 'FailingTimer' failed"), { what: 'the failure log' });
      const client = await ticks(store, 'ClientTimer');
      expect(duplicates(client)).toEqual([]);
      for (const t of client) expect(t).toMatchObject({ isPastDue: false, occurrence: expect.any(String) as string });
      // app.timer with no useMonitor on a two-second schedule: Azure's default leaves the monitor off.
      expect((await ticks(store, 'AzureTimer'))[0]).toMatchObject({ isPastDue: false, occurrence: null });
      expect(host.output()).toContain("timer function 'FailingTimer' failed: the failing timer failed on purpose");
      // Refused at load, as Azure refuses to index it: one error line, and the banner says why it is not served.
      const why = "The schedule '0 0 25 * * *' is not valid: '25' is not a valid Hour field";
      expect(host.output()).toContain(`The 'BrokenTimer' function is in error: ${why}`);
      expect(host.output()).toContain(`BrokenTimer: timerTrigger (not served: ${why}`);
      expect(host.output()).not.toContain('BrokenTimer: timerTrigger\n');
    } finally {
      await store.close();
      expect(await host.stop()).toBe(0);
    }
  });

  it('starts orchestrations from a classic function.json timerTrigger with a durableClient binding', async () => {
    const host = await startHost(CLASSIC, { env: { CLASSIC_SCHEDULE: EVERY_SECOND } });
    const store = openSqliteStore({ path: path.join(host.dir, 'hub.db') });
    try {
      await store.migrate();
      await until(
        async () => (await ticks(store, 'ClassicTimer')).filter((t) => t.runtimeStatus === 'Completed').length >= 2,
        { what: 'two orchestrations started by the classic timer' },
      );
      const started = await ticks(store, 'ClassicTimer');
      expect(duplicates(started)).toEqual([]);
      for (const t of started) {
        expect(t).toMatchObject({ isPastDue: false, sameValue: true, occurrence: expect.any(String) as string });
      }
    } finally {
      await store.close();
      expect(await host.stop()).toBe(0);
    }
  });
});

/**
 * Three workers on one hub: each occurrence of a per-second schedule starts one orchestration, no more, and a worker
 * replaced midway (stopped, and a new one started) repeats nothing either.
 */
async function exactlyOnce(storeOption: string, hub: string, store: Store): Promise<void> {
  const workers = await Promise.all([1, 2, 3].map(() => startWorker(storeOption, hub, settings())));
  const since = async (at: string): Promise<number> =>
    (await ticks(store, 'ClientTimer')).filter((t) => String(t.occurrence) > at).length;
  try {
    const readyAt = new Date().toISOString();
    await until(async () => (await since(readyAt)) >= 3, { what: 'three occurrences with all three workers up' });
    expect(await workers[0]!.stop()).toBe(0);
    workers[0] = await startWorker(storeOption, hub, settings());
    const replacedAt = new Date().toISOString();
    await until(async () => (await since(replacedAt)) >= 3, { what: 'three occurrences after a replaced worker' });
  } finally {
    const codes = await Promise.all(workers.map((w) => w.stop()));
    expect(codes).toEqual([0, 0, 0]);
  }
  const started = await ticks(store, 'ClientTimer');
  expect(duplicates(started)).toEqual([]);
  // The status in the store names the last occurrence fired.
  const last = started
    .map((t) => String(t.occurrence))
    .sort()
    .at(-1);
  expect((await store.getTimerStatus('clienttimer'))?.last).toBe(last);
}

describe('timer trigger with three taskhub worker processes', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('fires each occurrence exactly once on one PostgreSQL hub', async () => {
    const store = openPostgresStore({ connectionString: server.connectionString, hubName: 'TimerOnce' });
    try {
      await store.migrate();
      await exactlyOnce(server.connectionString, 'TimerOnce', store);
    } finally {
      await store.close();
    }
  });

  it('fires each occurrence exactly once on one SQLite file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-timer-'));
    const file = path.join(dir, 'hub.db');
    const store = openSqliteStore({ path: file, hubName: 'TimerOnce' });
    try {
      await store.migrate();
      await exactlyOnce(`sqlite:${file}`, 'TimerOnce', store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after a stop that missed occurrences, fires once with isPastDue on restart, and not again', async () => {
    const store = openPostgresStore({ connectionString: server.connectionString, hubName: 'TimerPastDue' });
    try {
      await store.migrate();
      // What a yearly timer leaves when its workers last ran in 2020: the 2021 occurrence and every one after it
      // were missed.
      await store.claimTimerOccurrence({
        functionName: 'clienttimer',
        occurrence: '2020-01-01T00:00:00.000Z',
        next: '2021-01-01T00:00:00.000Z',
        workerId: 'long-gone',
      });
      const env = settings({ CLIENT_SCHEDULE: YEARLY });
      const first = await Promise.all([1, 2].map(() => startWorker(server.connectionString, 'TimerPastDue', env)));
      await until(async () => (await ticks(store, 'ClientTimer')).length >= 1, { what: 'the past-due start' });
      expect(await Promise.all(first.map((w) => w.stop()))).toEqual([0, 0]);
      const status = await store.getTimerStatus('clienttimer');
      expect(status?.last).toBe('2021-01-01T00:00:00.000Z');
      // Started again, nothing is past due: the start-up check is stored before the worker says it is ready.
      const again = await startWorker(server.connectionString, 'TimerPastDue', env);
      expect(await store.getTimerStatus('clienttimer')).toEqual(status);
      expect(await again.stop()).toBe(0);
      const started = await ticks(store, 'ClientTimer');
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ isPastDue: true, occurrence: '2021-01-01T00:00:00.000Z' });
    } finally {
      await store.close();
    }
  });

  it('runs a runOnStartup timer when its worker starts', async () => {
    const store = openPostgresStore({ connectionString: server.connectionString, hubName: 'TimerStartup' });
    try {
      await store.migrate();
      const worker = await startWorker(
        server.connectionString,
        'TimerStartup',
        settings({ CLIENT_SCHEDULE: YEARLY, CLIENT_RUN_ON_STARTUP: 'true' }),
      );
      await until(async () => (await ticks(store, 'ClientTimer')).length >= 1, { what: 'the start-up run' });
      expect(await worker.stop()).toBe(0);
      const started = await ticks(store, 'ClientTimer');
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ isPastDue: false });
      // A run on start-up is no occurrence: nothing is claimed; the status stored at first start says it never ran.
      expect((await store.getTimerStatus('clienttimer'))?.last).toBe('0001-01-01T00:00:00.000Z');
    } finally {
      await store.close();
    }
  });
});
