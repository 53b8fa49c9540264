// Store outages on a real PostgreSQL: restarted twice (`pg_ctl restart -m fast`) under a `taskhub start` host and two
// `taskhub worker` processes while 200 chains are started over HTTP; and a worker started while the database is down.
// Every process must survive, every accepted instance complete exactly once with the right output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { startHost, type RunningHost } from '../e2e/host.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { chainOutput, STEPS } from './chain-output.js';
import { logEvents, startChain, startWorker, until, type RunningWorker } from './outage-helpers.js';

const APP = 'test/outage/chain-app.ts';
const CHAINS = 200;

let server: PgServer;
beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** Instances of `ids` completed, from the store; checks output and that each completed exactly once. */
async function completed(store: PostgresStore, prefix: string): Promise<Map<string, string | undefined>> {
  const done = new Map<string, string | undefined>();
  let continuationToken: string | undefined;
  do {
    const page = await store.queryInstances({
      instanceIdPrefix: prefix,
      runtimeStatus: ['Completed'],
      pageSize: 1000,
      continuationToken,
    });
    for (const i of page.instances) done.set(i.instanceId, i.output);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return done;
}

async function expectCompletedOnce(store: PostgresStore, id: string, input: number): Promise<void> {
  const history = await store.getHistory(id);
  const ends = history.filter((e) => e.eventType === 'ExecutionCompleted');
  expect(ends, id).toHaveLength(1);
  const results = history.filter((e) => e.eventType === 'TaskCompleted');
  expect(results, id).toHaveLength(STEPS);
  const record = await store.getInstance(id);
  expect(JSON.parse(record?.output ?? 'null'), id).toBe(chainOutput(input));
}

describe('PostgreSQL outages', () => {
  it('a host and two workers survive two fast restarts; every accepted chain completes once', async () => {
    const hub = 'RestartHub';
    const pgArgs = ['--store', server.connectionString, '--hub', hub];
    const store = openPostgresStore({ connectionString: server.connectionString, hubName: hub });
    let host: RunningHost | undefined;
    const workers: RunningWorker[] = [];
    try {
      host = await startHost(APP, { args: pgArgs, env: { TASKHUB_LOG_LEVEL: 'info' } });
      workers.push(
        startWorker(APP, [...pgArgs, '--lease-ms', '3000']),
        startWorker(APP, [...pgArgs, '--lease-ms', '3000']),
      );
      await until(() => workers.every((w) => w.output().includes('no HTTP')), 'both workers to start');
      const url = host.url;
      const accepted = new Set<string>();
      const answers: (number | 'refused')[] = [];
      let next = 0;
      // Eight clients start the chains one after another; the restarts happen while they do.
      const clients = Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < CHAINS) {
            const n = next++;
            const outcome = await startChain(url, `chain-${n}`, n);
            answers.push(...outcome.answers);
            if (outcome.accepted) accepted.add(`chain-${n}`);
          }
        }),
      );
      const log = (): string =>
        `host:\n${host?.output() ?? ''}\nworkers:\n${workers.map((w) => w.output()).join('\n')}`;
      await until(() => accepted.size >= 40, '40 accepted starts', 120_000, log);
      await server.restart();
      await until(() => accepted.size >= 120, '120 accepted starts', 120_000, log);
      await until(async () => (await completed(store, 'chain-')).size >= 20, 'some chains to complete', 120_000, log);
      await server.restart();
      await clients;
      expect(accepted.size).toBe(CHAINS);
      expect(answers.filter((a) => a !== 202 && a !== 503 && a !== 409 && a !== 'refused')).toEqual([]);

      await until(
        async () => (await completed(store, 'chain-')).size >= CHAINS,
        'every chain to complete',
        180_000,
        log,
      );
      for (let n = 0; n < CHAINS; n++) await expectCompletedOnce(store, `chain-${n}`, n);

      // Every process is still the one that was started.
      expect(host.child.exitCode).toBeNull();
      for (const w of workers) expect(w.child.exitCode).toBeNull();
      // The host, busy with starts throughout, logged the outages and their ends. Every process logs an outage once
      // at most (not once per failed call), and only if it called the store while it lasted: an idle worker between
      // two polls may not see a fast restart at all.
      expect(logEvents(host.output(), 'store.unavailable')).toBeGreaterThanOrEqual(1);
      // An outage ends a second after writes succeed again with no failure since: wait for that line, not for time.
      await until(() => logEvents(host?.output() ?? '', 'store.recovered') >= 1, 'the host to log a recovery');
      for (const output of [host.output(), ...workers.map((w) => w.output())]) {
        expect(logEvents(output, 'store.unavailable')).toBeLessThanOrEqual(4);
        expect(output).not.toContain('"level":50');
      }
    } finally {
      for (const w of workers) expect(await w.stop()).toBe(0);
      if (host) expect(await host.stop()).toBe(0);
      await store.close();
    }
  }, 600_000);

  it('a worker started while the database is down waits for it, then works', async () => {
    const hub = 'WaitHub';
    const store = openPostgresStore({ connectionString: server.connectionString, hubName: hub });
    await server.halt();
    let worker: RunningWorker | undefined;
    try {
      worker = startWorker(APP, ['--store', server.connectionString, '--hub', hub], { TASKHUB_LOG_LEVEL: 'info' });
      const w = worker;
      await until(
        () => w.output().includes('waiting for the store'),
        'the worker to wait for the store',
        60_000,
        () => w.output(),
      );
      expect(w.child.exitCode).toBeNull();
      expect(w.output()).not.toContain('no HTTP');
      await server.start();
      await until(
        () => w.output().includes('no HTTP'),
        'the worker to start once the store is up',
        60_000,
        () => w.output(),
      );
      expect(logEvents(w.output(), 'store.waiting')).toBe(1);
      await store.migrate();
      for (let n = 0; n < 5; n++) {
        const id = `wait-${n}`;
        const executionId = `${id}-e1`;
        await store.createInstance({
          instanceId: id,
          executionId,
          name: 'Chain',
          input: JSON.stringify(n),
          startEvent: {
            eventType: 'ExecutionStarted',
            eventId: -1,
            timestamp: new Date().toISOString(),
            name: 'Chain',
            instanceId: id,
            executionId,
            input: JSON.stringify(n),
          },
        });
      }
      await until(
        async () => (await completed(store, 'wait-')).size >= 5,
        'the worker to run the chains',
        60_000,
        () => w.output(),
      );
      for (let n = 0; n < 5; n++) await expectCompletedOnce(store, `wait-${n}`, n);
    } finally {
      if (worker) expect(await worker.stop()).toBe(0);
      await store.close();
    }
  }, 300_000);
});
