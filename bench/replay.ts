// Replay benchmark: a fresh executor replays a stored chain-of-activities history of 1k, 10k and 100k events (what the
// worker does for an instance that is not in its live cache). Median of several runs; the per-event cost shows that
// replay grows linearly. Goal: 10,000 events in <= 50 ms. Standalone: `npx tsx bench/replay.ts`.
import { pathToFileURL } from 'node:url';
import type { OrchestrationContext, OrchestrationGenerator } from '../src/core/context.js';
import type { HistoryEvent } from '../src/core/history.js';
import { createOrchestrationExecutor } from '../src/core/replay.js';

export interface ReplayMetric {
  engine: 'taskhub-core';
  workload: string;
  metric: string;
  value: number;
  unit: string;
}

const SIZES = [1_000, 10_000, 100_000];
const T0 = Date.parse('2025-01-01T00:00:00.000Z');

function* chain(ctx: OrchestrationContext): OrchestrationGenerator<number> {
  const steps = ctx.df.getInput<number>();
  let count = 0;
  for (let i = 0; i < steps; i++) count = (yield ctx.df.callActivity('PlusOne', count)) as number;
  return count;
}

/** The stored history of a chain that has run `steps` activities (the last one still waiting), 4 events per step. */
export function chainHistory(events: number): HistoryEvent[] {
  const steps = Math.floor(events / 4);
  const history: HistoryEvent[] = [];
  for (let i = 0; i < steps; i++) {
    const timestamp = new Date(T0 + i * 1000).toISOString();
    history.push({ eventType: 'OrchestratorStarted', eventId: -1, timestamp });
    if (i === 0) {
      history.push({
        eventType: 'ExecutionStarted',
        eventId: -1,
        timestamp,
        name: 'Chain',
        instanceId: 'bench',
        executionId: 'e1',
        input: String(steps + 1),
      });
    } else {
      history.push({ eventType: 'TaskCompleted', eventId: -1, timestamp, taskScheduledId: i - 1, result: String(i) });
    }
    history.push({ eventType: 'TaskScheduled', eventId: i, timestamp, name: 'PlusOne', input: String(i) });
    history.push({ eventType: 'OrchestratorCompleted', eventId: -1, timestamp });
  }
  return history;
}

/** Replays the history with a fresh executor and runs the next episode; returns milliseconds. */
function timeReplay(history: readonly HistoryEvent[]): number {
  const start = performance.now();
  const executor = createOrchestrationExecutor(chain, { instanceId: 'bench', name: 'Chain' });
  executor.replay(history);
  const steps = history.length / 4;
  const result = executor.execute(
    [{ eventType: 'TaskCompleted', eventId: -1, timestamp: '', taskScheduledId: steps - 1, result: String(steps) }],
    new Date(T0 + steps * 1000).toISOString(),
  );
  const elapsed = performance.now() - start;
  if (result.actions.length !== 1 || result.actions[0]?.sequenceId !== steps) {
    throw new Error(`replay of ${history.length} events went wrong: ${JSON.stringify(result.outcome)}`);
  }
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export async function benchReplay(): Promise<ReplayMetric[]> {
  const metrics: ReplayMetric[] = [];
  for (const size of SIZES) {
    const history = chainHistory(size);
    const runs = size >= 100_000 ? 5 : 11;
    for (let i = 0; i < 2; i++) timeReplay(history); // warm up the JIT
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      times.push(timeReplay(history));
      await Promise.resolve();
    }
    const ms = median(times);
    const workload = `replay-${size / 1000}k`;
    metrics.push(
      { engine: 'taskhub-core', workload, metric: 'replay_ms', value: round(ms), unit: 'ms' },
      {
        engine: 'taskhub-core',
        workload,
        metric: 'per_event_us',
        value: round((ms * 1000) / history.length),
        unit: 'µs',
      },
    );
    process.stderr.write(
      `replay ${String(history.length).padStart(7)} events: ${ms.toFixed(2).padStart(8)} ms  ` +
        `(${((ms * 1000) / history.length).toFixed(3)} µs/event)\n`,
    );
  }
  return metrics;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const metrics = await benchReplay();
  process.stdout.write(JSON.stringify(metrics, null, 2) + '\n');
}
