// `taskhub worker [path]`: the app's orchestrations, activities and entities run from a shared task hub, without an
// HTTP host. Add as many as you like next to `taskhub start` hosts (on PostgreSQL, on any number of machines); they
// share the work through the store's leases. Drains on Ctrl-C / SIGTERM.
import path from 'node:path';
import { loadApp, workerSettings } from '../app/loader.js';
import { openTaskHub } from '../hub.js';
import { createLogger } from '../log.js';
import { wholeNumberOption } from './numeric-option.js';
import { print, printError } from './output.js';
import { DEFAULT_HUB } from './start.js';
import { openStoreOption, parseStoreOption } from './store-option.js';

export interface WorkerCommandOptions {
  readonly store?: string;
  readonly hub?: string;
  readonly leaseMs?: string;
}

export async function workerCommand(appPath: string | undefined, options: WorkerCommandOptions): Promise<void> {
  const logger = createLogger();
  const leaseMs = wholeNumberOption('--lease-ms', options.leaseMs, { min: 100, unit: 'milliseconds' });
  const loaded = await loadApp(path.resolve(appPath ?? '.'));
  const hubName = options.hub ?? loaded.definition.hubName ?? DEFAULT_HUB;
  const spec = parseStoreOption(options.store, loaded.root);
  const hub = await openTaskHub({
    store: await openStoreOption(spec, hubName),
    hubName,
    registry: loaded.definition.registry,
    logger,
    waitForStore: true,
    worker: { ...workerSettings(loaded.definition), ...(leaseMs === undefined ? {} : { leaseMs }) },
  });
  await hub.start();
  const { registry } = loaded.definition;
  print(
    `Taskhub worker: ${loaded.root} (task hub ${hub.name}, store ${spec.kind === 'sqlite' ? spec.file : 'PostgreSQL'}), ` +
      `${registry.orchestrations().length} orchestrations, ${registry.activities().length} activities, ` +
      `${registry.entities().length} entities; no HTTP. Press Ctrl-C to stop.`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      printError(`${signal} again: exiting without draining.`);
      process.exit(130);
    }
    stopping = true;
    print(`${signal}: draining (Ctrl-C again to exit at once)…`);
    hub.close().then(
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
