// `npm run bench`: Taskhub's own benchmarks, one row set per WORKLOADS name (bench/compare/README.md describes the
// workloads): on SQLite (durability full) L0 (the raw commit rate), W1-W5, W2-async, W6 and W8, each per-step rate
// printed beside L0 of the same run; replay; grpc (W1 and W4 through the official Durable Task SDK over
// `taskhub serve-grpc`, bench/grpc.ts); retention (W1 with and without purging, bench/retention.ts); W9 (an HTTP burst
// into `taskhub start`, on SQLite and PostgreSQL, bench/w9.ts); PG-cost (W1's CPU, statements and round trips per
// activity on PostgreSQL, bench/pg-cost.ts); postgres (L0, W1, W4 and W7 with 1, 2 and 4 worker processes on a
// PostgreSQL server it starts, bench/postgres.ts; `W7` names these rows too). Medians of RUNS runs (default 3) with
// their range. A full run writes bench/results/latest.json as [{ engine, workload, metric, value, unit }]; a run with
// WORKLOADS or BENCH_SCALE set writes bench/results/smoke.json instead. Every knob is checked before anything runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { install, onInterrupt } from './lib/interrupt.js';
import { benchScale, nameList, positiveInt } from './lib/knobs.js';
import { benchL0Sqlite } from './l0-sqlite.js';
import { openBenchHub } from './lib/hub.js';
import { round, summarize } from './lib/stats.js';
import { w1, w2, w3, w4, w5, warmup, type Metric } from './lib/workloads.js';
import { benchPostgres, startPostgres } from './postgres.js';
import { benchGrpc } from './grpc.js';
import { benchReplay } from './replay.js';
import { benchW8 } from './w8.js';
import { benchRetention } from './retention.js';
import { benchW9 } from './w9.js';
import { benchPgCost, printStatements, type PgCostResult } from './pg-cost.js';
import { createDatabase, dropDatabase } from './compare/src/servers.js';

if (process.env.BENCH_OTEL) (await import('./otel.js')).registerBenchSdk();

/** The names WORKLOADS takes, in the order the rows run. */
const WORKLOAD_NAMES = [
  'L0',
  'W1',
  'W2',
  'W3',
  'W4',
  'W5',
  'W2-async',
  'W8',
  'retention',
  'replay',
  'grpc',
  'W9',
  'PG-cost',
  'postgres',
  'W6',
] as const;
const RUNS = positiveInt('RUNS', 3);
const SCALE = benchScale(1);
// W7 is the name of the PostgreSQL scale-out rows in the docs; they run with the rest of `postgres`.
const ONLY = nameList('WORKLOADS', WORKLOAD_NAMES, { W7: 'postgres' });
// Ctrl-C from here on stops what the run started (the PostgreSQL server's own 'exit' handler included).
install();
const ENGINE = 'taskhub-sqlite';
const scaled = (n: number): number => Math.max(1, Math.round(n * SCALE));
const wanted = (w: string): boolean => !ONLY || ONLY.includes(w);

const samples = new Map<string, { metric: Metric; values: number[] }>();
function record(metrics: readonly Metric[]): void {
  for (const m of metrics) {
    const key = `${m.engine}|${m.workload}|${m.metric}`;
    const entry = samples.get(key) ?? { metric: m, values: [] };
    entry.values.push(m.value);
    samples.set(key, entry);
  }
}

const workloads: [string, (tag: string, client: Parameters<typeof w1>[1]) => Promise<Metric[]>][] = [
  ['W1', (tag, c) => w1(ENGINE, c, tag, scaled(2000))],
  ['W2', (tag, c) => w2(ENGINE, c, tag, scaled(1000))],
  ['W3', (tag, c) => w3(ENGINE, c, tag, scaled(2000))],
  ['W4', (tag, c) => w4(ENGINE, c, tag, scaled(200))],
  ['W5', (tag, c) => w5(ENGINE, c, tag, scaled(1000))],
];

const pg = wanted('postgres') || wanted('W9') ? await startPostgres() : undefined;
if (pg) onInterrupt(() => pg.stop());
let pgCost: PgCostResult | undefined;
for (let run = 1; run <= RUNS; run++) {
  if (wanted('L0')) {
    const seconds = SCALE < 1 ? 1 : 3;
    record([
      {
        engine: 'sqlite-full',
        workload: 'L0',
        metric: 'commits_per_s',
        value: round(await benchL0Sqlite('full', seconds)),
        unit: '1/s',
      },
      {
        engine: 'sqlite-normal',
        workload: 'L0',
        metric: 'commits_per_s',
        value: round(await benchL0Sqlite('normal', seconds)),
        unit: '1/s',
      },
    ]);
  }
  for (const [name, fn] of workloads) {
    if (!wanted(name)) continue;
    const hub = await openBenchHub();
    try {
      await warmup(hub.client, `r${run}`);
      record(await fn(`r${run}`, hub.client));
    } finally {
      await hub.dispose();
    }
  }
  if (wanted('W2-async')) {
    // Its own process: an async orchestrator enables AsyncLocalStorage process-wide (bench/lib/async-chain.ts).
    const script = join(import.meta.dirname, 'lib/async-chain.ts');
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, String(scaled(1000)), ENGINE], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    record(JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as Metric[]);
  }
  if (wanted('W8')) record(await benchW8({ signals: scaled(10_000), entities: scaled(1000) }));
  if (wanted('retention')) record(await benchRetention(scaled(100_000), scaled(2000)));
  if (wanted('replay')) record(await benchReplay());
  if (wanted('grpc')) record(await benchGrpc(`r${run}`, scaled(500), scaled(200)));
  if (wanted('W9')) {
    record((await benchW9({ engine: ENGINE, starts: scaled(20_000), tag: `r${run}` })).metrics);
    if (pg) {
      const pgUrl = await createDatabase(pg, `bench_w9_r${run}`);
      record((await benchW9({ engine: 'taskhub-postgres', starts: scaled(20_000), tag: `r${run}`, pgUrl })).metrics);
      await dropDatabase(pg, `bench_w9_r${run}`);
    }
  }
  if (wanted('PG-cost')) {
    pgCost = await benchPgCost(scaled(2000));
    record(pgCost.metrics);
  }
  if (pg && wanted('postgres')) {
    try {
      record(await benchPostgres(pg, run, SCALE));
    } catch (err) {
      await pg.stop();
      throw err;
    }
  }
  process.stderr.write(`run ${run}/${RUNS} done\n`);
}
await pg?.stop();

if (wanted('W6')) {
  const count = scaled(100_000);
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'w6.ts'), String(count)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const w6 = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    startSeconds: number;
    rssMb: number;
    idleCpuPercent: number;
  };
  record([
    { engine: ENGINE, workload: 'W6', metric: 'rss_mb', value: w6.rssMb, unit: 'MB' },
    { engine: ENGINE, workload: 'W6', metric: 'idle_cpu_percent', value: w6.idleCpuPercent, unit: '%' },
    { engine: ENGINE, workload: 'W6', metric: 'start_seconds', value: w6.startSeconds, unit: 's' },
  ]);
}

const results: Metric[] = [];
const l0Of = (engine: string): number => {
  const l0 = samples.get(`${engine}|L0|commits_per_s`);
  return l0 ? summarize(l0.values).median : NaN;
};
// Throughputs beside the raw commit rate of their own store: SQLite FULL, and PostgreSQL from 8 connections (the
// Taskhub hub's pool, like that L0 loop, commits from several connections at once).
const baseline = { sqlite: 'sqlite-full', postgres: 'postgres-8conn' };
/** Per-step rates of workloads that commit each step as L0 commits: the only rows where "vs L0" means something. */
const perStep = (m: Metric): boolean =>
  ['W1', 'W2', 'W2-async', 'W5'].includes(m.workload) &&
  ['activities_per_s', 'steps_per_s', 'events_per_s'].includes(m.metric);
const rows: string[][] = [['engine', 'workload', 'metric', 'median', 'range', 'runs', 'vs L0 of its store']];
for (const { metric, values } of samples.values()) {
  const s = summarize(values);
  results.push({ ...metric, value: s.median });
  const perSecond = perStep(metric);
  const l0Median = l0Of(metric.engine.includes('postgres') ? baseline.postgres : baseline.sqlite);
  rows.push([
    metric.engine,
    metric.workload,
    metric.metric,
    String(s.median),
    values.length > 1 ? `${s.min}..${s.max}` : '',
    String(values.length),
    perSecond && Number.isFinite(l0Median)
      ? `${round(s.median / l0Median, 2)}x ${metric.engine.includes('postgres') ? baseline.postgres : baseline.sqlite}`
      : '',
  ]);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ') + '\n');
if (pgCost) printStatements(pgCost);
if (SCALE !== 1) process.stdout.write(`(BENCH_SCALE=${SCALE}: smoke run, not comparable)\n`);

if (results.length === 0) {
  process.stderr.write('nothing was measured; bench/results left as they were\n');
  process.exit(1);
}
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, SCALE === 1 && !ONLY ? 'latest.json' : 'smoke.json'), JSON.stringify(results, null, 2) + '\n');
