// The other worker of the local-work takeover test: a process on the same SQLite file whose `Block` activity returns
// at once. It recovers the local work of an owner that stopped renewing its lease, runs it and finishes the instance.
import { FunctionRegistry } from '../../src/core/registry.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';

const [file] = process.argv.slice(2);
const registry = new FunctionRegistry();
registry.registerActivity('Block', () => 'from the other worker');
registry.registerOrchestration('Once', function* (ctx: OrchestrationContext) {
  return yield ctx.df.callActivity('Block', ctx.df.instanceId);
});
const hub = await openTaskHub({
  store: file,
  registry,
  worker: { leaseMs: 300, pollIntervalMs: 20 },
  logger: createLogger({ level: 'silent' }),
});
await hub.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  hub.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
