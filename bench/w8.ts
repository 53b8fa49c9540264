// W8, entities: 10,000 signals to one counter entity, and 1,000 counter entities receiving 10 operations each, on
// SQLite (durability full). Operations per second from the first signal sent to the last operation committed. Clients
// send with 64 signals in flight; the worker runs all of an entity's waiting operations as one batch and commit.
// Run alone: `node --import tsx bench/w8.ts` prints the metrics as JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EntityContext } from '../src/core/context.js';
import { EntityId } from '../src/core/entity-id.js';
import { FunctionRegistry } from '../src/core/registry.js';
import { openTaskHub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { assertEqual, pool, round } from './lib/stats.js';
import type { Metric } from './lib/workloads.js';

const ENGINE = 'taskhub-sqlite';

export interface W8Options {
  /** Signals to the single counter (default 10,000). */
  readonly signals?: number;
  /** Entities of the second part (default 1,000), each receiving `opsPerEntity` operations (default 10). */
  readonly entities?: number;
  readonly opsPerEntity?: number;
}

export async function benchW8(options: W8Options = {}): Promise<Metric[]> {
  const signals = options.signals ?? 10_000;
  const entities = options.entities ?? 1000;
  const opsPerEntity = options.opsPerEntity ?? 10;
  const one = await measure(1, signals);
  const many = await measure(entities, opsPerEntity);
  return [
    { engine: ENGINE, workload: 'W8', metric: 'ops_per_s', value: round(one), unit: '1/s' },
    { engine: ENGINE, workload: 'W8', metric: 'ops_per_s_1000_entities', value: round(many), unit: '1/s' },
  ];
}

/** Sends `ops` add-1 signals to each of `count` counters; returns operations per second, end to end. */
async function measure(count: number, ops: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-w8-'));
  const registry = new FunctionRegistry();
  registry.registerEntity('Counter', (context: EntityContext<number>) => {
    context.df.setState((context.df.getState(() => 0) ?? 0) + (context.df.getInput<number>() ?? 1));
  });
  const hub = await openTaskHub({
    store: join(dir, 'hub.db'),
    durability: 'full',
    registry,
    worker: {},
    logger: createLogger({ level: 'silent' }),
  });
  await hub.start();
  try {
    const worker = hub.worker;
    if (!worker) throw new Error('W8 needs a worker');
    const total = count * ops;
    const ids = Array.from({ length: count }, (_, i) => new EntityId('Counter', `w8-${i}`));
    const t0 = performance.now();
    // Round-robin over the entities, so every entity has work waiting throughout.
    await pool(total, 64, (i) => hub.client.signalEntity(ids[i % count]!, 'add', 1));
    while (worker.entities.operations < total) await new Promise((r) => setTimeout(r, 2));
    const seconds = (performance.now() - t0) / 1000;
    for (const id of [ids[0]!, ids.at(-1)!]) {
      assertEqual((await hub.client.readEntityState(id)).entityState, ops, `W8 state of ${id.toString()}`);
    }
    return total / seconds;
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(JSON.stringify(await benchW8()) + '\n');
}
