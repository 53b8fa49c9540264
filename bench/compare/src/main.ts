// `npm run bench:compare`: Taskhub (SQLite, PostgreSQL) side by side with DBOS Transact and Restate on W1-W5, W7
// and W9 (../README.md describes them), plus the raw store limits (L0) and Taskhub's per-step cost on PostgreSQL
// (PG-cost), all in one run on this machine. Starts and stops its own PostgreSQL and restate-server, runs every
// (workload, engine) in a fresh process, checks every result, and writes medians with ranges and Taskhub/peer ratios to
// stdout, docs/benchmarks.md (+ SVG chart), the README's figures paragraph and bench/results/compare.json.
//   RUNS=3 (default)   BENCH_SCALE=1 (default)   --smoke (= RUNS=1 BENCH_SCALE=0.05, short L0)
//   ENGINES / WORKLOADS: comma lists to run a subset (a subset never overwrites the committed results)
//   Every knob is checked before anything starts (a wrong one exits 1 naming the valid values); only a full run in
//   which every measurement succeeded writes the committed files, any other run writes to the temp dir.
//   --report [file]: run nothing; rewrite the page, chart and README figures from saved results (default the committed
//   bench/results/compare.json, which rewrites the committed files; any other file writes to the temp dir)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { install, onInterrupt } from '../../lib/interrupt.js';
import { benchScale, nameList, numberAtLeast, positiveInt } from '../../lib/knobs.js';
import type { Job } from './job.js';
import { runChild } from './run-child.js';
import type { Metric } from './common.js';
import { ENGINES, L0_ENGINES, NOT_APPLICABLE, PEERS, fmt, key, ratioChart, type Samples } from './report.js';
import { foreignSummary, page, tables } from './page.js';
import { figures, spliceFigures } from './readme.js';
import { fromJson, toJson, type RunRecord } from './results.js';
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
const REPORT_ONLY = process.argv.includes('--report');
const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W9'];
const W7 = ['W7-1', 'W7-2', 'W7-4'];
const WORKLOAD_NAMES = ['L0', ...WORKLOADS, 'W7', ...W7, 'PG-cost'];
// Checked before anything starts (not for --report, which runs nothing).
const RUNS = REPORT_ONLY ? 0 : positiveInt('RUNS', SMOKE ? 1 : 3);
const SCALE = REPORT_ONLY ? 1 : benchScale(SMOKE ? 0.05 : 1);
const L0_SECONDS = numberAtLeast('L0_SECONDS', 0.1, SCALE < 1 ? 1 : 5);
const COOLDOWN_MS = numberAtLeast('COOLDOWN_MS', 0, SCALE < 1 ? 300 : 1500);
const ONLY_ENGINES = REPORT_ONLY ? undefined : nameList('ENGINES', ENGINES);
const ONLY_WORKLOADS = REPORT_ONLY ? undefined : nameList('WORKLOADS', WORKLOAD_NAMES);
const CHILD_TIMEOUT_MS = SCALE < 1 ? 180_000 : 900_000;
/** A full run; it writes the committed files only if it also measured everything without a failure. */
const FULL = SCALE === 1 && !ONLY_ENGINES && !ONLY_WORKLOADS;

const HERE = import.meta.dirname;
const ROOT = resolve(HERE, '../../..');
const RESULTS = join(ROOT, 'bench', 'results', 'compare.json');
/** Where smoke, partial and rewritten-from-elsewhere reports go, so they never touch the committed files. */
const SCRATCH = join(os.tmpdir(), 'taskhub-compare-smoke');
const wantEngine = (e: string): boolean => !ONLY_ENGINES || ONLY_ENGINES.includes(e);
const wantWorkload = (w: string): boolean =>
  !ONLY_WORKLOADS || ONLY_WORKLOADS.includes(w) || (w.startsWith('W7') && ONLY_WORKLOADS.includes('W7'));

const samples: Samples = new Map();
const units = new Map<string, string>();
const notes = new Map<string, string>();
const failures: string[] = [];
/** Failed measurements of a peer (DBOS, Restate) in a smoke run: reported, but they do not fail the smoke. */
const peerFailures: string[] = [];
const PEER_ENGINES: ReadonlySet<string> = new Set(PEERS);

/** Busy share of the whole machine while the harness itself is idle: other people's load on the shared machine. */
const foreignBusy: number[] = [];
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
    // A smoke run (CI's) guards Taskhub and this harness; a peer that stalls once under load is not Taskhub's fault,
    // so it is reported loudly but does not fail the smoke. A full run needs every measurement, peers' included.
    (!FULL && PEER_ENGINES.has(job.engine) ? peerFailures : failures).push(`${label}: ${String(err)}`);
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
  // Ctrl-C from here on stops PostgreSQL and any restate-server of this run and removes their data dirs.
  install();
  const pg = await startPgServer('postgres_bench');
  onInterrupt(() => pg.stop());
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
      if (wantEngine('taskhub-postgres') && wantWorkload('PG-cost')) {
        // Starts a private server of its own (pg_stat_statements is loaded at server start).
        await measure({ ...base, engine: 'taskhub-postgres', workload: 'PG-cost' });
      }
      process.stderr.write(`run ${run}/${RUNS} done\n`);
    }
  } finally {
    await pg.stop();
  }
  const record: RunRecord = {
    samples,
    notes,
    runs: RUNS,
    scale: SCALE,
    units,
    machine: facts,
    minutes: (Date.now() - started) / 60_000,
    load: [load0, os.loadavg()[0] ?? 0],
    foreignBusy,
    cooldownMs: COOLDOWN_MS,
  };
  process.stdout.write(`\n${tables(record)}\n\n`);
  process.stdout.write(`foreign CPU load while the harness was idle: ${foreignSummary(record)}\n`);
  // Smoke, partial and failed runs never overwrite the committed numbers, nor leave files in the checkout; they still
  // exercise every writer.
  const complete = FULL && failures.length === 0 && samples.size > 0;
  if (FULL && !complete)
    process.stderr.write('\nthis full run did not measure everything: the committed results are left as they were\n');
  writeReport(record, complete ? 'committed' : SCRATCH);
  if (samples.size === 0) {
    process.stderr.write('nothing was measured\n');
    process.exitCode = 1;
  }
  if (peerFailures.length > 0) {
    process.stderr.write(
      `\n${peerFailures.length} measurement(s) of a peer FAILED (a smoke run reports these without failing):\n` +
        `${peerFailures.join('\n\n')}\n`,
    );
  }
  if (failures.length > 0) {
    process.stderr.write(`\n${failures.length} measurement(s) FAILED:\n${failures.join('\n\n')}\n`);
    process.exitCode = 1;
  }
}

/**
 * Writes compare.json, docs/benchmarks.md, docs/benchmarks.svg and the README's figures: into the checkout
 * ('committed'), or into `dir` (the README there is a copy of the checkout's with the figures rewritten). The results
 * go first, each file on its own: a writer that fails is reported and costs the run nothing (`npm run report` redoes
 * the rest from compare.json).
 */
function writeReport(r: RunRecord, where: 'committed' | string): void {
  const title = `Taskhub vs DBOS and Restate (${r.runs} run${r.runs === 1 ? '' : 's'}${r.scale === 1 ? '' : `, BENCH_SCALE=${r.scale}`})`;
  const at = (committed: string, scratch: string): string => (where === 'committed' ? committed : join(where, scratch));
  const files: [string, () => string][] = [
    [at(RESULTS, 'compare.json'), () => toJson(r)],
    [at(join(ROOT, 'docs', 'benchmarks.svg'), 'benchmarks.svg'), () => ratioChart(r, title)],
    [at(join(ROOT, 'docs', 'benchmarks.md'), 'benchmarks.md'), () => page(r)],
    [
      at(join(ROOT, 'README.md'), 'README.md'),
      () => spliceFigures(readFileSync(join(ROOT, 'README.md'), 'utf8'), figures(r)),
    ],
  ];
  for (const [file, text] of files) {
    try {
      mkdirSync(resolve(file, '..'), { recursive: true });
      writeFileSync(file, text());
      process.stderr.write(`wrote ${file}\n`);
    } catch (err) {
      process.stderr.write(`could not write ${file}: ${String(err)}\n`);
      process.exitCode = 1;
    }
  }
  if (where !== 'committed')
    process.stderr.write(
      `(BENCH_SCALE=${r.scale}; a subset, smoke, failed or rewritten run: not the committed files)\n`,
    );
}

/** `--report [file]`: the page, chart and README figures again from saved results, running nothing. */
function report(): void {
  const arg = process.argv[process.argv.indexOf('--report') + 1];
  const file = arg && !arg.startsWith('--') ? resolve(process.env.INIT_CWD ?? process.cwd(), arg) : RESULTS;
  const r = fromJson(readFileSync(file, 'utf8'), file);
  // The committed results rewrite the committed files (compare.json itself comes back in the current form).
  writeReport(r, file === RESULTS ? 'committed' : SCRATCH);
}

if (REPORT_ONLY) report();
else await main();
