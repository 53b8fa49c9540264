// Scale-out on PostgreSQL: 3 worker processes share one task hub with 500 instances of a 10-step chain; one worker
// is SIGKILLed mid-run twice and started again. Every instance completes with the right output, and no history holds
// a completion twice (activities run at least once, orchestrators observe each result exactly once).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/history.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { randomBetween, until } from '../until.js';

const COUNT = 500;
const STEPS = 10;
const HUB = 'ScaleOut';

let server: PgServer;
let store: PostgresStore;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  server = await startPgServer();
  store = openPostgresStore({ connectionString: server.connectionString, hubName: HUB });
  await store.migrate();
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await store?.close();
  await server?.stop();
});

function startWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'chain-worker.ts'), server.connectionString, HUB, String(STEPS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${String(code)} before it was ready`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function expected(n: number): number {
  let acc = n;
  for (let i = 0; i < STEPS; i++) acc = (acc * 31 + i) % 1_000_000_007;
  return acc;
}

async function completedCount(): Promise<number> {
  const { rows } = await store.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${store.schema}.instances WHERE runtime_status = 'Completed'`,
  );
  return rows[0]?.n ?? 0;
}

describe('scale-out on PostgreSQL', () => {
  it(`3 workers, ${COUNT} chains of ${STEPS} steps, one worker killed twice: all complete once`, async () => {
    const workers = await Promise.all([startWorker(), startWorker(), startWorker()]);
    const started = Date.now();
    // Started together (the store batches them), so every worker finds a backlog.
    await Promise.all(
      Array.from({ length: COUNT }, (_, n) =>
        store.createInstance({
          instanceId: `chain-${n}`,
          executionId: `chain-${n}-1`,
          name: 'Chain',
          input: String(n),
          startEvent: {
            eventType: 'ExecutionStarted',
            eventId: -1,
            timestamp: new Date().toISOString(),
            name: 'Chain',
            instanceId: `chain-${n}`,
            executionId: `chain-${n}-1`,
            input: String(n),
          },
        }),
      ),
    );
    const progress: string[] = [];
    const heldAtKill: number[] = [];
    const [w0, w1, w2] = workers;
    let victim = w0;
    for (const [fromPercent, restart] of [
      [5, 'at once'],
      [25, 'after takeover'],
    ] as const) {
      // A random point past evidence of progress: a share of all instances completed, and the victim holding work
      // (a worker keeps an instance from claim to completion when its activities run locally, so a restarted worker
      // only holds something once it has claimed new instances).
      const threshold = Math.ceil((COUNT * randomBetween(fromPercent, fromPercent + 10)) / 100);
      const holds = async (): Promise<boolean> =>
        (await store.lockHolders()).some((h) => h.includes(`:${String(victim.pid)}:`));
      let seen = { completed: 0, holders: [] as string[] };
      // The SIGKILL is sent in the same turn as the read that saw the victim holding work: any await in between lets
      // a fast worker finish what it held first.
      let killed: Promise<void> | undefined;
      await until(
        async () => {
          seen = { completed: await completedCount(), holders: await store.lockHolders() };
          const ready = seen.completed >= threshold && seen.holders.some((h) => h.includes(`:${String(victim.pid)}:`));
          if (ready) killed = kill(victim);
          return ready;
        },
        { what: `${threshold} completed and worker ${String(victim.pid)} holding work`, timeoutMs: 120_000 },
      ).catch((err: unknown) => {
        // Say what was seen last, so a failure on a loaded machine tells stalled progress from an idle victim.
        const holders = [...new Set(seen.holders.map((h) => h.split(':').slice(0, 3).join(':')))].join(', ');
        throw new Error(
          `${(err as Error).message}; last seen: ${seen.completed} completed, holders ${holders || 'none'}`,
        );
      });
      const done = seen.completed;
      await killed;
      // Read after the kill: a dead worker's locks stay until their 2 s lease expires or a worker starts on this
      // host, so this is what it held when it died (a read before the kill races its last completion).
      const held = (await holds()) ? 1 : 0;
      heldAtKill.push(held);
      progress.push(`killed at ${done} completed${held ? ' holding locks' : ''}, ${Date.now() - started} ms`);
      // First restarted at once (a worker on the same host frees a dead process's locks when it starts), then only
      // once the other workers have taken over all it held, by lease expiry.
      if (restart === 'after takeover') {
        await until(async () => !(await holds()), { what: 'the other workers to take over', timeoutMs: 60_000 });
      }
      victim = await startWorker();
    }
    await until(async () => (await completedCount()) >= COUNT, { what: `all ${COUNT} completed`, timeoutMs: 180_000 });
    const elapsed = Date.now() - started;
    process.stderr.write(`scale-out: ${progress.join('; ')}; all ${COUNT} done in ${elapsed} ms\n`);

    let token: string | undefined;
    let checked = 0;
    do {
      const page = await store.queryInstances({ pageSize: 200, ...(token ? { continuationToken: token } : {}) });
      for (const instance of page.instances) {
        const n = Number(instance.instanceId.slice('chain-'.length));
        expect(instance.runtimeStatus).toBe('Completed');
        expect(JSON.parse(instance.output ?? 'null')).toBe(expected(n));
        const history: HistoryEvent[] = await store.getHistory(instance.instanceId);
        const completions = history.flatMap((e) => (e.eventType === 'TaskCompleted' ? [e.taskScheduledId] : []));
        expect(new Set(completions).size).toBe(completions.length);
        expect(completions).toHaveLength(STEPS);
        checked++;
      }
      token = page.continuationToken;
    } while (token);
    expect(checked).toBe(COUNT);
    // The kills land mid-work (killed in the turn that saw it hold locks); at least one held them when it died.
    expect(
      heldAtKill.some((n) => n > 0),
      progress.join('; '),
    ).toBe(true);
    for (const w of [victim, w1, w2]) await kill(w);
  }, 300_000);
});
