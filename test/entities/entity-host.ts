// A host process for the entity crash test: runs the worker for a counter entity on a SQLite file until the counter
// reaches the target, then prints 'done'. Operations are slow enough that SIGKILLs land mid-batch.
import type { EntityContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';

const [file, targetText] = process.argv.slice(2);
const target = Number(targetText ?? 1000);

const registry = new FunctionRegistry();
registry.registerEntity('Counter', async (context: EntityContext<number>) => {
  await new Promise((r) => setTimeout(r, 1));
  context.df.setState((context.df.getState(() => 0) ?? 0) + (context.df.getInput<number>() ?? 1));
});

const hub = await openTaskHub({
  store: file ?? 'hub.db',
  registry,
  worker: { leaseMs: 1000, pollIntervalMs: 20 },
  logger: createLogger({ level: 'silent' }),
});
await hub.start();
process.stdout.write('started\n');
const id = new EntityId('Counter', 'crash');
for (;;) {
  const state = await hub.client.readEntityState<number>(id);
  if ((state.entityState ?? 0) >= target) break;
  await new Promise((r) => setTimeout(r, 20));
}
process.stdout.write('done\n');
await hub.close();
