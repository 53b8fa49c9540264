// The other worker of the lease-loss test: a process on the same SQLite file whose `Slow` orchestrator finishes at
// once. It takes over an instance whose owner stopped renewing its lease.
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';

const [file] = process.argv.slice(2);
const registry = new FunctionRegistry();
registry.registerOrchestration('Slow', function* () {
  yield* [];
  return 'finished by the other worker';
});
const hub = await openTaskHub({
  store: file,
  registry,
  worker: { pollIntervalMs: 20 },
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
