// `npm run bench:compare`: Taskhub (SQLite, PostgreSQL) side by side with DBOS Transact and Restate on W1-W5, W7
// and W9 of ../shared/bench/WORKLOADS.md, plus the raw store limits (L0), all in one run on this machine. Starts and
// stops its own PostgreSQL and restate-server, runs every (workload, engine) in a fresh process, checks every result, and
// writes medians with ranges and Taskhub/peer ratios to stdout, docs/benchmarks.md (+ SVG chart) and
// bench/results/compare.json.
//   RUNS=3 (default)   BENCH_SCALE=1 (default)   --smoke (= RUNS=1 BENCH_SCALE=0.05, short L0)
//   ENGINES / WORKLOADS: comma lists to run a subset (a subset never overwrites the committed results)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import type { Job } from './job.js';
import { runChild } from './run-child.js';
import type { Metric } from './common.js';
import {
  ENGINES,
  L0_ENGINES,
  flatResults,
  fmt,
  key,
  l0Table,
  mainTable,
  ratioChart,
  targetTable,
  w7Table,
  type Report,
  type Samples,
} from './report.js';
import {
  createDatabase,
  dropDatabase,
  packageVersion,
  pgSettings,
  restateBinary,
  startPgServer,
  startRestate,
  type PgServer,
  type RestateServer,
} from './servers.js';

const SMOKE = process.argv.includes('--smoke');
const RUNS = Number(process.env.RUNS ?? (SMOKE ? 1 : 3));
const SCALE = Number(process.env.BENCH_SCALE ?? (SMOKE ? 0.05 : 1));
const L0_SECONDS = Number(process.env.L0_SECONDS ?? (SCALE < 1 ? 1 : 5));
const COOLDOWN_MS = Number(process.env.COOLDOWN_MS ?? (SCALE < 1 ? 300 : 1500));
const ONLY_ENGINES = process.env.ENGINES?.split(/[ ,]+/).filter(Boolean);
const ONLY_WORKLOADS = process.env.WORKLOADS?.split(/[ ,]+/).filter(Boolean);
const CHILD_TIMEOUT_MS = SCALE < 1 ? 180_000 : 900_000;
const FULL = SCALE === 1 && !ONLY_ENGINES && !ONLY_WORKLOADS;

const HERE = import.meta.dirname;
const ROOT = resolve(HERE, '../../..');
const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W9'];
/** Engines that have no way to run a workload, and why (shown in its cells). */
const NOT_APPLICABLE: Record<string, string> = { 'dbos|W9': 'no HTTP ingress' };
const W7 = ['W7-1', 'W7-2', 'W7-4'];
const wantEngine = (e: string): boolean => !ONLY_ENGINES || ONLY_ENGINES.includes(e);
const wantWorkload = (w: string): boolean =>
  !ONLY_WORKLOADS || ONLY_WORKLOADS.includes(w) || (w.startsWith('W7') && ONLY_WORKLOADS.includes('W7'));

const samples: Samples = new Map();
const units = new Map<string, string>();
const notes = new Map<string, string>();
const failures: string[] = [];

/** Busy share of the whole machine while the harness itself is idle: other people's load on the shared machine. */
const foreignBusy: number[] = [];
const foreignMedian = (): number => [...foreignBusy].sort((a, b) => a - b)[Math.floor(foreignBusy.length / 2)] ?? 0;
function cpuTimes(): { busy: number; total: number } {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}
async function cooldown(): Promise<void> {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, COOLDOWN_MS));
  const b = cpuTimes();
  if (b.total > a.total) foreignBusy.push((100 * (b.busy - a.busy)) / (b.total - a.total));
}

function record(metrics: readonly Metric[]): void {
  for (const m of metrics) {
    const k = key(m.engine, m.workload, m.metric);
    if (!Number.isFinite(m.value)) throw new Error(`${k}: not a number`);
    samples.set(k, [...(samples.get(k) ?? []), m.value]);
    units.set(k, m.unit);
  }
}

async function measure(job: Job, setup?: () => Promise<{ job: Job; cleanup(): Promise<void> }>): Promise<void> {
  const label = `${job.engine} ${job.workload} run ${job.run}`;
  await cooldown();
  const t0 = Date.now();
  let prepared: { job: Job; cleanup(): Promise<void> } | undefined;
  try {
    prepared = setup ? await setup() : { job, cleanup: () => Promise.resolve() };
    const metrics = await runChild(prepared.job, CHILD_TIMEOUT_MS);
    record(metrics);
    const shown = metrics.map((m) => `${m.metric}=${fmt(m.value)}`).join(' ');
    process.stderr.write(`${label}: ${shown} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  } catch (err) {
    failures.push(`${label}: ${String(err)}`);
    notes.set(`${job.engine}|${job.workload}`, 'FAILED');
    process.stderr.write(`${label}: FAILED\n${String(err)}\n`);
  } finally {
    await prepared?.cleanup().catch((e: unknown) => process.stderr.write(`cleanup of ${label}: ${String(e)}\n`));
  }
}

function withDatabase(pg: PgServer, job: Job, name: string) {
  return async () => {
    const pgUrl = await createDatabase(pg, name);
    return { job: { ...job, pgUrl }, cleanup: () => dropDatabase(pg, name) };
  };
}

/** DBOS creates and migrates its own system database; it only gets a name that no earlier run used. */
function dbosDatabase(pg: PgServer, job: Job, name: string) {
  return async () => {
    await dropDatabase(pg, name);
    const pgUrl = pg.connectionString.replace(/\/[^/]*$/, `/${name}`);
    return { job: { ...job, pgUrl }, cleanup: () => dropDatabase(pg, name) };
  };
}

function withRestate(job: Job) {
  return async () => {
    const server: RestateServer = await startRestate();
    return {
      job: { ...job, ingressUrl: server.ingressUrl, adminUrl: server.adminUrl },
      cleanup: () => server.stop(),
    };
  };
}

function machineFacts(settings: Record<string, string>): [string, string][] {
  let sqlite = '?';
  try {
    sqlite = execFileSync(
      process.execPath,
      ['-e', "console.log(new (require('better-sqlite3'))(':memory:').prepare('select sqlite_version() v').get().v)"],
      { cwd: ROOT, encoding: 'utf8' },
    ).trim();
  } catch {
    // reported as unknown
  }
  const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  // TASKHUB_COMMIT names the commit when the harness runs from an exported copy of it (no .git there).
  let commit = process.env.TASKHUB_COMMIT ?? '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
  } catch {
    // not a git checkout
  }
  let dirty = false;
  try {
    dirty =
      execFileSync('git', ['status', '--porcelain', 'src'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }) !== '';
  } catch {
    // not a git checkout: an exported commit, clean by construction
  }
  const cpus = os.cpus();
  return [
    ['date (UTC)', new Date().toISOString().replace(/\.\d+Z$/, 'Z')],
    ['CPU', `${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'})`],
    ['memory', `${Math.round(os.totalmem() / 2 ** 20).toLocaleString('en-US')} MiB`],
    ['OS', `${os.type()} ${os.release()}`],
    ['Node', process.version],
    ['Taskhub', `${rootPkg.version}, sources of commit ${commit}${dirty ? ' plus uncommitted changes in src/' : ''}`],
    ['SQLite', `${sqlite} (better-sqlite3 ${packageVersionAt(ROOT, 'better-sqlite3')}), WAL, synchronous=FULL`],
    [
      'PostgreSQL',
      `${settings.server_version ?? '?'}, fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit}, wal_sync_method=${settings.wal_sync_method}, full_page_writes=${settings.full_page_writes}`,
    ],
    ['DBOS Transact', `@dbos-inc/dbos-sdk ${packageVersion('@dbos-inc/dbos-sdk')}`],
    [
      'Restate',
      `${execFileSync(restateBinary(), ['--version'], { encoding: 'utf8' }).trim()}, @restatedev/restate-sdk ${packageVersion('@restatedev/restate-sdk')}, @restatedev/restate-sdk-clients ${packageVersion('@restatedev/restate-sdk-clients')}`,
    ],
    ['pg (node driver)', `${packageVersion('pg')} (peers and L0), ${packageVersionAt(ROOT, 'pg')} (Taskhub)`],
  ];
}

function packageVersionAt(dir: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const load0 = os.loadavg()[0] ?? 0;
  const pg = await startPgServer('postgres_bench');
  process.stderr.write(`PostgreSQL on ${pg.connectionString}\n`);
  let facts: [string, string][] = [];
  try {
    facts = machineFacts(await pgSettings(pg));
    for (let run = 1; run <= RUNS; run++) {
      const base = { run, scale: SCALE };
      if (wantWorkload('L0')) {
        for (const engine of L0_ENGINES) {
          const job: Job = { ...base, engine, workload: 'L0', l0Seconds: L0_SECONDS };
          await measure(job, engine.startsWith('postgres') ? withDatabase(pg, job, `l0_r${run}`) : undefined);
        }
      }
      // Engines interleaved within each workload, so slow drifts of the shared machine hit them alike.
      for (const workload of WORKLOADS) {
        if (!wantWorkload(workload)) continue;
        for (const engine of ENGINES) {
          if (!wantEngine(engine)) continue;
          const na = NOT_APPLICABLE[`${engine}|${workload}`];
          if (na) {
            notes.set(`${engine}|${workload}`, na);
            continue;
          }
          const job: Job = { ...base, engine, workload };
          const db = `${engine.replace('-', '_')}_${workload.toLowerCase()}_r${run}`;
          const setup =
            engine === 'taskhub-postgres'
              ? withDatabase(pg, job, db)
              : engine === 'dbos'
                ? dbosDatabase(pg, job, db)
                : engine === 'restate'
                  ? withRestate(job)
                  : undefined;
          await measure(job, setup);
        }
      }
      if (wantEngine('taskhub-postgres')) {
        for (const workload of W7) {
          if (!wantWorkload(workload)) continue;
          const job: Job = { ...base, engine: 'taskhub-postgres', workload };
          await measure(job, withDatabase(pg, job, `w7_${workload.slice(3)}_r${run}`));
        }
      }
      process.stderr.write(`run ${run}/${RUNS} done\n`);
    }
  } finally {
    await pg.stop();
  }
  const report: Report = { samples, notes, runs: RUNS, scale: SCALE };
  const minutes = (Date.now() - started) / 60_000;
  const load1 = os.loadavg()[0] ?? 0;
  const foreign = summarizeForeign();
  const tables = [
    '## Engines',
    '',
    "Cells: **median** (min–max) of the runs. Ratio columns: how many times better Taskhub is than the peer on that row (> 1× = Taskhub leads; for times and latencies the peer's value divided by Taskhub's).",
    '',
    mainTable(report),
    '',
    '## W7: scale-out on one PostgreSQL hub',
    '',
    'W1 (2,000 hello chains, 64 in flight) with the client in one process and 1, 2 or 4 Taskhub worker processes sharing the hub.',
    '',
    w7Table(report),
    '',
    '## L0: raw store limits, no engine',
    '',
    l0Table(report),
    '',
    '## Targets of issue 6',
    '',
    targetTable(report),
  ].join('\n');
  process.stdout.write(`\n${tables}\n\n`);
  process.stdout.write(`foreign CPU load while the harness was idle: ${foreign}\n`);

  const resultsDir = join(ROOT, 'bench', 'results');
  const flat = flatResults(report, units);
  const title = `Taskhub vs DBOS and Restate (${RUNS} run${RUNS === 1 ? '' : 's'}${SCALE === 1 ? '' : `, BENCH_SCALE=${SCALE}`})`;
  if (FULL) {
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'compare.json'), JSON.stringify(flat, null, 2) + '\n');
    writeFileSync(join(ROOT, 'docs', 'benchmarks.svg'), ratioChart(report, title));
    writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), page(tables, facts, { minutes, load0, load1, foreign }));
    process.stderr.write('wrote docs/benchmarks.md, docs/benchmarks.svg, bench/results/compare.json\n');
  } else {
    // Smoke and partial runs never overwrite the committed numbers, nor leave files in the checkout; they still
    // exercise every writer.
    const dir = join(os.tmpdir(), 'taskhub-compare-smoke');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'compare.json'), JSON.stringify(flat, null, 2) + '\n');
    writeFileSync(join(dir, 'benchmarks.svg'), ratioChart(report, title));
    writeFileSync(join(dir, 'benchmarks.md'), page(tables, facts, { minutes, load0, load1, foreign }));
    process.stderr.write(`(BENCH_SCALE=${SCALE}, subset or smoke run, not comparable: wrote ${dir}/)\n`);
  }
  if (failures.length > 0) {
    process.stderr.write(`\n${failures.length} measurement(s) FAILED:\n${failures.join('\n\n')}\n`);
    process.exitCode = 1;
  }
}

function everyRun(): string {
  return [...samples]
    .map(([k, values]) => `| ${k.split('|').join(' | ')} | ${values.map(fmt).join(' / ')} |`)
    .join('\n');
}

function summarizeForeign(): string {
  if (foreignBusy.length === 0) return 'not sampled';
  const s = [...foreignBusy].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(0)} % of the machine, median ${(s[Math.floor(s.length / 2)] ?? 0).toFixed(0)} %, max ${(s.at(-1) ?? 0).toFixed(0)} % (${s.length} samples of ${COOLDOWN_MS} ms between measurements)`;
}

function page(
  tables: string,
  facts: [string, string][],
  run: { minutes: number; load0: number; load1: number; foreign: string },
): string {
  return `# Benchmarks: Taskhub side by side with DBOS Transact and Restate

Generated by \`npm run bench:compare\` (bench/compare/); do not edit by hand. Workloads are W1-W8 as each row names them (defined in
\`bench/compare/src/common.ts\`); every engine ran them in this one run, on this machine, with default durability
(SQLite WAL \`synchronous=FULL\`; PostgreSQL \`fsync=on\`, \`synchronous_commit=on\`; Restate's RocksDB WAL with fsync).
${RUNS} run${RUNS === 1 ? '' : 's'} of each workload${SCALE === 1 ? '' : ` at BENCH_SCALE=${SCALE} (smoke run: not comparable)`}; runs interleave the engines. Every output,
count and sum was checked; a run that lost or duplicated work would have failed instead of giving a number.

${
  foreignMedian() > 20
    ? `\n**This run shared the machine with other work**: while the harness itself was idle between measurements, other
processes kept ${foreignMedian().toFixed(0)} % of the CPU busy (median; see "Machine"). Absolute numbers are lower and noisier than on a quiet
machine; compare engines by the ratios, which come from measurements interleaved under the same background.\n`
    : ''
}
![Taskhub/peer ratios](benchmarks.svg)

${tables}

The cost of one step of Taskhub on PostgreSQL (CPU of the worker and of the server, statements, round trips and WAL
per activity) is the \`PG-cost\` row of \`npm run bench\` (bench/pg-cost.ts); [scale-out.md](scale-out.md) gives it
with the projection it supports.

<details><summary>Every run</summary>

| engine | workload | metric | runs in order |
|---|---|---|---|
${everyRun()}

</details>

## How each engine runs

- **taskhub-sqlite**: client and worker in one Node process (the embedding API), a fresh SQLite file per run, durability full.
- **taskhub-postgres**: the same, on a fresh database of the shared PostgreSQL 15 server.
- **dbos**: \`@dbos-inc/dbos-sdk\` in one Node process (its normal model), steps checkpointed into a fresh system database on the same server; defaults except the log level.
- **restate**: a fresh \`restate-server\` (from \`@restatedev/restate-server\`, data in a temp dir) per run, a Node service endpoint process and the client driver process, loopback only; default server configuration. Steps are \`ctx.run\`; W5 uses the workflow's durable promises resolved by a shared handler.
- W5 on DBOS uses \`DBOS.send\` / \`DBOS.recv\`.
- **W9** (HTTP burst: 20,000 starts from 64 keep-alive HTTP clients, 3-activity chains): each engine's own HTTP ingress. Taskhub: a \`taskhub start\` child process on an app folder (its built-in starter, \`POST /api/orchestrators/HelloChain/{id}\`), on a fresh SQLite file or a fresh PostgreSQL database; Restate: restate-server's ingress, \`POST /HelloChain/{id}/run/send\`. Latency runs from the moment the client sent the start to the completion time the engine stored (Taskhub: the instance row's \`last_updated_time\`; Restate: \`sys_invocation.completed_at\`), both ms on this machine's clock; completions/s during the burst counts instances completed before the last start was answered. DBOS Transact has no HTTP server of its own (an app brings Express or the like), so it has no W9 row.
- **W7**: the client in one process with no dispatcher, and 1, 2 or 4 worker processes on one fresh PostgreSQL hub. Workers tell the client over IPC that an instance finished (standing in for a completion notice; the client then reads the output from the database), so the client's poll interval does not cap the result.
- Each measurement is a fresh process with an untimed warm-up (50 hello chains, one of each other shape); PostgreSQL is one server for the whole run.

## Machine

| | |
|---|---|
${facts.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}
| run time | ${run.minutes.toFixed(1)} min |
| load average (1 min) at start / end | ${run.load0.toFixed(2)} / ${run.load1.toFixed(2)} |
| CPU used by others while the harness idled | ${run.foreign} |

Client, engine and database share the same cores, as in the peers' own measurements. Other engineers' tests ran on
this machine at the same time whenever the last row shows load: that skews absolute numbers; ratios within one run are
what matters, and the engines were interleaved so they met the same background.
`;
}

await main();
