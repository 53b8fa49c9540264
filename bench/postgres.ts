// The PostgreSQL part of `npm run bench`: W1, W4 and W7 (1, 2 and 4 worker processes) on a Taskhub hub in PostgreSQL,
// and the raw PostgreSQL commit rate (L0, 1 and 8 connections) on the same server in the same run. Each measurement
// runs in a fresh process on a fresh database through bench/compare's child (the same code `npm run bench:compare`
// measures with, so the two never disagree on method); only the repository root's dependencies are needed.
import type { Job } from './compare/src/job.js';
import { runChild } from './compare/src/run-child.js';
import { createDatabase, dropDatabase, startPgServer, type PgServer } from './compare/src/servers.js';
import type { Metric } from './lib/workloads.js';

export const POSTGRES_JOBS: readonly { engine: string; workload: string }[] = [
  { engine: 'postgres-1conn', workload: 'L0' },
  { engine: 'postgres-8conn', workload: 'L0' },
  { engine: 'taskhub-postgres', workload: 'W1' },
  { engine: 'taskhub-postgres', workload: 'W4' },
  { engine: 'taskhub-postgres', workload: 'W7-1' },
  { engine: 'taskhub-postgres', workload: 'W7-2' },
  { engine: 'taskhub-postgres', workload: 'W7-4' },
];

export function startPostgres(): Promise<PgServer> {
  return startPgServer('postgres_bench');
}

/** One run of every PostgreSQL job; a failed check or a crash in any of them fails the benchmark. */
export async function benchPostgres(server: PgServer, run: number, scale: number): Promise<Metric[]> {
  const metrics: Metric[] = [];
  for (const { engine, workload } of POSTGRES_JOBS) {
    const name = `bench_${engine.replace(/-/g, '_')}_${workload.replace('-', '_').toLowerCase()}_r${run}`;
    const pgUrl = await createDatabase(server, name);
    try {
      const job: Job = { engine, workload, run, scale, pgUrl, l0Seconds: scale < 1 ? 1 : 3 };
      metrics.push(...(await runChild(job, 900_000)));
    } finally {
      await dropDatabase(server, name);
    }
  }
  return metrics;
}
