// The saved form of one comparison run (bench/results/compare.json): every sample in run order with its median, the
// machine it ran on and how busy that machine was, so `npm run report` rewrites the page and the README's figures
// from it without running anything. Reads the older form too (a bare list of medians, as `npm run bench` writes).
import type { Metric } from './common.js';
import { key, summarize, type Report, type Samples } from './report.js';

/** One run of the harness, as the page and the README are written from it. */
export interface RunRecord extends Report {
  readonly units: Map<string, string>;
  /** Rows of the page's "Machine" table: [what, value]. */
  readonly machine: readonly (readonly [string, string])[];
  /** Wall time of the whole run, minutes. */
  readonly minutes: number;
  /** Load average (1 min) at the start and at the end of the run. */
  readonly load: readonly [number, number];
  /** Share of the machine (%) other processes kept busy, one sample per pause between measurements. */
  readonly foreignBusy: readonly number[];
  /** Length of each of those pauses, ms. */
  readonly cooldownMs: number;
  /** True when read from the older form: medians only, no ranges, no machine facts. */
  readonly mediansOnly?: boolean;
}

/** One metric of the saved form: the Metric shape of `npm run bench` (value = the median) plus every run's value. */
interface SavedMetric extends Metric {
  readonly runs: number[];
}

interface Saved {
  readonly runs: number;
  readonly scale: number;
  readonly machine: [string, string][];
  readonly minutes: number;
  readonly load: [number, number];
  readonly foreignBusy: number[];
  readonly cooldownMs: number;
  /** "engine|workload" → why it has no number. */
  readonly notes: Record<string, string>;
  readonly results: SavedMetric[];
}

export function toJson(r: RunRecord): string {
  const results: SavedMetric[] = [...r.samples].map(([k, values]) => {
    const [engine = '', workload = '', metric = ''] = k.split('|');
    return { engine, workload, metric, value: summarize(values).median, unit: r.units.get(k) ?? '', runs: values };
  });
  const saved: Saved = {
    runs: r.runs,
    scale: r.scale,
    machine: r.machine.map(([a, b]) => [a, b]),
    minutes: r.minutes,
    load: [r.load[0], r.load[1]],
    foreignBusy: [...r.foreignBusy],
    cooldownMs: r.cooldownMs,
    notes: Object.fromEntries(r.notes),
    results,
  };
  return JSON.stringify(saved, null, 2) + '\n';
}

export function fromJson(text: string, source: string): RunRecord {
  const parsed = JSON.parse(text) as unknown;
  const samples: Samples = new Map();
  const units = new Map<string, string>();
  const add = (m: Metric, values: readonly number[]): void => {
    if (typeof m.engine !== 'string' || typeof m.metric !== 'string' || !values.every(Number.isFinite))
      throw new Error(`${source}: not a result: ${JSON.stringify(m)}`);
    samples.set(key(m.engine, m.workload, m.metric), [...values]);
    units.set(key(m.engine, m.workload, m.metric), m.unit);
  };
  if (Array.isArray(parsed)) {
    for (const m of parsed as Metric[]) add(m, [m.value]);
    return {
      samples,
      units,
      notes: new Map(),
      runs: 1,
      scale: 1,
      machine: [],
      minutes: NaN,
      load: [NaN, NaN],
      foreignBusy: [],
      cooldownMs: NaN,
      mediansOnly: true,
    };
  }
  const saved = parsed as Partial<Saved>;
  if (!Array.isArray(saved.results)) throw new Error(`${source}: neither a list of results nor a saved run`);
  for (const m of saved.results) add(m, Array.isArray(m.runs) ? m.runs : [m.value]);
  return {
    samples,
    units,
    notes: new Map(Object.entries(saved.notes ?? {})),
    runs: saved.runs ?? 1,
    scale: saved.scale ?? 1,
    machine: saved.machine ?? [],
    minutes: saved.minutes ?? NaN,
    load: saved.load ?? [NaN, NaN],
    foreignBusy: saved.foreignBusy ?? [],
    cooldownMs: saved.cooldownMs ?? NaN,
  };
}
