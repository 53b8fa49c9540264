// `taskhub worker [path]`: the app's orchestrations, activities and entities run from a shared task hub, without an
// HTTP host. Add as many as you like next to `taskhub start` hosts (on PostgreSQL, on any number of machines); they
// share the work through the store's leases. As under `taskhub start`, the app's code runs in a supervised language
// worker process, restarted when the code ends it. Drains on Ctrl-C / SIGTERM.
import path from 'node:path';
import { createLogger } from '../log.js';
import { LanguageWorkerSupervisor } from '../host/supervisor.js';
import { startDevelopmentStorage } from '../app/triggers/storage/azurite.js';
import { parseRetentionFlag } from '../retention/policy.js';
import { wholeNumberOption } from './numeric-option.js';
import { print, printError } from './output.js';
import { parseStoreOption } from './store-option.js';

export interface WorkerCommandOptions {
  readonly store?: string;
  readonly hub?: string;
  readonly leaseMs?: string;
  readonly retention?: string;
}

export async function workerCommand(appPath: string | undefined, options: WorkerCommandOptions): Promise<void> {
  const logger = createLogger();
  const leaseMs = wholeNumberOption('--lease-ms', options.leaseMs, { min: 100, unit: 'milliseconds' });
  const retention = options.retention === undefined ? undefined : parseRetentionFlag(options.retention);
  const worker = new LanguageWorkerSupervisor({
    appPath: path.resolve(appPath ?? '.'),
    store: options.store,
    hub: options.hub,
    leaseMs,
    retention,
    serveHttp: false,
    bindHost: '127.0.0.1',
    keys: [],
    maxBodyBytes: 0,
    readOnly: false,
    publicUrl: undefined,
    logger,
  });
  const app = await worker.start();
  // Azurite for the development storage of the app's storage bindings (owned here: it outlives worker restarts).
  const storage = await startDevelopmentStorage(app.storageConnections ?? [], app.root, logger);
  const spec = parseStoreOption(options.store, app.root);
  print(
    `Taskhub worker: ${app.root} (task hub ${app.hubName}, store ${spec.kind === 'sqlite' ? spec.file : 'PostgreSQL'}), ` +
      `${app.orchestrations.length} orchestrations, ${app.activities.length} activities, ` +
      `${app.entities.length} entities; no HTTP. Press Ctrl-C to stop.`,
  );
  for (const line of storage.banner) print(line);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      printError(`${signal} again: exiting without draining.`);
      process.exit(130);
    }
    stopping = true;
    print(`${signal}: draining (Ctrl-C again to exit at once)…`);
    worker
      .stop()
      .finally(() => storage.close())
      .then(
        () => {
          print('Stopped.');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'worker.stop-failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
