// `taskhub start [path]`: load an app, open its task hub, serve it over HTTP, list what it serves as `func start`
// does, and drain on Ctrl-C / SIGTERM.
import path from 'node:path';
import { loadApp, type LoadedApp } from '../app/loader.js';
import { openTaskHub } from '../hub.js';
import type { TaskHub } from '../hub-types.js';
import { createLogger, type Logger } from '../log.js';
import { loadKeys, isLoopback } from '../http/auth.js';
import { displayRoute } from '../http/routes.js';
import { startHttpHost, type RunningHttpHost } from '../http/server.js';
import { DEFAULT_MAX_BODY_BYTES } from '../http/request-body.js';
import { WEBHOOK_PATH } from '../app/management-urls.js';
import { print, printError } from './output.js';
import { openStoreOption, parseStoreOption } from './store-option.js';

export interface StartOptions {
  readonly port?: string;
  readonly host?: string;
  readonly store?: string;
  readonly hub?: string;
  readonly keysFile?: string;
  readonly maxBodyBytes?: string;
  readonly readOnly?: boolean;
}

export const DEFAULT_PORT = 7071;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_HUB = 'TestHubName';

export async function startCommand(appPath: string | undefined, options: StartOptions): Promise<void> {
  const logger = createLogger();
  const port = Number(options.port ?? process.env.PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, not ${options.port}`);
  const host = options.host ?? DEFAULT_HOST;
  const maxBodyBytes = Number(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const keys = isLoopback(host) ? [] : loadKeys({ keysFile: options.keysFile });

  const loaded = await loadApp(path.resolve(appPath ?? '.'));
  const hubName = options.hub ?? loaded.definition.hubName ?? DEFAULT_HUB;
  const spec = parseStoreOption(options.store, loaded.root);
  const hub = await openTaskHub({
    store: await openStoreOption(spec, hubName),
    hubName,
    registry: loaded.definition.registry,
    logger,
    waitForStore: true,
  });
  let http: RunningHttpHost;
  try {
    http = await startHttpHost({
      hub,
      app: loaded.definition,
      host,
      port,
      keys,
      maxBodyBytes,
      logger,
      readOnly: options.readOnly ?? false,
    });
  } catch (err) {
    await hub.close();
    throw err;
  }
  await hub.start();
  printBanner(loaded, hub, http, spec.kind === 'sqlite' ? spec.file : 'PostgreSQL');
  drainOnSignal(http, hub, logger);
}

function printBanner(loaded: LoadedApp, hub: TaskHub, http: RunningHttpHost, store: string): void {
  const { definition } = loaded;
  print(`Taskhub: serving ${loaded.root} (task hub ${hub.name}, store ${store})`);
  print();
  print('Functions:');
  print();
  for (const fn of definition.httpFunctions) {
    const methods = fn.methods.length > 0 ? fn.methods.join(',') : 'ALL';
    print(`        ${fn.name}: [${methods}] ${http.url}${displayRoute(definition.routePrefix, fn.route)}`);
    print();
  }
  const starterTaken = definition.httpFunctions.some((fn) => /^orchestrators\//i.test(fn.route));
  if (!starterTaken && definition.registry.orchestrations().length > 0) {
    const route = displayRoute(definition.routePrefix, 'orchestrators/{functionName}/{instanceId?}');
    print(`        (built-in starter): [POST] ${http.url}${route}`);
    print();
  }
  const kinds: [string, { name: string }[]][] = [
    ['orchestrationTrigger', definition.registry.orchestrations()],
    ['activityTrigger', definition.registry.activities()],
    ['entityTrigger', definition.registry.entities()],
  ];
  for (const [kind, list] of kinds) {
    for (const fn of list) {
      print(`        ${fn.name}: ${kind}`);
      print();
    }
  }
  print(`Dashboard: ${http.url}/`);
  print(`Management API: ${http.url}${WEBHOOK_PATH}/instances`);
  print('Press Ctrl-C to stop.');
}

export function drainOnSignal(http: RunningHttpHost, hub: TaskHub, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      printError(`${signal} again: exiting without draining.`);
      process.exit(130);
    }
    stopping = true;
    print(`${signal}: draining (Ctrl-C again to exit at once)…`);
    void (async () => {
      try {
        await http.close();
        await hub.close();
        print('Stopped.');
        process.exit(0);
      } catch (err) {
        logger.error({ err }, 'host.stop-failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
