// The workloads (bench/compare/README.md describes them), written once against a small adapter that every engine implements,
// so all engines run the same loops and the same checks: a wrong output, count or sum throws, and the run fails
// instead of printing a number.
import { performance } from 'node:perf_hooks';

export interface Metric {
  readonly engine: string;
  readonly workload: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

/** One engine, as the workloads see it. Each call starts one instance with the harness's id and waits for its output. */
export interface Adapter {
  helloChain(id: string): Promise<unknown>;
  sequence(id: string, steps: number): Promise<unknown>;
  fanout(id: string, steps: number): Promise<unknown>;
  oneStep(id: string, name: string): Promise<unknown>;
  /** W5: start an instance that sums `count` events raised one by one; resolves once the start is durable. */
  startEvents(id: string, count: number): Promise<() => Promise<unknown>>;
  /** W5: raise event number `index` (value 1) to that instance; resolves once the engine has accepted it durably. */
  raiseEvent(id: string, index: number): Promise<void>;
}

export const CITIES = ['Tokyo', 'Seattle', 'London'] as const;
export const HELLO = CITIES.map((c) => `Hello ${c}!`);

/** Full-size counts of the workloads; BENCH_SCALE shrinks them for smoke runs only. */
export const SPEC = { W1: 2000, W2: 1000, W3: 2000, W4: 200, W5: 1000, W9: 20_000, concurrency: 64 } as const;

export function scaled(n: number, scale: number): number {
  return Math.max(1, Math.round(n * scale));
}

export function assertEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Runs fn(i) for i in [0, count) with at most `concurrency` calls in flight. */
export async function pool(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** Untimed, in every measuring process: JIT, pools, caches. Its ids never collide with the timed ones. */
export async function warmup(a: Adapter, tag: string): Promise<void> {
  await pool(50, 4, async (i) => assertEqual(await a.helloChain(`${tag}-warm-${i}`), HELLO, 'warm-up hello chain'));
  assertEqual(await a.oneStep(`${tag}-warm-one`, 'Tokyo'), 'Hello Tokyo!', 'warm-up one step');
  assertEqual(await a.sequence(`${tag}-warm-seq`, 10), 10, 'warm-up sequence');
  assertEqual(await a.fanout(`${tag}-warm-fan`, 10), 55, 'warm-up fan-out');
  const wait = await a.startEvents(`${tag}-warm-ev`, 5);
  await pool(5, 5, (i) => a.raiseEvent(`${tag}-warm-ev`, i));
  assertEqual(await wait(), 5, 'warm-up events');
}

/** W1: 2,000 hello chains, closed loop of 64 lanes (each starts an instance, waits for it, starts the next). */
export async function w1(
  engine: string,
  a: Adapter,
  tag: string,
  instances: number,
  workload = 'W1',
): Promise<Metric[]> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await pool(instances, SPEC.concurrency, async (i) => {
    const s = performance.now();
    assertEqual(await a.helloChain(`${tag}-w1-${i}`), HELLO, `${workload} instance ${i}`);
    latencies.push(performance.now() - s);
  });
  const seconds = (performance.now() - t0) / 1000;
  if (latencies.length !== instances) throw new Error(`${workload}: ${latencies.length} of ${instances} finished`);
  latencies.sort((x, y) => x - y);
  const m = (metric: string, value: number, unit: string): Metric => ({ engine, workload, metric, value, unit });
  if (workload !== 'W1') return [m('instances_per_s', round(instances / seconds), '1/s')];
  return [
    m('activities_per_s', round((instances * CITIES.length) / seconds), '1/s'),
    m('instances_per_s', round(instances / seconds), '1/s'),
    m('p50_ms', round(percentile(latencies, 50), 3), 'ms'),
    m('p99_ms', round(percentile(latencies, 99), 3), 'ms'),
  ];
}

/** W2: one instance, `steps` trivial activities one after another (each returns 1; the output is their sum). */
export async function w2(engine: string, a: Adapter, tag: string, steps: number): Promise<Metric[]> {
  const t0 = performance.now();
  assertEqual(await a.sequence(`${tag}-w2`, steps), steps, 'W2 count');
  const seconds = (performance.now() - t0) / 1000;
  return [{ engine, workload: 'W2', metric: 'steps_per_s', value: round(steps / seconds), unit: '1/s' }];
}

/** W3: one instance starts `steps` activities at once (activity i returns i + 1) and sums them. */
export async function w3(engine: string, a: Adapter, tag: string, steps: number): Promise<Metric[]> {
  const t0 = performance.now();
  assertEqual(await a.fanout(`${tag}-w3`, steps), (steps * (steps + 1)) / 2, 'W3 sum');
  const seconds = (performance.now() - t0) / 1000;
  return [{ engine, workload: 'W3', metric: 'seconds', value: round(seconds, 3), unit: 's' }];
}

/** W4: 1-activity instances started one after another (start, wait for completion, next). */
export async function w4(engine: string, a: Adapter, tag: string, instances: number): Promise<Metric[]> {
  const latencies: number[] = [];
  for (let i = 0; i < instances; i++) {
    const s = performance.now();
    assertEqual(await a.oneStep(`${tag}-w4-${i}`, 'Tokyo'), 'Hello Tokyo!', `W4 instance ${i}`);
    latencies.push(performance.now() - s);
  }
  latencies.sort((x, y) => x - y);
  return [
    { engine, workload: 'W4', metric: 'p50_ms', value: round(percentile(latencies, 50), 3), unit: 'ms' },
    { engine, workload: 'W4', metric: 'p99_ms', value: round(percentile(latencies, 99), 3), unit: 'ms' },
  ];
}

/** W5: one instance waits for `events` events in sequence; they are raised as fast as accepted (64 in flight). */
export async function w5(engine: string, a: Adapter, tag: string, events: number): Promise<Metric[]> {
  const id = `${tag}-w5`;
  const wait = await a.startEvents(id, events);
  const t0 = performance.now();
  await pool(events, SPEC.concurrency, (i) => a.raiseEvent(id, i));
  assertEqual(await wait(), events, 'W5 sum');
  const seconds = (performance.now() - t0) / 1000;
  return [{ engine, workload: 'W5', metric: 'events_per_s', value: round(events / seconds), unit: '1/s' }];
}
