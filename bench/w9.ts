// W9, an HTTP burst into `taskhub start`: a real `taskhub start` child process serves a small app folder (one
// 3-activity chain, no HTTP functions of its own, so the host's built-in starter takes the requests), and 64
// keep-alive HTTP clients POST /api/orchestrators/HelloChain/{id} as fast as they are answered, 20,000 starts in all.
//
// Method (load-independent where it can be):
// - a start's time is when its client sent the request (wall clock, this process); the burst lasts from the first
//   send to the last 202;
// - an instance's completion time is its row's last_updated_time, read from the store after the run: the completing
//   commit stamps it (ms) just before its transaction, so it is at most that commit's duration early. The HTTP
//   status gives lastUpdatedTime at second precision only, and polling 20,000 instances would load the machine;
// - starts_per_s = starts / burst seconds; completions_per_s_during_burst = instances whose completion time falls in
//   the burst / burst seconds; p50_ms / p99_ms over (completion time - send time) of every instance;
//   last_completion_s from the first send to the last instance's completion time (what pacing the starts costs in
//   total throughput, if anything).
// Every output is checked; a lost or duplicated step fails the run.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Metric } from './lib/workloads.js';
import { onInterrupt } from './lib/interrupt.js';
import { positiveIntArg } from './lib/knobs.js';
import { assertEqual, percentile, pool, round } from './lib/stats.js';
import { treeCpuSeconds } from './pg-cost.js';

// W9_ROOT: the checkout whose `taskhub start` is measured (an A/B against another worktree); default this one.
const ROOT = process.env.W9_ROOT ?? join(import.meta.dirname, '..');
const HUB = 'BurstHub';
const HELLO = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];

const APP = `const df = require('durable-functions');
df.app.activity('SayHello', { handler: (name) => 'Hello ' + name + '!' });
df.app.orchestration('HelloChain', function* (context) {
  const out = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) out.push(yield context.df.callActivity('SayHello', city));
  return out;
});
`;

export interface W9Options {
  readonly engine: 'taskhub-sqlite' | 'taskhub-postgres';
  readonly starts: number;
  readonly concurrency?: number;
  /** A fresh, empty database for taskhub-postgres. */
  readonly pgUrl?: string;
  readonly tag?: string;
}

export interface W9Result {
  readonly metrics: Metric[];
  /** The burst and the drain after it, for a printout. */
  readonly detail: {
    burstSeconds: number;
    drainSeconds: number;
    completedInBurst: number;
    /** CPU per instance from the burst's start to the end of the drain: `taskhub start` with its language worker. */
    hostCpuUsPerInstance?: number;
    /** The same for the PostgreSQL server (postmaster and its children). */
    serverCpuUsPerInstance?: number;
  };
}

interface Host {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startHost(appDir: string, store: string): Promise<Host> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const storeArgs = store.startsWith('postgres') ? ['--store', store, '--hub', HUB] : ['--store', `sqlite:${store}`];
  const child = spawn(
    process.execPath,
    ['--import', tsx, join(ROOT, 'src/cli/main.ts'), 'start', appDir, '--port', '0', ...storeArgs],
    { cwd: ROOT, env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`taskhub start did not come up:\n${output}`)), 60_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      const m = /Management API: (http:\/\/[^/\s]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`taskhub start exited:\n${output}`)));
  });
  return {
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export function post(agent: http.Agent, url: string, body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-length': String(Buffer.byteLength(body)), 'content-type': 'application/json' };
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function getJson(agent: http.Agent, url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

interface Row {
  instance_id: string;
  runtime_status: string;
  output: string | null;
  last_updated_time: string;
}

async function readRows(store: string, prefix: string): Promise<Row[]> {
  const sql = (t: string, p: string) =>
    `SELECT instance_id, runtime_status, output, last_updated_time FROM ${t} WHERE instance_id LIKE ${p}`;
  if (store.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: store });
    await client.connect();
    try {
      return (await client.query<Row>(sql(`taskhub_${HUB.toLowerCase()}.instances`, '$1'), [`${prefix}%`])).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(store, { readonly: true });
  try {
    return db.prepare(sql('instances', '?')).all(`${prefix}%`) as Row[];
  } finally {
    db.close();
  }
}

/**
 * The burst: `starts` calls of start(i) from `concurrency` clients, each sending its next start when its last was
 * answered; every answer must be 202. Returns each start's send time and the burst's first send and last answer.
 */
export async function httpBurst(
  starts: number,
  concurrency: number,
  start: (i: number) => Promise<number>,
): Promise<{ sent: number[]; t0: number; burstEnd: number }> {
  const sent = new Array<number>(starts);
  const t0 = Date.now();
  let burstEnd = t0;
  await pool(starts, concurrency, async (i) => {
    sent[i] = Date.now();
    const status = await start(i);
    if (status !== 202) throw new Error(`start ${i} answered ${status}`);
    burstEnd = Date.now();
  });
  return { sent, t0, burstEnd };
}

/** W9's metrics from each start's send time and completion time (ms since the epoch, same clock). */
export function burstMetrics(
  engine: string,
  sent: readonly number[],
  finished: readonly number[],
  t0: number,
  burstEnd: number,
): W9Result {
  const latencies = finished.map((f, i) => f - sent[i]!).sort((a, b) => a - b);
  const completedInBurst = finished.filter((f) => f <= burstEnd).length;
  const burstSeconds = (burstEnd - t0) / 1000;
  const m = (metric: string, value: number, unit: string): Metric => ({ engine, workload: 'W9', metric, value, unit });
  return {
    metrics: [
      m('starts_per_s', round(sent.length / burstSeconds), '1/s'),
      m('completions_per_s_during_burst', round(completedInBurst / burstSeconds), '1/s'),
      m('p50_ms', round(percentile(latencies, 50)), 'ms'),
      m('p99_ms', round(percentile(latencies, 99)), 'ms'),
      m('last_completion_s', round((finished.reduce((a, b) => Math.max(a, b), t0) - t0) / 1000), 's'),
    ],
    detail: { burstSeconds, drainSeconds: NaN, completedInBurst },
  };
}

/** One W9 measurement on a fresh hub (a fresh SQLite file, or the given fresh PostgreSQL database). */
export async function benchW9(options: W9Options): Promise<W9Result> {
  const { engine, starts } = options;
  const concurrency = options.concurrency ?? 64;
  const tag = options.tag ?? 'w9';
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-w9-'));
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  const appDir = join(dir, 'app');
  mkdirSync(appDir);
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'w9', main: 'index.js', type: 'commonjs' }));
  writeFileSync(join(appDir, 'host.json'), JSON.stringify({ version: '2.0' }));
  writeFileSync(join(appDir, 'index.js'), APP);
  const store = engine === 'taskhub-postgres' ? required(options.pgUrl) : join(dir, 'hub.db');
  const host = await startHost(appDir, store);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const startUrl = (id: string): string => `${host.url}/api/orchestrators/HelloChain/${id}`;
    const running = async (): Promise<number> => {
      const list = (await getJson(
        agent,
        `${host.url}/runtime/webhooks/durabletask/instances?runtimeStatus=Pending,Running&top=1&showInput=false`,
      )) as unknown[];
      return list.length;
    };
    const drain = async (): Promise<void> => {
      // A bench, not a test: polling the management API until nothing is pending or running.
      while ((await running()) > 0) await new Promise((r) => setTimeout(r, 50));
    };
    // Untimed warm-up: JIT, connections, caches of the host and the worker.
    await pool(200, concurrency, async (i) => {
      const status = await post(agent, startUrl(`${tag}-warm-${i}`));
      if (status !== 202) throw new Error(`warm-up start answered ${status}`);
    });
    await drain();

    const postmaster = store.startsWith('postgres') ? await postmasterPid(store) : undefined;
    const cpu0 = [treeCpuSeconds(host.pid), postmaster ? treeCpuSeconds(postmaster) : 0];
    const { sent, t0, burstEnd } = await httpBurst(starts, concurrency, (i) => post(agent, startUrl(`${tag}-${i}`)));
    await drain();
    const drainEnd = Date.now();
    const perInstance = (seconds: number): number => round((seconds * 1e6) / starts, 0);
    const hostCpu = perInstance(treeCpuSeconds(host.pid) - cpu0[0]!);
    const serverCpu = postmaster ? perInstance(treeCpuSeconds(postmaster) - cpu0[1]!) : undefined;

    const rows = await readRows(store, `${tag}-`);
    const done = new Map(rows.filter((r) => !r.instance_id.includes('-warm-')).map((r) => [r.instance_id, r]));
    if (done.size !== starts) throw new Error(`W9: ${done.size} instances stored, ${starts} started`);
    const finished = Array.from({ length: starts }, (_, i) => {
      const row = done.get(`${tag}-${i}`);
      if (row?.runtime_status !== 'Completed') throw new Error(`W9 instance ${i} ended ${row?.runtime_status}`);
      assertEqual(JSON.parse(row.output ?? 'null'), HELLO, `W9 instance ${i}`);
      return Date.parse(row.last_updated_time);
    });
    const result = burstMetrics(engine, sent, finished, t0, burstEnd);
    return {
      ...result,
      detail: {
        ...result.detail,
        drainSeconds: (drainEnd - burstEnd) / 1000,
        hostCpuUsPerInstance: hostCpu,
        ...(serverCpu === undefined ? {} : { serverCpuUsPerInstance: serverCpu }),
      },
    };
  } finally {
    agent.destroy();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
    forget();
  }
}

/** The PostgreSQL server's postmaster, from its data directory (the server runs on this machine). */
async function postmasterPid(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ d: string }>(`SELECT current_setting('data_directory') AS d`);
    return Number(readFileSync(join(rows[0]!.d, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } finally {
    await client.end();
  }
}

function required(value: string | undefined): string {
  if (value === undefined) throw new Error('taskhub-postgres needs a PostgreSQL connection string');
  return value;
}

// `node --import tsx bench/w9.ts [starts] [postgres-url]`: one measurement, printed.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const starts = positiveIntArg('starts', process.argv[2], 20_000);
  const pgUrl = process.argv[3];
  const result = await benchW9({
    engine: pgUrl ? 'taskhub-postgres' : 'taskhub-sqlite',
    starts,
    ...(pgUrl ? { pgUrl } : {}),
  });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
