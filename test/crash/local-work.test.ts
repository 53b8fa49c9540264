// Crash test of the local fast path with real child processes, on a SQLite file and on PostgreSQL: a host running
// chains of local activities (kept in their instance rows, no work items) is SIGKILLed mid-activity again and again,
// alternately as a local process (the next host frees its locks at start) and as a process of another machine (its
// local work comes back only when its lease expires: the sweep). A last host finishes every instance with the right
// output; every activity ran at least once and every result was observed once.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { runScript, type ScriptProcess } from '../script-process.js';
import { until } from '../until.js';

const COUNT = 20;
const STEPS = 15;
const KILLS = 8;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-local-crash-'));
let server: PgServer | undefined;

beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function expected(n: number): number {
  let acc = n;
  for (let i = 0; i < STEPS; i++) acc = (acc * 31 + i) % 1_000_000_007;
  return acc;
}

/** Activity runs per `id i` from the host's log: how many started, how many returned. */
function runs(log: string): Map<string, { started: number; ended: number }> {
  const byStep = new Map<string, { started: number; ended: number }>();
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  for (const line of text.split('\n')) {
    const [kind, id, i] = line.split(' ');
    if (!id || !i) continue;
    const r = byStep.get(`${id} ${i}`) ?? { started: 0, ended: 0 };
    if (kind === 'start') r.started++;
    else r.ended++;
    byStep.set(`${id} ${i}`, r);
  }
  return byStep;
}

const inFlight = (log: string): number => [...runs(log).values()].filter((r) => r.started > r.ended).length;

interface Target {
  readonly target: string;
  readonly store: Store;
  /** Instances whose row holds local work now (read beside the store, as an operator would). */
  readonly withLocalWork: () => Promise<number>;
}

const SQL = 'SELECT count(*) AS n FROM instances WHERE local_work IS NOT NULL';

describe.each([
  [
    'SQLite',
    (): Target => {
      const file = join(dir, 'hub.db');
      const store = openSqliteStore({ path: file });
      return {
        target: file,
        store,
        withLocalWork: () => Promise.resolve((store.db.prepare(SQL).get() as { n: number }).n),
      };
    },
  ],
  [
    'PostgreSQL',
    (): Target => {
      if (!server) throw new Error('PostgreSQL did not start');
      const url = server.connectionString;
      return {
        target: url,
        store: openPostgresStore({ connectionString: url, hubName: 'LocalWorkCrash' }),
        withLocalWork: async () => {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            const { rows } = await client.query<{ n: string }>(
              SQL.replace('instances', 'taskhub_localworkcrash.instances'),
            );
            return Number(rows[0]?.n);
          } finally {
            await client.end();
          }
        },
      };
    },
  ],
])('local work through SIGKILLs on %s', (name, open) => {
  it(`survives ${KILLS} kills mid-activity: every chain completes, each result observed once`, async () => {
    const { target, store, withLocalWork } = open();
    await store.migrate();
    const log = join(dir, `runs-${name}.log`);
    const start = (mode: string): ScriptProcess =>
      runScript(join(import.meta.dirname, 'local-work-host.ts'), [target, String(COUNT), String(STEPS), log, mode]);
    /** Events committed to all histories so far: the evidence of a host's progress. */
    const committed = async (): Promise<number> => {
      const page = await store.queryInstances({ pageSize: 1000 });
      return page.instances.reduce((sum, i) => sum + i.historyLength, 0);
    };
    try {
      let midActivity = 0;
      let leftInRows = 0;
      for (let k = 0; k < KILLS; k++) {
        const mode = k % 2 === 0 ? 'local' : 'foreign';
        const before = await committed();
        const host = start(mode);
        await until(
          async () => {
            if (host.exited()) throw new Error(`host ${k} exited before it was killed`);
            if ((await committed()) <= before || inFlight(log) === 0) return false;
            // A foreign host must hold its locks under its other machine's name, or the test proves less than it says.
            const holders = await store.lockHolders();
            return mode === 'local' || holders.some((h) => h.startsWith(`elsewhere-${String(host.child.pid)}:`));
          },
          { what: `host ${k} (${mode}) to commit progress with activities running`, timeoutMs: 120_000, pollMs: 5 },
        );
        host.child.kill('SIGKILL');
        await host.output;
        if (inFlight(log) > 0) midActivity++;
        if ((await withLocalWork()) > 0) leftInRows++;
      }
      // Most kills must land while activities ran and leave local work in instance rows (no work items), or the
      // test proves nothing about recovering it.
      expect(midActivity).toBeGreaterThanOrEqual(KILLS / 2);
      expect(leftInRows).toBeGreaterThanOrEqual(KILLS / 2);
      const last = start('local');
      await until(
        async () =>
          (await store.queryInstances({ runtimeStatus: ['Completed'], pageSize: 1000 })).instances.length === COUNT,
        { what: 'the last host to complete every chain', timeoutMs: 120_000 },
      );
      expect(await last.output).toContain('done');

      const byStep = runs(log);
      let reruns = 0;
      for (let n = 0; n < COUNT; n++) {
        const id = `chain-${n}`;
        const instance = await store.getInstance(id);
        expect(instance?.runtimeStatus, `${id}: ${JSON.stringify(instance?.failureDetails)}`).toBe('Completed');
        expect(JSON.parse(instance?.output ?? 'null')).toBe(expected(n));
        const seen = new Set<number>();
        for (const e of await store.getHistory(id)) {
          if (e.eventType !== 'TaskCompleted') continue;
          expect(seen.has(e.taskScheduledId), `${id} observed task ${e.taskScheduledId} twice`).toBe(false);
          seen.add(e.taskScheduledId);
        }
        expect(seen.size).toBe(STEPS);
        for (let i = 0; i < STEPS; i++) {
          const r = byStep.get(`${id} ${i}`);
          expect(r?.ended ?? 0, `${id} step ${i} never ran to its end`).toBeGreaterThanOrEqual(1);
          if ((r?.started ?? 0) > 1) reruns++;
        }
      }
      // Runs cut short by the kills ran again: the recovery did happen.
      expect(reruns).toBeGreaterThan(0);
      // Nothing is left behind: no work items, and no local work in any row (nothing for the doctor to find).
      expect((await store.backlog?.())?.workItems).toBe(0);
      expect(await store.lockHolders()).toEqual([]);
      expect(await withLocalWork()).toBe(0);
    } finally {
      await store.close();
    }
  }, 600_000);
});
