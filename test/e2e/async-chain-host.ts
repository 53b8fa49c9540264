// A host process for the async crash test: runs N instances of a 20-step async chain on a SQLite file until all
// have ended. It is killed with SIGKILL after some progress and started again; every start resumes what is left.
import { FunctionRegistry } from '../../src/core/registry.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';

const [file, countText, stepsText] = process.argv.slice(2);
const count = Number(countText ?? 200);
const steps = Number(stepsText ?? 20);

const registry = new FunctionRegistry();
registry.registerActivity('Step', async (input) => {
  const { acc, i } = input as { acc: number; i: number };
  // Long enough that a kill usually finds activities mid-run (the test kills on committed progress, not on time).
  await new Promise((r) => setTimeout(r, 50));
  return (acc * 31 + i) % 1_000_000_007;
});
registry.registerOrchestration('Chain', async (ctx: OrchestrationContext) => {
  let acc = ctx.df.getInput<number>();
  for (let i = 0; i < steps; i++) acc = await ctx.df.callActivity<number>('Step', { acc, i });
  return acc;
});

const hub = await openTaskHub({
  store: file,
  registry,
  // Every SIGKILL counts as a crash against the activities in flight (a host cannot tell the test's kills from a
  // crash their code caused), and the test kills it 20 times: poison quarantine must not fail a healthy step here.
  worker: { leaseMs: 1000, pollIntervalMs: 50, maxDeliveryCount: 1000 },
  logger: createLogger({ level: 'silent' }),
});
await hub.start();
for (let n = 0; n < count; n++) {
  const id = `chain-${n}`;
  const exists = await hub.store.getInstance(id);
  if (!exists) await hub.client.startNew('Chain', { instanceId: id, input: n });
}
process.stdout.write('started\n');
// Until every instance has ended, failed ones too: the test then reports which failed and why, instead of timing out.
for (;;) {
  const page = await hub.store.queryInstances({ runtimeStatus: ['Completed', 'Failed', 'Terminated'], pageSize: 1000 });
  if (page.instances.length >= count) break;
  await new Promise((r) => setTimeout(r, 50));
}
process.stdout.write('done\n');
await hub.close();
