// A host process for the local-work crash test: runs chains of local activities on a SQLite file or a PostgreSQL
// database until every instance has ended, and logs each activity run's start and end to a file. It is SIGKILLed
// mid-activity and started again. With `foreign`, it names itself after a machine of its own, so the next host cannot
// tell its process is dead: its local work is then recovered only when its lease expires (the sweep, or a claim that
// takes the lock over), not by releasing the locks of a dead local process.
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import { FunctionRegistry } from '../../src/core/registry.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';

const [target, countText, stepsText, runLog, mode] = process.argv.slice(2);
const count = Number(countText);
const steps = Number(stepsText);
if (mode === 'foreign') {
  const name = `elsewhere-${process.pid}`;
  os.hostname = () => name;
  syncBuiltinESMExports();
}

const registry = new FunctionRegistry();
registry.registerActivity('Step', async (input) => {
  const { id, acc, i } = input as { id: string; acc: number; i: number };
  appendFileSync(runLog!, `start ${id} ${i}\n`);
  // Long enough that a kill usually finds activities mid-run (the test kills on evidence, not on time).
  await new Promise((r) => setTimeout(r, 20));
  appendFileSync(runLog!, `end ${id} ${i}\n`);
  return (acc * 31 + i) % 1_000_000_007;
});
registry.registerOrchestration('Chain', function* (ctx: OrchestrationContext) {
  let acc = ctx.df.getInput<number>();
  for (let i = 0; i < steps; i++) {
    acc = (yield ctx.df.callActivity('Step', { id: ctx.df.instanceId, acc, i })) as number;
  }
  return acc;
});

const hub = await openTaskHub({
  store: target!.startsWith('postgres')
    ? openPostgresStore({ connectionString: target!, hubName: 'LocalWorkCrash' })
    : target!,
  registry,
  // Every SIGKILL counts against the activities in flight; the test kills often: quarantine must not end a chain.
  worker: { leaseMs: 600, pollIntervalMs: 20, maxDeliveryCount: 1000 },
  logger: createLogger({ level: 'silent' }),
});
await hub.start();
for (let n = 0; n < count; n++) {
  const id = `chain-${n}`;
  if (!(await hub.store.getInstance(id))) await hub.client.startNew('Chain', { instanceId: id, input: n });
}
process.stdout.write('started\n');
for (;;) {
  const page = await hub.store.queryInstances({ runtimeStatus: ['Completed', 'Failed', 'Terminated'], pageSize: 1000 });
  if (page.instances.length >= count) break;
  await new Promise((r) => setTimeout(r, 50));
}
process.stdout.write('done\n');
await hub.close();
