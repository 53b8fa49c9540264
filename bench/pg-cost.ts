// The per-step cost of Taskhub on PostgreSQL (issue 18): W1 (hello chains, 64 in flight) on a private PostgreSQL 15
// server, and what each activity costs
// - CPU of the worker process (this process: client and worker in one, as W1 runs; process.cpuUsage),
// - CPU of the PostgreSQL server (utime + stime from /proc/<pid>/stat of the postmaster and every one of its
//   children: backends, WAL writer, checkpointer ...; backends that exit during the run are not counted, and the
//   hub's pool keeps its connections for the whole run),
// - statements the server executed (pg_stat_statements, loaded for this server only: top-level statements, BEGIN and
//   COMMIT included), and round trips (client side: every pg Client.query call),
// - WAL bytes and records written (pg_stat_statements.wal_bytes, wal_records), and row writes per table
//   (pg_stat_user_tables).
// One machine cannot show W7 growing with workers; these costs are what tells how far a bigger machine goes.
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { openTaskHub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { startPgServer } from '../test/store/pg-server.js';
import { benchRegistry } from './lib/hub.js';
import { install } from './lib/interrupt.js';
import { positiveIntArg } from './lib/knobs.js';
import { round } from './lib/stats.js';
import { w1, warmup, type Metric } from './lib/workloads.js';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) of a process and every process whose parent it is. */
export function treeCpuSeconds(rootPid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces) start at state; ppid is next, utime and stime 11 and 12.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    if (pid !== rootPid && Number(fields[1]) !== rootPid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS;
}

interface StatementRow {
  query: string;
  calls: string;
  total_exec_time: number;
  wal_bytes: string;
  wal_records: string;
}

interface TableRow {
  relname: string;
  ins: string;
  upd: string;
  hot: string;
  del: string;
}

export interface PgCostResult {
  readonly metrics: Metric[];
  /** The statements by calls, per activity. */
  readonly statements: { calls: number; execMs: number; walBytes: number; query: string }[];
  /** Row writes per table, per activity. */
  readonly tables: { table: string; inserts: number; updates: number; hotUpdates: number; deletes: number }[];
}

/** W1 with `instances` hello chains on a fresh private server; returns the per-activity costs. */
export async function benchPgCost(instances = 2000): Promise<PgCostResult> {
  const server = await startPgServer('pgcost');
  try {
    const admin = new pg.Client({ connectionString: server.connectionString });
    await admin.connect();
    await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await admin.end();
    await server.restart();
    const stats = new pg.Client({ connectionString: server.connectionString });
    await stats.connect();
    try {
      await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      const { rows } = await stats.query<{ d: string }>(`SELECT current_setting('data_directory') AS d`);
      const postmaster = Number(readFileSync(join(rows[0]!.d, 'postmaster.pid'), 'utf8').split('\n')[0]);

      // Round trips: every query a pg Client sends (the hub's pool and its LISTEN connection).
      let roundTrips = 0;
      const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
      const query = proto.query;
      proto.query = function (this: unknown, ...args: unknown[]) {
        roundTrips++;
        return query.apply(this, args);
      };
      const open = async (hubName: string) => {
        const hub = await openTaskHub({
          store: openPostgresStore({ connectionString: server.connectionString, hubName }),
          registry: benchRegistry(),
          logger: createLogger({ level: 'silent' }),
        });
        await hub.start();
        return hub;
      };
      try {
        // Warm-up on another hub (schema), so the measured hub's table statistics hold the measured run only.
        const warm = await open('Warm');
        await warmup(warm.client, 'cost');
        await warm.close();
        const hub = await open('Cost');
        let measured: Metric[];
        let trips: number;
        let cpu: NodeJS.CpuUsage;
        let serverSeconds: number;
        try {
          await stats.query('SELECT pg_stat_statements_reset()');
          const trips0 = roundTrips;
          const cpu0 = process.cpuUsage();
          const server0 = treeCpuSeconds(postmaster);
          measured = await w1('taskhub-postgres', hub.client, 'cost', instances);
          serverSeconds = treeCpuSeconds(postmaster) - server0;
          cpu = process.cpuUsage(cpu0);
          trips = roundTrips - trips0;
        } finally {
          // Its backends exit and flush their table statistics.
          await hub.close();
        }
        const { rows: statements } = await stats.query<StatementRow>(
          `SELECT query, calls::text AS calls, total_exec_time, wal_bytes::text AS wal_bytes,
             wal_records::text AS wal_records FROM pg_stat_statements
           WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND query NOT LIKE '%pg_stat_statements%' AND query ~ 'taskhub_cost|^(BEGIN|COMMIT|ROLLBACK)'
           ORDER BY pg_stat_statements.calls DESC`,
        );
        const { rows: tables } = await stats.query<TableRow>(
          `SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_hot_upd::text AS hot,
             n_tup_del::text AS del FROM pg_stat_user_tables WHERE schemaname = 'taskhub_cost' ORDER BY relname`,
        );
        const activities = instances * 3;
        const per = (n: number | string, digits = 3): number => round(Number(n) / activities, digits);
        const calls = statements.reduce((sum, s) => sum + Number(s.calls), 0);
        const wal = statements.reduce((sum, s) => sum + Number(s.wal_bytes), 0);
        const walRecords = statements.reduce((sum, s) => sum + Number(s.wal_records), 0);
        const m = (metric: string, value: number, unit: string): Metric => ({
          engine: 'taskhub-postgres',
          workload: 'PG-cost',
          metric,
          value,
          unit,
        });
        return {
          metrics: [
            ...measured.filter((x) => x.metric === 'activities_per_s').map((x) => ({ ...x, workload: 'PG-cost' })),
            m('worker_cpu_us_per_activity', per(cpu.user + cpu.system, 1), 'us'),
            m('server_cpu_us_per_activity', per(serverSeconds * 1e6, 1), 'us'),
            m('statements_per_activity', per(calls), '1'),
            m('round_trips_per_activity', per(trips), '1'),
            m('wal_bytes_per_activity', per(wal, 0), 'B'),
            m('wal_records_per_activity', per(walRecords, 1), '1'),
          ],
          statements: statements.slice(0, 12).map((s) => ({
            calls: per(s.calls),
            execMs: per(s.total_exec_time, 4),
            walBytes: per(s.wal_bytes, 0),
            query: s.query.replace(/\s+/g, ' ').slice(0, 100),
          })),
          tables: tables.map((t) => ({
            table: t.relname,
            inserts: per(t.ins),
            updates: per(t.upd),
            hotUpdates: per(t.hot),
            deletes: per(t.del),
          })),
        };
      } finally {
        proto.query = query;
      }
    } finally {
      await stats.end();
    }
  } finally {
    await server.stop();
  }
}

/** The tables `npm run bench` and the standalone run print. */
export function printStatements(result: PgCostResult): void {
  const out = (line: string): boolean => process.stdout.write(line + '\n');
  out('PG-cost: per activity, statements (pg_stat_statements) most called first: calls, execution ms, WAL bytes');
  for (const s of result.statements) {
    out(
      `  ${String(s.calls).padStart(7)}  ${String(s.execMs).padStart(7)}  ${String(s.walBytes).padStart(6)}  ${s.query}`,
    );
  }
  out('PG-cost: row writes per activity: table, inserts, updates (HOT), deletes');
  for (const t of result.tables) {
    out(`  ${t.table.padEnd(16)} ${t.inserts}  ${t.updates} (${t.hotUpdates})  ${t.deletes}`);
  }
}

// `node --import tsx bench/pg-cost.ts [instances]`: one measurement, printed.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  install(); // Ctrl-C stops the private server (its 'exit' handler) instead of leaving it running
  const result = await benchPgCost(positiveIntArg('instances', process.argv[2], 2000));
  for (const m of result.metrics) process.stdout.write(`${m.metric} ${m.value} ${m.unit}\n`);
  printStatements(result);
}
