// One W7 worker process: a Taskhub worker (dispatchers only, no client) on the shared PostgreSQL hub. It tells its
// parent over IPC when an instance finished, standing in for the completion notice a client in another process would
// otherwise get by polling, so W7 measures the workers and not the client's poll interval.
import { FunctionRegistry } from '../../../src/core/registry.js';
import { createLogger } from '../../../src/log.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import { Worker } from '../../../src/worker/worker.js';
import { compareRegistry } from './engines/taskhub.js';

const connectionString = process.argv[2];
if (!connectionString || !process.send) throw new Error('usage: forked with <connectionString>');
const send = process.send.bind(process);
const store = openPostgresStore({ connectionString, hubName: 'Bench' });
await store.migrate();
const registry: FunctionRegistry = compareRegistry();
const worker = new Worker(
  store,
  registry,
  createLogger({ level: 'silent' }),
  {},
  {
    onFinished: (id) => send({ finished: id }),
  },
);
await worker.start();
await store.listening();
send({ ready: true });
process.on('message', (m: { stop?: boolean }) => {
  if (!m.stop) return;
  void (async () => {
    await worker.stop();
    await store.close();
    process.exit(0);
  })();
});
