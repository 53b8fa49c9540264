// The Taskhub side of the benchmark workloads: one registry with every workload's functions, and a hub on a fresh
// SQLite file in a temp dir (durability full unless told otherwise).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import type { WorkerOptions } from '../../src/hub-types.js';
import { createLogger } from '../../src/log.js';
import { onInterrupt } from './interrupt.js';

export function benchRegistry(): FunctionRegistry {
  const r = new FunctionRegistry();
  r.registerActivity('SayHello', (name) => `Hello ${String(name)}!`);
  r.registerActivity('Noop', (n) => n);
  r.registerActivity('PlusOne', (n) => Number(n) + 1);
  r.registerOrchestration('HelloChain', function* (ctx: OrchestrationContext) {
    const out: unknown[] = [];
    for (const city of ['Tokyo', 'Seattle', 'London']) out.push(yield ctx.df.callActivity('SayHello', city));
    return out;
  });
  r.registerOrchestration('Sequence', function* (ctx: OrchestrationContext) {
    const n = ctx.df.getInput<number>();
    let count = 0;
    for (let i = 0; i < n; i++) count = (yield ctx.df.callActivity('PlusOne', count)) as number;
    return count;
  });
  r.registerOrchestration('FanOut', function* (ctx: OrchestrationContext) {
    const n = ctx.df.getInput<number>();
    const tasks = [];
    for (let i = 0; i < n; i++) tasks.push(ctx.df.callActivity('PlusOne', i));
    const results = (yield ctx.df.Task.all(tasks)) as number[];
    return results.reduce((a, b) => a + b, 0);
  });
  r.registerOrchestration('OneStep', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivity('SayHello', ctx.df.getInput<string>());
  });
  r.registerOrchestration('Events', function* (ctx: OrchestrationContext) {
    const n = ctx.df.getInput<number>();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (yield ctx.df.waitForExternalEvent('Tick')) as number;
    return sum;
  });
  r.registerOrchestration('WaitForever', function* (ctx: OrchestrationContext) {
    return yield ctx.df.waitForExternalEvent('Never');
  });
  return r;
}

export async function openBenchHub(options: { durability?: 'full' | 'normal'; worker?: WorkerOptions } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-bench-'));
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  const hub = await openTaskHub({
    store: join(dir, 'hub.db'),
    durability: options.durability ?? 'full',
    registry: benchRegistry(),
    worker: options.worker ?? {},
    logger: createLogger({ level: 'silent' }),
  });
  await hub.start();
  return Object.assign(hub, {
    async dispose() {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
      forget();
    },
  });
}
