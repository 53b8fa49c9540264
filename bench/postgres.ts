// The PostgreSQL part of `npm run bench`: W1, W4 and W7 (1, 2 and 4 worker processes) on a Taskhub hub in PostgreSQL,
// and the raw PostgreSQL commit rate (L0, 1 and 8 connections) on the same server in the same run. Each measurement
// runs in a fresh process on a fresh database through bench/compare's child (the same code `npm run bench:compare`
// measures with, so the two never disagree on method); only the repository root's dependencies are needed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Job } from './compare/src/child.js';
import { createDatabase, dropDatabase, startPgServer, type PgServer } from './compare/src/servers.js';
import type { Metric } from './lib/workloads.js';

const CHILD = join(import.meta.dirname, 'compare', 'src', 'child.ts');

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
      metrics.push(...(await runChild(job)));
    } finally {
      await dropDatabase(server, name);
    }
  }
  return metrics;
}

function runChild(job: Job): Promise<Metric[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) return resolve(JSON.parse(line.slice(7)) as Metric[]);
      const tail = (err + out).trim().split('\n').slice(-25).join('\n');
      reject(new Error(`${job.engine} ${job.workload}: exit ${code ?? signal}\n${tail}`));
    });
  });
}
