// A worker process for the scale-out test: dispatchers only, on a shared PostgreSQL task hub. Several run at once;
// the test kills some with SIGKILL and starts them again. Stops gracefully on SIGTERM.
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';

const [connectionString, hubName, stepsText] = process.argv.slice(2);
if (!connectionString || !hubName) throw new Error('usage: chain-worker.ts <connection string> <hub name> [steps]');
const steps = Number(stepsText ?? 10);

const registry = new FunctionRegistry();
registry.registerActivity('Step', async (input) => {
  const { acc, i } = input as { acc: number; i: number };
  // Slow enough that a kill lands while chains are half done.
  await new Promise((r) => setTimeout(r, 20));
  return (acc * 31 + i) % 1_000_000_007;
});
registry.registerOrchestration('Chain', function* (ctx: OrchestrationContext) {
  let acc = ctx.df.getInput<number>();
  for (let i = 0; i < steps; i++) acc = (yield ctx.df.callActivity('Step', { acc, i })) as number;
  return acc;
});

const hub = await openTaskHub({
  store: openPostgresStore({ connectionString, hubName, poolSize: 6 }),
  registry,
  // Fewer slots than the defaults, so a backlog of unclaimed instances remains while the test kills and restarts.
  worker: { leaseMs: 2000, pollIntervalMs: 500, maxConcurrentOrchestrations: 32, maxConcurrentActivities: 32 },
  logger: createLogger({ level: 'silent' }),
});
await hub.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void hub.close().then(() => process.exit(0));
});
