// W1-W5 on Taskhub (bench/compare/README.md describes them); every result is checked, so lost or duplicated work
// fails the run.
import { performance } from 'node:perf_hooks';
import type { DurableClient } from '../../src/client/types.js';
import { assertEqual, percentile, pool, round } from './stats.js';

export interface Metric {
  readonly engine: string;
  readonly workload: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

const HELLO = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];
const WAIT = { timeoutInMilliseconds: 600_000 };

async function run(client: DurableClient, name: string, id: string, input?: unknown): Promise<unknown> {
  await client.startNew(name, { instanceId: id, input });
  const status = await client.waitForCompletion(id, WAIT);
  if (status.runtimeStatus !== 'Completed')
    throw new Error(`${id} ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`);
  return status.output;
}

export async function warmup(client: DurableClient, tag: string): Promise<void> {
  await pool(50, 8, async (i) => assertEqual(await run(client, 'HelloChain', `${tag}-warm-${i}`), HELLO, 'warmup'));
  assertEqual(await run(client, 'Sequence', `${tag}-warm-seq`, 10), 10, 'warmup sequence');
  assertEqual(await run(client, 'FanOut', `${tag}-warm-fan`, 10), 55, 'warmup fan-out');
}

export async function w1(
  engine: string,
  client: DurableClient,
  tag: string,
  instances = 2000,
  concurrency = 64,
): Promise<Metric[]> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await pool(instances, concurrency, async (i) => {
    const s = performance.now();
    assertEqual(await run(client, 'HelloChain', `${tag}-w1-${i}`), HELLO, `W1 instance ${i}`);
    latencies.push(performance.now() - s);
  });
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return [
    { engine, workload: 'W1', metric: 'instances_per_s', value: round(instances / seconds), unit: '1/s' },
    { engine, workload: 'W1', metric: 'activities_per_s', value: round((instances * 3) / seconds), unit: '1/s' },
    { engine, workload: 'W1', metric: 'p50_ms', value: round(percentile(latencies, 50)), unit: 'ms' },
    { engine, workload: 'W1', metric: 'p99_ms', value: round(percentile(latencies, 99)), unit: 'ms' },
  ];
}

export async function w2(engine: string, client: DurableClient, tag: string, steps = 1000): Promise<Metric[]> {
  const t0 = performance.now();
  assertEqual(await run(client, 'Sequence', `${tag}-w2`, steps), steps, 'W2 count');
  const seconds = (performance.now() - t0) / 1000;
  return [{ engine, workload: 'W2', metric: 'steps_per_s', value: round(steps / seconds), unit: '1/s' }];
}

export async function w3(engine: string, client: DurableClient, tag: string, steps = 2000): Promise<Metric[]> {
  const t0 = performance.now();
  assertEqual(await run(client, 'FanOut', `${tag}-w3`, steps), (steps * (steps + 1)) / 2, 'W3 sum');
  const seconds = (performance.now() - t0) / 1000;
  return [{ engine, workload: 'W3', metric: 'seconds', value: round(seconds, 3), unit: 's' }];
}

export async function w4(engine: string, client: DurableClient, tag: string, instances = 200): Promise<Metric[]> {
  const latencies: number[] = [];
  for (let i = 0; i < instances; i++) {
    const s = performance.now();
    assertEqual(await run(client, 'OneStep', `${tag}-w4-${i}`, 'Tokyo'), 'Hello Tokyo!', `W4 instance ${i}`);
    latencies.push(performance.now() - s);
  }
  latencies.sort((a, b) => a - b);
  return [
    { engine, workload: 'W4', metric: 'p50_ms', value: round(percentile(latencies, 50), 3), unit: 'ms' },
    { engine, workload: 'W4', metric: 'p99_ms', value: round(percentile(latencies, 99), 3), unit: 'ms' },
  ];
}

/** Events are raised as fast as they are accepted: up to 64 raise calls in flight, each durable when it returns. */
export async function w5(engine: string, client: DurableClient, tag: string, events = 1000): Promise<Metric[]> {
  const id = `${tag}-w5`;
  await client.startNew('Events', { instanceId: id, input: events });
  const t0 = performance.now();
  await pool(events, 64, () => client.raiseEvent(id, 'Tick', 1));
  const status = await client.waitForCompletion(id, WAIT);
  const seconds = (performance.now() - t0) / 1000;
  assertEqual(status.output, events, 'W5 sum');
  return [{ engine, workload: 'W5', metric: 'events_per_s', value: round(events / seconds), unit: '1/s' }];
}
