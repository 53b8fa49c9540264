// The targets of issues 6 and 18, checked against one run's medians: each a row of what was asked, what was measured
// and whether it was met (undefined when this run has no number for it).
import { PEERS, burstShare, fmt, fmtRatio, lowerIsBetter, median, ratio, type Report } from './report.js';

export interface Target {
  readonly what: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

const sq = (r: Report, w: string, m: string): number => median(r, 'taskhub-sqlite', w, m);
const pgm = (r: Report, w: string, m: string): number => median(r, 'taskhub-postgres', w, m);

/** The best peer's median on a row (lowest time, highest rate), NaN when no peer has one. */
function best(r: Report, w: string, m: string): number {
  const peers = PEERS.map((p) => median(r, p, w, m)).filter(Number.isFinite);
  if (peers.length === 0) return NaN;
  return lowerIsBetter(m) ? Math.min(...peers) : Math.max(...peers);
}

const bestRatio = (r: Report, w: string, m: string, v: number): number => ratio(m, v, best(r, w, m));

const known = (...values: number[]): boolean => values.every(Number.isFinite);

/** PostgreSQL W4 p50 ≤ DBOS / 2: in both issues. */
function pgW4(r: Report): Target {
  const p4 = pgm(r, 'W4', 'p50_ms');
  const d4 = median(r, 'dbos', 'W4', 'p50_ms');
  return {
    what: 'PostgreSQL W4 p50 ≤ DBOS / 2',
    measured: `${fmt(p4)} ms vs DBOS ${fmt(d4)} ms`,
    met: known(p4, d4) ? p4 <= d4 / 2 : undefined,
  };
}

/** The targets of issue 6. */
export function targets6(r: Report): Target[] {
  const out: Target[] = [];
  const t = (what: string, value: number, unit: string, goal: (v: number) => boolean, rat?: number): void => {
    const measured = `${fmt(value)} ${unit}${rat === undefined ? '' : `, ${fmtRatio(rat)} the best peer`}`;
    out.push({ what, measured, met: Number.isFinite(value) ? goal(value) : undefined });
  };
  const rb = (w: string, m: string, v: number): number => bestRatio(r, w, m, v);
  const w1 = sq(r, 'W1', 'activities_per_s');
  t(
    'SQLite W1 ≥ 10,000 activities/s (≈15× best peer)',
    w1,
    'activities/s',
    (v) => v >= 10_000,
    rb('W1', 'activities_per_s', w1),
  );
  const w2 = sq(r, 'W2', 'steps_per_s');
  t(
    'SQLite W2 ≥ 1,500 steps/s (≥ 3×)',
    w2,
    'steps/s',
    (v) => v >= 1500 && rb('W2', 'steps_per_s', v) >= 3,
    rb('W2', 'steps_per_s', w2),
  );
  const w3 = sq(r, 'W3', 'seconds');
  t('SQLite W3 ≤ 0.3 s (≥ 15×)', w3, 's', (v) => v <= 0.3 && rb('W3', 'seconds', v) >= 15, rb('W3', 'seconds', w3));
  const w4 = sq(r, 'W4', 'p50_ms');
  t('SQLite W4 p50 ≤ 2 ms (≥ 4×)', w4, 'ms', (v) => v <= 2 && rb('W4', 'p50_ms', v) >= 4, rb('W4', 'p50_ms', w4));
  t('SQLite W5 ≥ 5,000 events/s', sq(r, 'W5', 'events_per_s'), 'events/s', (v) => v >= 5000);
  const p1 = pgm(r, 'W1', 'activities_per_s');
  const d1 = median(r, 'dbos', 'W1', 'activities_per_s');
  t('PostgreSQL W1 ≥ 3× DBOS', p1 / d1, '× DBOS', (v) => v >= 3);
  out.push(pgW4(r));
  const s = [1, 2, 4].map((n) => pgm(r, `W7-${n}`, 'instances_per_s'));
  out.push({
    what: 'PostgreSQL W7 rises from 1 to 2 to 4 workers',
    measured: `${s.map(fmt).join(' → ')} instances/s`,
    met: known(...s) ? (s[0] ?? 0) < (s[1] ?? 0) && (s[1] ?? 0) < (s[2] ?? 0) : undefined,
  });
  return out;
}

/** W9 on one Taskhub store: completions keep pace (≥ 80 % of the start rate during the burst) and p99 ≤ 2 s. */
function w9Target(r: Report, engine: 'taskhub-sqlite' | 'taskhub-postgres', store: string): Target {
  const starts = median(r, engine, 'W9', 'starts_per_s');
  const done = median(r, engine, 'W9', 'completions_per_s_during_burst');
  const p99 = median(r, engine, 'W9', 'p99_ms');
  const share = burstShare(r, engine);
  return {
    what: `${store} W9: completions during the burst ≥ 80 % of the start rate, p99 ≤ 2 s`,
    measured: `${fmt(done)} of ${fmt(starts)} starts/s (${Number.isFinite(share) ? share.toFixed(0) : '–'} %), p99 ${fmt(p99 / 1000)} s`,
    met: known(share, p99) ? share >= 80 && p99 <= 2000 : undefined,
  };
}

/** The targets of issue 18 (each a ratio or a bound in the same run). */
export function targets18(r: Report): Target[] {
  const w1 = sq(r, 'W1', 'activities_per_s');
  const w1Best = bestRatio(r, 'W1', 'activities_per_s', w1);
  const w2 = sq(r, 'W2', 'steps_per_s');
  const l0 = median(r, 'sqlite-full', 'L0', 'commits_per_s');
  const w4 = sq(r, 'W4', 'p50_ms');
  return [
    {
      what: 'SQLite W1 ≥ 10,000 activities/s and ≥ 15× the best peer',
      measured: `${fmt(w1)} activities/s, ${fmtRatio(w1Best)} the best peer`,
      met: known(w1, w1Best) ? w1 >= 10_000 && w1Best >= 15 : undefined,
    },
    {
      what: 'SQLite W2 ≥ 0.5× L0 SQLite FULL of the same run',
      measured: `${fmt(w2)} steps/s vs ${fmt(l0)} commits/s: ${fmt(w2 / l0)}×`,
      met: known(w2, l0) ? w2 / l0 >= 0.5 : undefined,
    },
    { what: 'SQLite W4 p50 ≤ 1.0 ms', measured: `${fmt(w4)} ms`, met: known(w4) ? w4 <= 1 : undefined },
    pgW4(r),
    w9Target(r, 'taskhub-sqlite', 'SQLite'),
    w9Target(r, 'taskhub-postgres', 'PostgreSQL'),
  ];
}

export function targetTable(issue: number, list: readonly Target[]): string {
  const lines = [`| target (issue ${issue}) | measured (medians) | met |`, '|---|---|---|'];
  for (const x of list)
    lines.push(`| ${x.what} | ${x.measured} | ${x.met === undefined ? '–' : x.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}
