// Turns the samples of every run into the comparison: medians with ranges, Taskhub/peer ratios, the Markdown tables
// and an SVG chart of the ratios. Pure functions of the numbers, so the same code writes the smoke report, the real
// one, and a report rewritten from saved results.
import { SPEC, scaled } from './common.js';

export const ENGINES = ['taskhub-sqlite', 'taskhub-postgres', 'dbos', 'restate'] as const;
export const PEERS = ['dbos', 'restate'] as const;
export const TASKHUBS = ['taskhub-sqlite', 'taskhub-postgres'] as const;
export const L0_ENGINES = ['sqlite-full', 'sqlite-normal', 'postgres-1conn', 'postgres-8conn'] as const;

/** Rows of the main table, in order: [workload, metric]. */
export const ROWS: readonly (readonly [string, string])[] = [
  ['W1', 'activities_per_s'],
  ['W1', 'instances_per_s'],
  ['W1', 'p50_ms'],
  ['W1', 'p99_ms'],
  ['W2', 'steps_per_s'],
  ['W3', 'seconds'],
  ['W4', 'p50_ms'],
  ['W4', 'p99_ms'],
  ['W5', 'events_per_s'],
  ['W9', 'starts_per_s'],
  ['W9', 'completions_per_s_during_burst'],
  ['W9', 'p50_ms'],
  ['W9', 'p99_ms'],
  ['W9', 'last_completion_s'],
];

/** Row labels; {W2} and the like stand for that workload's count at the run's scale. */
const LABEL: Record<string, string> = {
  'W1 activities_per_s': 'W1 hello chain, activities/s',
  'W1 instances_per_s': 'W1 hello chain, instances/s',
  'W1 p50_ms': 'W1 start→completion p50, ms',
  'W1 p99_ms': 'W1 start→completion p99, ms',
  'W2 steps_per_s': 'W2 {W2} sequential steps, steps/s',
  'W3 seconds': 'W3 {W3}-way fan-out/fan-in, s',
  'W4 p50_ms': 'W4 1-step latency p50, ms',
  'W4 p99_ms': 'W4 1-step latency p99, ms',
  'W5 events_per_s': 'W5 {W5} external events, events/s',
  'W9 starts_per_s': 'W9 HTTP burst, starts accepted/s',
  'W9 completions_per_s_during_burst': 'W9 HTTP burst, completions/s while it lasts',
  'W9 p50_ms': 'W9 HTTP burst, start→completion p50, ms',
  'W9 p99_ms': 'W9 HTTP burst, start→completion p99, ms',
  'W9 last_completion_s': 'W9 HTTP burst, last instance finished, s',
};

/** A workload's count at the run's scale, as the page shows it (2,000 at full scale). */
export function count(r: Report, workload: keyof typeof SPEC): string {
  return scaled(SPEC[workload], r.scale).toLocaleString('en-US');
}

/** The label of a row, its counts at the run's scale. */
export function rowLabel(r: Report, workload: string, metric: string): string {
  const text = LABEL[`${workload} ${metric}`] ?? `${workload} ${metric}`;
  return text.replace(/\{(\w+)\}/g, (_, w: string) => (w in SPEC ? count(r, w as keyof typeof SPEC) : w));
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export type Samples = Map<string, number[]>;

export const key = (engine: string, workload: string, metric: string): string => `${engine}|${workload}|${metric}`;

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
  return { median, min: s[0] ?? NaN, max: s.at(-1) ?? NaN, n: s.length };
}

/** Lower is better for times; everything else here is a rate. */
export const lowerIsBetter = (metric: string): boolean =>
  metric === 'seconds' || metric === 'last_completion_s' || metric.endsWith('_ms');

/** How many times better Taskhub is than the peer (> 1: Taskhub leads), whichever direction the metric points. */
export function ratio(metric: string, taskhub: number, peer: number): number {
  return lowerIsBetter(metric) ? peer / taskhub : taskhub / peer;
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×` : '–');

/** Lines of at most `width` characters, broken at spaces, lines after the first starting with `indent`. */
export function wrap(text: string, width = 120, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.trim() && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line.trim() ? `${line} ${word}` : `${line}${word}`;
  }
  if (line.trim()) lines.push(line);
  return lines.join('\n');
}

export interface Report {
  readonly samples: Samples;
  /** "engine|workload" → why it has no number (failed, or not applicable). */
  readonly notes: Map<string, string>;
  readonly runs: number;
  readonly scale: number;
}

/** Engines that have no way to run a workload, and why (shown in its cells, also when rewritten from saved results). */
export const NOT_APPLICABLE: Readonly<Record<string, string>> = { 'dbos|W9': 'no HTTP ingress' };

/** **median** (min–max) of the runs, each value times `factor` (0.001 shows ms as s); or why there is none. */
export function cell(r: Report, engine: string, workload: string, metric: string, factor = 1): string {
  const note = r.notes.get(`${engine}|${workload}`) ?? NOT_APPLICABLE[`${engine}|${workload}`];
  const values = r.samples.get(key(engine, workload, metric));
  if (!values?.length) return note ?? '–';
  const s = summarize(values.map((v) => v * factor));
  return s.n > 1 ? `**${fmt(s.median)}** (${fmt(s.min)}–${fmt(s.max)})` : `**${fmt(s.median)}**`;
}

export function median(r: Report, engine: string, workload: string, metric: string): number {
  const values = r.samples.get(key(engine, workload, metric));
  return values?.length ? summarize(values).median : NaN;
}

/** W9's completions while the burst lasts as a share of its start rate, % (the ratio of the two medians). */
export function burstShare(r: Report, engine: string): number {
  return (100 * median(r, engine, 'W9', 'completions_per_s_during_burst')) / median(r, engine, 'W9', 'starts_per_s');
}

export function pairRatio(r: Report, th: string, peer: string, workload: string, metric: string): number {
  return ratio(metric, median(r, th, workload, metric), median(r, peer, workload, metric));
}

const short = (e: string): string => (e === 'taskhub-sqlite' ? 'SQLite' : e === 'taskhub-postgres' ? 'PG' : e);

/** The main table in Markdown: medians (ranges), then Taskhub/peer ratios (> 1: Taskhub better). */
export function mainTable(r: Report): string {
  const pairs = TASKHUBS.flatMap((t) => PEERS.map((p) => [t, p] as const));
  const head = ['workload, metric', ...ENGINES, ...pairs.map(([t, p]) => `${short(t)} vs ${p}`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const [w, m] of ROWS) {
    const cells = ENGINES.map((e) => cell(r, e, w, m));
    const ratios = pairs.map(([t, p]) => fmtRatio(pairRatio(r, t, p, w, m)));
    lines.push(`| ${rowLabel(r, w, m)} | ${[...cells, ...ratios].join(' | ')} |`);
  }
  return lines.join('\n');
}

export function w7Table(r: Report): string {
  const lines = ['| worker processes | instances/s | vs 1 worker |', '|---|---:|---:|'];
  const one = median(r, 'taskhub-postgres', 'W7-1', 'instances_per_s');
  for (const n of [1, 2, 4]) {
    const w = `W7-${n}`;
    const m = median(r, 'taskhub-postgres', w, 'instances_per_s');
    lines.push(`| ${n} | ${cell(r, 'taskhub-postgres', w, 'instances_per_s')} | ${fmtRatio(m / one)} |`);
  }
  return lines.join('\n');
}

export function l0Table(r: Report): string {
  const label: Record<string, string> = {
    'sqlite-full': 'SQLite WAL, synchronous=FULL, 1 connection',
    'sqlite-normal': 'SQLite WAL, synchronous=NORMAL, 1 connection',
    'postgres-1conn': 'PostgreSQL 15, BEGIN + 3 INSERT + COMMIT, 1 connection',
    'postgres-8conn': 'PostgreSQL 15, BEGIN + 3 INSERT + COMMIT, 8 connections',
  };
  const lines = ['| configuration | commits/s |', '|---|---:|'];
  for (const e of L0_ENGINES) lines.push(`| ${label[e]} | ${cell(r, e, 'L0', 'commits_per_s')} |`);
  return lines.join('\n');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Horizontal bars of Taskhub/peer ratios per workload on a log scale, 1× in the middle: bars to the right mean
 * Taskhub leads by that factor, bars to the left that the peer does.
 */
export function ratioChart(r: Report, title: string): string {
  const rows: [string, string][] = [
    ['W1', 'activities_per_s'],
    ['W1', 'p50_ms'],
    ['W2', 'steps_per_s'],
    ['W3', 'seconds'],
    ['W4', 'p50_ms'],
    ['W5', 'events_per_s'],
  ];
  const pairs = TASKHUBS.flatMap((t) => PEERS.map((p) => [t, p] as const));
  const colors = ['#1f6feb', '#58a6ff', '#bf5700', '#f0883e'];
  const barH = 13;
  const groupH = pairs.length * barH + 16;
  const left = 250;
  const width = 860;
  const plotW = width - left - 70;
  const top = 56;
  const height = top + rows.length * groupH + 50;
  const all = rows
    .flatMap(([w, m]) => pairs.map(([t, p]) => pairRatio(r, t, p, w, m)))
    .filter((x) => Number.isFinite(x) && x > 0);
  const maxLog = Math.max(1, Math.ceil(Math.log10(Math.max(10, ...all))));
  const minLog = Math.min(-1, Math.floor(Math.log10(Math.min(0.1, ...all))));
  const x = (v: number): number =>
    Math.round((left + ((Math.log10(v) - minLog) / (maxLog - minLog)) * plotW) * 10) / 10;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(
    `<text x="${width / 2}" y="38" text-anchor="middle" fill="#555">How many times better Taskhub is than each peer (medians of the same run; log scale; right of 1× = Taskhub leads)</text>`,
  );
  for (let e = minLog; e <= maxLog; e++) {
    const gx = x(10 ** e);
    out.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 40}" stroke="${e === 0 ? '#000' : '#ddd'}" stroke-width="${e === 0 ? 1.5 : 1}"/>`,
    );
    out.push(`<text x="${gx}" y="${height - 26}" text-anchor="middle" fill="#333">${10 ** e}×</text>`);
  }
  rows.forEach(([w, m], gi) => {
    const gy = top + gi * groupH;
    out.push(
      `<text x="${left - 8}" y="${gy + (pairs.length * barH) / 2 + 4}" text-anchor="end">${esc(rowLabel(r, w, m))}</text>`,
    );
    pairs.forEach(([t, p], pi) => {
      const v = pairRatio(r, t, p, w, m);
      const y = gy + pi * barH;
      if (!Number.isFinite(v) || v <= 0) {
        out.push(`<text x="${x(1) + 4}" y="${y + barH - 3}" font-size="10" fill="#999">n/a</text>`);
        return;
      }
      const x0 = Math.min(x(1), x(v));
      const wdt = Math.max(1, Math.round(Math.abs(x(v) - x(1)) * 10) / 10);
      out.push(`<rect x="${x0}" y="${y + 1}" width="${wdt}" height="${barH - 2}" fill="${colors[pi]}"/>`);
      const tx = Math.round((v >= 1 ? x(v) + 4 : x(v) - 4) * 10) / 10;
      out.push(
        `<text x="${tx}" y="${y + barH - 3}" font-size="10" text-anchor="${v >= 1 ? 'start' : 'end'}">${fmtRatio(v)}</text>`,
      );
    });
  });
  const ly = height - 10;
  pairs.forEach(([t, p], pi) => {
    const lx = 20 + pi * 210;
    out.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="10" fill="${colors[pi]}"/>`);
    out.push(`<text x="${lx + 16}" y="${ly}">${esc(`${t} vs ${p}`)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
