// `taskhub start [path]`: serve an app as `func start` does. This process is the host (HTTP, management API,
// dashboard, its own store connection); the app's code runs in a language worker process it supervises, so nothing
// the app does can take the host down. Lists what it serves and drains on Ctrl-C / SIGTERM.
import path from 'node:path';
import { AppDefinition } from '../app/app-definition.js';
import { FunctionRegistry } from '../core/registry.js';
import { openTaskHub } from '../hub.js';
import { createLogger, type Logger } from '../log.js';
import { loadKeys, isLoopback } from '../http/auth.js';
import { displayRoute } from '../http/routes.js';
import { parsePublicUrl, startHttpHost, type RunningHttpHost } from '../http/server.js';
import { DEFAULT_MAX_BODY_BYTES } from '../http/request-body.js';
import { WEBHOOK_PATH } from '../app/management-urls.js';
import { LanguageWorkerSupervisor } from '../host/supervisor.js';
import { startDevelopmentStorage } from '../app/triggers/storage/azurite.js';
import { DEFAULT_HUB, DEFAULT_PORT, type AppSummary } from '../host/worker-protocol.js';
import { portOption, wholeNumberOption } from './numeric-option.js';
import { drainOnSignal } from './drain.js';
import { maxDeliveryCountOf } from './app-folder.js';
import { parseRetentionFlag } from '../retention/policy.js';
import { print } from './output.js';
import { forgetRunningHost, readRunningHost, recordRunningHost, runningHostFile } from './running-host.js';
import { openStoreOption, parseStoreOption } from './store-option.js';
import { localHttpPort } from '../app/settings.js';
import { startGrpcForApp } from '../grpc/cli.js';

export { DEFAULT_HUB, DEFAULT_PORT };

export interface StartOptions {
  readonly port?: string;
  readonly host?: string;
  readonly store?: string;
  readonly hub?: string;
  readonly keysFile?: string;
  readonly maxBodyBytes?: string;
  readonly readOnly?: boolean;
  readonly publicUrl?: string;
  readonly grpc?: string | boolean;
  readonly retention?: string;
}

export const DEFAULT_HOST = '127.0.0.1';
/** See StartAdmission: two claims of work for a worker (64 each), about 0.2 s for one worker on PostgreSQL. */
const MAX_PENDING_STARTS = 128;

export async function startCommand(appPath: string | undefined, options: StartOptions): Promise<void> {
  const logger = createLogger();
  // As func start: --port, else local.settings.json Host.LocalHttpPort; Taskhub also reads PORT, then 7071.
  const port =
    portOption(options.port ?? localHttpPort(path.resolve(appPath ?? '.')) ?? process.env.PORT) ?? DEFAULT_PORT;
  const host = options.host ?? DEFAULT_HOST;
  const maxBodyBytes =
    wholeNumberOption('--max-body-bytes', options.maxBodyBytes, { min: 1, unit: 'bytes' }) ?? DEFAULT_MAX_BODY_BYTES;
  const keys = isLoopback(host) ? [] : loadKeys({ keysFile: options.keysFile });
  const readOnly = options.readOnly ?? false;
  // Checked before the app loads, as the other options are.
  if (options.publicUrl !== undefined) parsePublicUrl(options.publicUrl);
  const retention = options.retention === undefined ? undefined : parseRetentionFlag(options.retention);

  const worker = new LanguageWorkerSupervisor({
    appPath: path.resolve(appPath ?? '.'),
    store: options.store,
    hub: options.hub,
    retention,
    bindHost: host,
    keys,
    maxBodyBytes,
    readOnly,
    publicUrl: options.publicUrl,
    origin: `http://${isLoopback(host) || host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${String(port)}`,
    logger,
  });
  const app = await worker.start();
  // Azurite for the development storage of the app's storage bindings: owned here, so it outlives worker restarts.
  const storage = await startDevelopmentStorage(app.storageConnections ?? [], app.root, logger);
  const spec = parseStoreOption(options.store, app.root);
  let hub;
  try {
    hub = await openTaskHub({
      store: await openStoreOption(spec, app.hubName),
      hubName: app.hubName,
      registry: namesOnly(app),
      worker: false,
      logger,
      waitForStore: true,
      onClientWrite: () => worker.wake(),
    });
  } catch (err) {
    await worker.stop();
    await storage.close();
    throw err;
  }
  const opened = hub;
  worker.onFinished((instanceId) => opened.completions.notifyCompleted(instanceId));
  let http: RunningHttpHost;
  const deliveryLimit = maxDeliveryCountOf(app.root);
  try {
    http = await startHttpHost({
      hub,
      forwardAppRequest: (request) => worker.forward(request),
      // The built-in starter is Taskhub's, not the app's: the host serves it, so it answers while the worker restarts.
      ...(starterTaken(app) ? {} : { app: builtInStarterOnly(app) }),
      // The app runs in its worker process: doctor's delivery threshold comes from its host.json here.
      ...(deliveryLimit === undefined ? {} : { maxDeliveryCount: deliveryLimit }),
      host,
      port,
      keys,
      maxBodyBytes,
      logger,
      readOnly,
      publicUrl: options.publicUrl,
      // Starts wait while this many wait for the workers: a burst queues in its callers, not in the hub (issue 18).
      startPacing: { maxPendingStarts: MAX_PENDING_STARTS },
    });
  } catch (err) {
    await worker.stop();
    await storage.close();
    await hub.close();
    throw err;
  }
  // Recorded before the banner, so whoever reads the banner finds the record too.
  const grpc = await startGrpcForApp(hub, options.grpc, { host, keys, logger, wake: () => worker.wake() });
  // Signals are handled before the banner says the host is up, so a Ctrl-C right after it still drains.
  drainOnSignal(http, hub, logger, () =>
    Promise.all([grpc?.close(), worker.stop().finally(() => storage.close())]).then(() => undefined),
  );
  announce(app, http.url, spec.kind === 'sqlite' ? spec.file : undefined, logger);
  printBanner(app, http, spec.kind === 'sqlite' ? spec.file : 'PostgreSQL', storage.banner);
}

/** Client commands run in the app folder find this host through the record (removed again at exit). */
function announce(app: AppSummary, url: string, sqliteFile: string | undefined, logger: Logger): void {
  // A second host of the same app folder leaves the first one's record alone: the CLI keeps finding the first, and
  // this host's exit cannot remove a record that still names a live host.
  const existing = readRunningHost(app.root);
  if (existing && existing.pid !== process.pid && processAlive(existing.pid)) {
    logger.warn(
      `another host of this app (pid ${String(existing.pid)}, ${existing.url}) is recorded in ` +
        `${runningHostFile(app.root)}; client commands run here keep using it`,
    );
    return;
  }
  try {
    recordRunningHost(app.root, {
      url,
      pid: process.pid,
      hubName: app.hubName,
      ...(sqliteFile === undefined ? { postgres: true } : { sqliteFile }),
      startedAt: new Date().toISOString(),
    });
    process.once('exit', () => forgetRunningHost(app.root));
  } catch (err) {
    // A read-only app folder: the host serves anyway; client commands then need --url.
    logger.warn({ err }, `could not write ${runningHostFile(app.root)}; client commands here will need --url`);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The host's view of the app's functions: names only (the code runs in the worker), so the management API and the
 * dashboard know which orchestrations and entities exist.
 */
function namesOnly(app: AppSummary): FunctionRegistry {
  const registry = new FunctionRegistry();
  const elsewhere = (): never => {
    throw new Error('This function runs in the language worker process, not in the host.');
  };
  for (const name of app.orchestrations) {
    const versions = app.orchestrationVersions?.[name] ?? [];
    if (versions.length === 0) registry.registerOrchestration(name, elsewhere);
    for (const version of versions) registry.registerOrchestration(name, elsewhere, version);
  }
  registry.versioning = app.versioning ?? {};
  for (const name of app.activities) registry.registerActivity(name, elsewhere);
  for (const name of app.entities) registry.registerEntity(name, elsewhere);
  return registry;
}

/** Whether the app serves `orchestrators/...` itself (then the built-in starter stays out of its way). */
function starterTaken(app: AppSummary): boolean {
  return app.httpFunctions.some((fn) => /^orchestrators\//i.test(fn.route));
}

/** An app with no functions of its own under the app's route prefix: what the host serves is the built-in starter. */
function builtInStarterOnly(app: AppSummary): AppDefinition {
  const definition = new AppDefinition();
  definition.routePrefix = app.routePrefix;
  return definition;
}

function printBanner(app: AppSummary, http: RunningHttpHost, store: string, storage: readonly string[]): void {
  print(`Taskhub: serving ${app.root} (task hub ${app.hubName}, store ${store})`);
  print();
  print('Functions:');
  print();
  for (const fn of app.httpFunctions) {
    const methods = fn.methods.length > 0 ? fn.methods.join(',') : 'ALL';
    print(`        ${fn.name}: [${methods}] ${http.url}${displayRoute(app.routePrefix, fn.route)}`);
    print();
  }
  if (!starterTaken(app) && app.orchestrations.length > 0) {
    const route = displayRoute(app.routePrefix, 'orchestrators/{functionName}/{instanceId?}');
    print(`        (built-in starter): [POST] ${http.url}${route}`);
    print();
  }
  const kinds: [string, readonly string[]][] = [
    ['orchestrationTrigger', app.orchestrations],
    ['activityTrigger', app.activities],
    ['entityTrigger', app.entities],
  ];
  for (const [kind, names] of kinds) {
    for (const name of names) {
      print(`        ${name}: ${kind}`);
      print();
    }
  }
  for (const fn of app.triggered) {
    print(`        ${fn.name}: ${fn.trigger}`);
    print();
  }
  for (const fn of app.unserved) {
    print(
      `        ${fn.name}: ${fn.trigger} (not served${fn.reason === undefined ? ' by Taskhub' : `: ${fn.reason}`})`,
    );
    print();
  }
  for (const line of storage) print(line);
  print(`Dashboard: ${http.url}/`);
  print(`Management API: ${http.url}${WEBHOOK_PATH}/instances`);
  print('Press Ctrl-C to stop.');
}
