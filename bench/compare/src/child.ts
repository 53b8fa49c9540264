// One measurement in a fresh process (as the peers' own harness does): JIT state, caches, pools and DBOS's process-wide
// singleton never carry over from one engine or run to the next. Prints one line `RESULT <json Metric[]>`.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TaskHubClient } from '../../../src/client/durable-client.js';
import { CompletionWaiter } from '../../../src/client/completion-waiter.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import { install } from '../../lib/interrupt.js';
import {
  SPEC,
  assertEqual,
  HELLO,
  pool,
  round,
  scaled,
  w1,
  w2,
  w3,
  w4,
  w5,
  warmup,
  type Adapter,
  type Metric,
} from './common.js';
import { openTaskhub, required, taskhubAdapter } from './engines/taskhub.js';
import type { Job } from './job.js';
import { l0Postgres, l0Sqlite } from './l0.js';

async function openEngine(job: Job): Promise<{ adapter: Adapter; close(): Promise<void> }> {
  switch (job.engine) {
    case 'taskhub-sqlite':
    case 'taskhub-postgres':
      return openTaskhub(job.engine, job.pgUrl);
    case 'dbos': {
      // imported only here: DBOS registers its workflows in a process-wide registry when its module loads
      const { openDbos } = await import('./engines/dbos.js');
      return openDbos(required(job.pgUrl));
    }
    case 'restate': {
      const { restateAdapter } = await import('./engines/restate.js');
      if (!job.ingressUrl) throw new Error('restate needs an ingress URL');
      return { adapter: restateAdapter(job.ingressUrl), close: () => Promise.resolve() };
    }
    default:
      throw new Error(`unknown engine ${job.engine}`);
  }
}

async function measure(job: Job): Promise<Metric[]> {
  const { engine, workload, scale } = job;
  if (workload === 'L0') {
    const seconds = job.l0Seconds ?? 5;
    const m = (e: string, v: number): Metric => ({
      engine: e,
      workload: 'L0',
      metric: 'commits_per_s',
      value: round(v),
      unit: '1/s',
    });
    if (engine === 'sqlite-full') return [m(engine, l0Sqlite('FULL', seconds))];
    if (engine === 'sqlite-normal') return [m(engine, l0Sqlite('NORMAL', seconds))];
    if (engine === 'postgres-1conn') return [m(engine, await l0Postgres(required(job.pgUrl), 1, seconds))];
    if (engine === 'postgres-8conn') return [m(engine, await l0Postgres(required(job.pgUrl), 8, seconds))];
    throw new Error(`unknown L0 engine ${engine}`);
  }
  if (workload.startsWith('W7-')) return w7(job, Number(workload.slice(3)));
  const tag = `r${job.run}`;
  if (workload === 'W9') return w9(job, tag);
  if (workload === 'PG-cost') return pgCost(scaled(SPEC.W1, scale));
  const { adapter, close } = await openEngine(job);
  try {
    await warmup(adapter, tag);
    switch (workload) {
      case 'W1':
        return await w1(engine, adapter, tag, scaled(SPEC.W1, scale));
      case 'W2':
        return await w2(engine, adapter, tag, scaled(SPEC.W2, scale));
      case 'W3':
        return await w3(engine, adapter, tag, scaled(SPEC.W3, scale));
      case 'W4':
        return await w4(engine, adapter, tag, scaled(SPEC.W4, scale));
      case 'W5':
        return await w5(engine, adapter, tag, scaled(SPEC.W5, scale));
      default:
        throw new Error(`unknown workload ${workload}`);
    }
  } finally {
    await close();
  }
}

/**
 * W7: W1 against one PostgreSQL hub served by `workers` worker processes; the client (this process) runs no
 * dispatcher. Completion notices arrive over IPC from whichever worker finished the instance; the output the check
 * reads still comes from the database.
 */
async function w7(job: Job, workers: number): Promise<Metric[]> {
  const connectionString = required(job.pgUrl);
  const store = openPostgresStore({ connectionString, hubName: 'Bench' });
  await store.migrate();
  const waiter = new CompletionWaiter();
  const client = new TaskHubClient({ store, waitHub: waiter });
  const children: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: workers }, () => {
        const child = fork(join(import.meta.dirname, 'w7-worker.ts'), [connectionString], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          child.on('message', (m: { ready?: boolean; finished?: string }) => {
            if (m.ready) resolve();
            if (m.finished !== undefined) waiter.notifyCompleted(m.finished);
          });
          child.once('exit', (code) => reject(new Error(`W7 worker exited with ${code}`)));
        });
      }),
    );
    const adapter = taskhubAdapter(client);
    const tag = `r${job.run}`;
    await pool(50, 4, async (i) => assertEqual(await adapter.helloChain(`${tag}-warm-${i}`), HELLO, 'W7 warm-up'));
    return await w1('taskhub-postgres', adapter, tag, scaled(SPEC.W1, job.scale), `W7-${workers}`);
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.removeAllListeners('exit');
            const force = setTimeout(() => c.kill('SIGKILL'), 15_000);
            c.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            c.send({ stop: true });
          }),
      ),
    );
    await store.close();
  }
}

/**
 * W9: an HTTP burst into the engine's own HTTP ingress: a `taskhub start` child process (../../w9.ts), or
 * restate-server's ingress (w9-restate.ts). DBOS Transact has no HTTP server of its own, so it has no W9.
 */
async function w9(job: Job, tag: string): Promise<Metric[]> {
  const starts = scaled(SPEC.W9, job.scale);
  if (job.engine === 'restate') {
    const { restateW9 } = await import('./w9-restate.js');
    if (!job.ingressUrl || !job.adminUrl) throw new Error('restate needs its ingress and admin URLs');
    return restateW9(job.ingressUrl, job.adminUrl, tag, starts);
  }
  if (job.engine !== 'taskhub-sqlite' && job.engine !== 'taskhub-postgres') throw new Error(`no W9 for ${job.engine}`);
  const { benchW9 } = await import('../../w9.js');
  const result = await benchW9({ engine: job.engine, starts, tag, ...(job.pgUrl ? { pgUrl: job.pgUrl } : {}) });
  const { hostCpuUsPerInstance: host, serverCpuUsPerInstance: server } = result.detail;
  const cpu = (metric: string, value: number | undefined): Metric[] =>
    value === undefined ? [] : [{ engine: job.engine, workload: 'W9', metric, value, unit: 'us' }];
  return [...result.metrics, ...cpu('host_cpu_us_per_instance', host), ...cpu('server_cpu_us_per_instance', server)];
}

/**
 * PG-cost: the root's per-step cost of W1 on PostgreSQL (../../pg-cost.ts), on a private server of its own:
 * pg_stat_statements must be preloaded at server start, and the shared server's other measurements should not carry
 * it; the server's CPU is read from its whole process tree, which only this run may use. Adds the rows written per
 * activity (inserts, updates and deletes over the hub's tables) to its metrics.
 */
async function pgCost(instances: number): Promise<Metric[]> {
  const { benchPgCost } = await import('../../pg-cost.js');
  const result = await benchPgCost(instances);
  const rows = result.tables.reduce((sum, t) => sum + t.inserts + t.updates + t.deletes, 0);
  const hot = result.tables.reduce((sum, t) => sum + t.hotUpdates, 0);
  const m = (metric: string, value: number): Metric => ({
    engine: 'taskhub-postgres',
    workload: 'PG-cost',
    metric,
    value: round(value, 3),
    unit: '1',
  });
  return [...result.metrics, m('rows_written_per_activity', rows), m('hot_updates_per_activity', hot)];
}

// Ctrl-C reaches this process too: end it with its cleanups (PG-cost's private server, temp dirs), not without.
install();
const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const metrics = await measure(job);
process.stdout.write(`RESULT ${JSON.stringify(metrics)}\n`);
// DBOS and pg may leave timers behind after shutdown; the result is out, so end the process now.
process.exit(0);
