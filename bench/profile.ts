// `npx tsx bench/profile.ts W1|W2|W4 [label]`: one workload on a fresh SQLite hub (durability full) with counts that do
// not depend on the machine's load (SQL statements, JSON passes, commits and episodes per step) and a CPU profile of
// the measured part only, summarised by self time per function and per file. For where the time goes, not speed.
// Writes profile-<workload>-<label>.{txt,cpuprofile} and flame-<workload>-<label>.svg: into bench/results/ when a
// label is given (letters, digits, `-`, `_`; name what the profile is of, such as `before`/`after` of a change, and
// commit only the ones a change cites), else into $TMPDIR/taskhub-profile/ so trial runs do not litter the checkout.
import Database from 'better-sqlite3';
import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBenchHub } from './lib/hub.js';
import { flameGraphSvg } from './lib/flame-graph.js';
import { summarizeProfile, type CpuProfile } from './lib/profile-summary.js';
import { usageError } from './lib/knobs.js';
import { w1, w2, w4, warmup } from './lib/workloads.js';

const STEPS: Record<string, number> = { W1: 6000, W2: 1000, W4: 200 };
const workload = (process.argv[2] ?? 'W1').toUpperCase();
if (!(workload in STEPS))
  usageError(`unknown workload ${process.argv[2]}: bench/profile.ts profiles ${Object.keys(STEPS).join(', ')}.`);
const label = process.argv[3];
if (label !== undefined && !/^[A-Za-z0-9_-]+$/.test(label))
  usageError(`label ${label}: use letters, digits, '-' and '_' only (it becomes part of file names).`);
// COUNTS=0: no counting wrappers around statements and JSON (they cost time of their own in the profile).
const wrap = process.env.COUNTS !== '0';

// Count statement executions by SQL text: every Statement the store prepares is wrapped.
const sqlCounts = new Map<string, number>();
let counting = false;
type Prepare = (this: Database.Database, sql: string) => Database.Statement;
const proto = Database.prototype as unknown as { prepare: Prepare };
const prepare = proto.prepare;
if (wrap)
  proto.prepare = function (this: Database.Database, sql: string) {
    const stmt = prepare.call(this, sql);
    const key = sql.replace(/\s+/g, ' ').slice(0, 90);
    for (const method of ['run', 'get', 'all', 'iterate'] as const) {
      const original = stmt[method].bind(stmt) as (...args: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (counting) sqlCounts.set(key, (sqlCounts.get(key) ?? 0) + 1);
        return original(...args);
      };
    }
    return stmt;
  };

const jsonCounts = { parse: 0, stringify: 0, parseBytes: 0, stringifyBytes: 0 };
const { parse, stringify } = JSON;
if (wrap)
  JSON.parse = ((text: string, reviver?: (k: string, v: unknown) => unknown) => {
    if (counting) {
      jsonCounts.parse++;
      jsonCounts.parseBytes += text.length;
    }
    return parse(text, reviver) as unknown;
  }) as typeof JSON.parse;
if (wrap)
  JSON.stringify = ((value: unknown, replacer?: never, space?: string | number) => {
    const out = stringify(value, replacer, space);
    if (counting) {
      jsonCounts.stringify++;
      jsonCounts.stringifyBytes += out?.length ?? 0;
    }
    return out;
  }) as typeof JSON.stringify;

// DURABILITY=normal: no fsync, so the profile shows the CPU work alone (never for throughput figures).
const hub = await openBenchHub({ durability: process.env.DURABILITY === 'normal' ? 'normal' : 'full' });
const worker = hub.worker!;
await warmup(hub.client, 'p');
const steps = STEPS[workload] ?? 1;
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
const commits0 = worker.committer.commits;
const items0 = worker.committer.items;
const cpu0 = process.cpuUsage();
counting = true;
await session.post('Profiler.start');
const t0 = performance.now();
const metrics =
  workload === 'W1'
    ? await w1('profile', hub.client, 'p', 2000)
    : workload === 'W2'
      ? await w2('profile', hub.client, 'p', 1000)
      : await w4('profile', hub.client, 'p', 200);
const wall = performance.now() - t0;
const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
counting = false;
const cpu = process.cpuUsage(cpu0);
const commits = worker.committer.commits - commits0;
const items = worker.committer.items - items0;
await hub.dispose();

const per = (n: number): string => (n / steps).toFixed(2);
const lines: string[] = [];
lines.push(
  `# ${workload} (${label ?? 'unlabelled'}), durability ${process.env.DURABILITY ?? 'full'}, ${steps} activities, load ${(await import('node:os')).loadavg()[0]?.toFixed(2)}`,
);
lines.push(`metrics: ${metrics.map((m) => `${m.metric}=${m.value}`).join(' ')}`);
lines.push(
  `wall ${wall.toFixed(0)} ms; process CPU user ${(cpu.user / 1000).toFixed(0)} ms + system ${(cpu.system / 1000).toFixed(0)} ms`,
);
lines.push(`CPU per activity: ${((cpu.user + cpu.system) / steps).toFixed(1)} µs`);
lines.push(
  `group commits ${commits} (${per(commits)} per activity), items ${items} (${(items / Math.max(1, commits)).toFixed(1)} per commit)`,
);
const totalSql = [...sqlCounts.values()].reduce((a, b) => a + b, 0);
lines.push(`SQL statements ${totalSql} (${per(totalSql)} per activity):`);
for (const [sql, n] of [...sqlCounts].sort((a, b) => b[1] - a[1])) lines.push(`  ${per(n).padStart(7)}  ${sql}`);
lines.push(
  `JSON.parse ${per(jsonCounts.parse)} per activity (${per(jsonCounts.parseBytes)} chars), ` +
    `JSON.stringify ${per(jsonCounts.stringify)} per activity (${per(jsonCounts.stringifyBytes)} chars)`,
);
lines.push('');
lines.push(summarizeProfile(profile, 30));
const dir = label ? join(import.meta.dirname, 'results') : join(tmpdir(), 'taskhub-profile');
const name = label ?? 'now';
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `profile-${workload}-${name}.txt`), lines.join('\n') + '\n');
writeFileSync(join(dir, `profile-${workload}-${name}.cpuprofile`), stringify(profile));
writeFileSync(join(dir, `flame-${workload}-${name}.svg`), flameGraphSvg(profile, lines[0]!.slice(2)));
process.stdout.write(lines.join('\n') + '\n');
process.stdout.write(
  `wrote ${join(dir, `profile-${workload}-${name}.txt`)}, .cpuprofile and flame-${workload}-${name}.svg\n`,
);
