// W2-async: W2's sequential chain (N activities, each awaiting the previous result) written as an async orchestrator.
// Run as its own process by bench/run.ts (`node --import tsx bench/lib/async-chain.ts <steps>`, prints the metrics as
// JSON): an async orchestrator turns on AsyncLocalStorage for the whole process, which must not tax the generator
// workloads measured in the runner's own process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { OrchestrationContext } from '../../src/core/context.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { benchRegistry } from './hub.js';
import { assertEqual, round } from './stats.js';
import type { Metric } from './workloads.js';

const WAIT = { timeoutInMilliseconds: 600_000 };

export async function w2Async(engine: string, steps = 1000): Promise<Metric[]> {
  const registry = benchRegistry();
  registry.registerOrchestration('AsyncSequence', async (ctx: OrchestrationContext) => {
    const n = ctx.df.getInput<number>();
    let count = 0;
    for (let i = 0; i < n; i++) count = await ctx.df.callActivity<number>('PlusOne', count);
    return count;
  });
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-bench-async-'));
  const hub = await openTaskHub({
    store: join(dir, 'hub.db'),
    durability: 'full',
    registry,
    logger: createLogger({ level: 'silent' }),
  });
  await hub.start();
  try {
    const run = async (id: string, n: number): Promise<void> => {
      await hub.client.startNew('AsyncSequence', { instanceId: id, input: n });
      const status = await hub.client.waitForCompletion(id, WAIT);
      assertEqual(status.output, n, `${id} count`);
    };
    await run('warm', 50);
    const t0 = performance.now();
    await run('w2-async', steps);
    const seconds = (performance.now() - t0) / 1000;
    return [{ engine, workload: 'W2-async', metric: 'steps_per_s', value: round(steps / seconds), unit: '1/s' }];
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const metrics = await w2Async(process.argv[3] ?? 'taskhub-sqlite', Number(process.argv[2] ?? 1000));
  process.stdout.write(`${JSON.stringify(metrics)}\n`);
}
