// The language worker process: the one process of `taskhub start` that runs the app's code (orchestrations,
// activities, entities, HTTP functions). Its host forks it, hands it requests over IPC and restarts it when the app's
// code ends it (an uncaught exception, an unhandled rejection, process.exit). Whatever happens here, the host's
// management API, dashboard and store connection live on.
import type { Hono } from 'hono';
import path from 'node:path';
import { startApp, terminateApp } from '../app/azure-functions.js';
import { startTriggerServices, type RunningTriggerService } from '../app/triggers/index.js';
import { storageBindingsOfApp, storageConnectionsOf } from '../app/bindings/storage.js';
import { loadApp, workerSettings, type LoadedApp } from '../app/loader.js';
import { openTaskHub, type OpenedTaskHub } from '../hub.js';
import { isTaskhubError } from '../core/errors.js';
import { createHttpApp } from '../http/server.js';
import { LogEvents, createLogger } from '../log.js';
import { openStoreOption, parseStoreOption } from '../cli/store-option.js';
import { retentionWithAges } from '../retention/policy.js';
import {
  DEFAULT_HUB,
  DEFAULT_PORT,
  EXIT_RECYCLED,
  HEARTBEAT_MS,
  EXIT_UNCAUGHT,
  isHostMessage,
  type AppSummary,
  type ForwardedRequest,
  type WorkerInit,
  type WorkerMessage,
} from './worker-protocol.js';

const logger = createLogger();

function send(message: WorkerMessage): void {
  // The channel closes when the host dies; this process then exits on 'disconnect', so a lost message is moot.
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
}

// The app's code threw where no caller can catch it (a timer callback, a dropped promise): this process is in an
// unknown state, so it ends, and the host starts a fresh one. The work in flight is delivered again; work that keeps
// ending its worker is quarantined by its delivery count.
function crashed(kind: string, err: unknown): never {
  logger.fatal({ event: LogEvents.languageWorkerCrashed, kind, err }, `the app's code crashed its worker (${kind})`);
  process.exit(EXIT_UNCAUGHT);
}
process.on('uncaughtException', (err) => crashed('uncaught exception', err));
process.on('unhandledRejection', (err) => crashed('unhandled rejection', err));
// The host is gone (killed, crashed): nobody serves our answers, and a new host must be able to take our locks.
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group; the host decides when this process drains (it sends 'stop').
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

function summarize(loaded: LoadedApp, hubName: string): AppSummary {
  const { definition } = loaded;
  return {
    root: loaded.root,
    kind: loaded.kind,
    hubName,
    routePrefix: definition.routePrefix,
    httpFunctions: definition.httpFunctions.map((fn) => ({ name: fn.name, methods: fn.methods, route: fn.route })),
    orchestrations: definition.registry.orchestrations().map((f) => f.name),
    orchestrationVersions: Object.fromEntries(
      definition.registry
        .orchestrations()
        .map((f): [string, string[]] => [
          f.name,
          definition.registry.orchestrationVersions(f.name).flatMap((r) => r.version ?? []),
        ])
        .filter(([, versions]) => versions.length > 0),
    ),
    versioning: definition.registry.versioning,
    activities: definition.registry.activities().map((f) => f.name),
    entities: definition.registry.entities().map((f) => f.name),
    unserved: definition.unservedFunctions,
    triggered: definition.triggerFunctions.map((fn) => ({ name: fn.name, trigger: fn.trigger.type })),
    storageConnections: [...storageConnectionsOf(storageBindingsOfApp(definition))],
    functionTimeoutMs: definition.functionTimeoutMs,
  };
}

/** Replaced once the hub is open: drain and exit so the host starts a fresh process. */
let recycle = (reason: string): void => {
  logger.warn({ event: LogEvents.languageWorkerRecycling, reason }, 'recycling before the hub is open');
};

/**
 * An HTTP function past host.json functionTimeout answers 500 as Azure's host does; its code cannot be stopped, so
 * this process is recycled once its other work is drained.
 */
async function withinFunctionTimeout(
  handled: Promise<Response>,
  timeoutMs: number,
  request: ForwardedRequest,
): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Response>((resolve) => {
    timer = setTimeout(() => {
      const path = new URL(request.url).pathname;
      logger.error(
        { event: LogEvents.httpFunctionTimedOut, path, timeoutMs },
        'HTTP function ran past functionTimeout',
      );
      recycle(`the HTTP function serving ${request.method} ${path} ran past functionTimeout`);
      resolve(
        Response.json(
          {
            Message: `The function serving ${request.method} ${path} exceeded host.json functionTimeout (${timeoutMs} ms).`,
            code: 'FUNCTION_TIMEOUT',
          },
          { status: 500 },
        ),
      );
    }, timeoutMs);
  });
  // The losing side settles later with nobody waiting: its outcome is dropped, never unhandled.
  handled.catch(() => undefined);
  return Promise.race([handled, timedOut]).finally(() => clearTimeout(timer));
}

/** The app's start and terminate hooks are its code: a failure is logged, never fatal. */
async function runHooks(kind: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    logger.error({ event: LogEvents.appHookFailed, kind, err }, `an ${kind} hook of the app failed`);
  }
}

async function run(init: WorkerInit): Promise<void> {
  let hub: OpenedTaskHub;
  let loaded: LoadedApp;
  /** Undefined for `taskhub worker`, which serves no HTTP (its host forwards nothing). */
  let app: Hono | undefined;
  try {
    loaded = await loadApp(path.resolve(init.appPath), { logger });
    const hubName = init.hub ?? loaded.definition.hubName ?? DEFAULT_HUB;
    const spec = parseStoreOption(init.store, loaded.root);
    hub = await openTaskHub({
      store: await openStoreOption(spec, hubName),
      hubName,
      registry: loaded.definition.registry,
      logger,
      worker: {
        ...workerSettings(loaded.definition),
        ...(init.leaseMs === undefined ? {} : { leaseMs: init.leaseMs }),
        ...(init.retention === undefined
          ? {}
          : { retention: retentionWithAges({ olderThanMs: {}, ...loaded.definition.retention, ...init.retention }) }),
      },
      waitForStore: true,
      onFinished: (instanceId) => send({ type: 'finished', instanceId }),
      onRunawayCode: (reason) => recycle(reason),
    });
    app =
      init.serveHttp === false
        ? undefined
        : createHttpApp({
            hub,
            app: loaded.definition,
            host: init.bindHost,
            keys: init.keys,
            maxBodyBytes: init.maxBodyBytes,
            readOnly: init.readOnly,
            publicUrl: init.publicUrl,
            logger,
            dashboard: false,
          });
  } catch (err) {
    const code = isTaskhubError(err) ? { code: err.code } : {};
    const message: WorkerMessage = {
      type: 'load-failed',
      message: err instanceof Error ? err.message : String(err),
      ...code,
    };
    // Exit once the message has left: the host reports it as the reason the app did not start.
    if (process.connected) process.send?.(message, undefined, undefined, () => process.exit(1));
    else process.exit(1);
    return;
  }

  const timeoutMs = loaded.definition.functionTimeoutMs;
  /** The whole answer, body included: a response whose body stream fails is a 500, not a dead worker. */
  const respond = async (
    request: ForwardedRequest,
  ): Promise<{ status: number; headers: Headers; body: Uint8Array }> => {
    if (!app) throw new Error('This worker serves no HTTP.');
    const handled = Promise.resolve(
      app.fetch(
        new Request(request.url, {
          method: request.method,
          headers: request.headers as [string, string][],
          ...(request.body === undefined ? {} : { body: request.body }),
        }),
      ),
    );
    const response = timeoutMs === undefined ? await handled : await withinFunctionTimeout(handled, timeoutMs, request);
    return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
  };
  const answer = async (request: ForwardedRequest): Promise<void> => {
    let answered: { status: number; headers: Headers; body: Uint8Array };
    try {
      answered = await respond(request);
    } catch (err) {
      logger.error({ event: LogEvents.languageWorkerRequestFailed, err }, 'forwarded request failed');
      const failed = Response.json(
        { Message: 'The request failed; see the host log.', code: 'INTERNAL' },
        { status: 500 },
      );
      answered = { status: 500, headers: failed.headers, body: new Uint8Array(await failed.arrayBuffer()) };
    }
    send({
      type: 'response',
      id: request.id,
      status: answered.status,
      headers: [...answered.headers],
      body: answered.body,
    });
  };

  let stopping = false;
  let triggers: RunningTriggerService | undefined = undefined;
  const drainAndExit = (code: number): void => {
    if (stopping) return;
    stopping = true;
    // Triggers stop first (no new invocations), then the app's terminate hooks, then the hub drains its work.
    Promise.resolve(triggers?.close())
      .then(() => runHooks('appTerminate', () => terminateApp(loaded.definition)))
      .then(() => hub.close())
      .then(
        () => process.exit(code),
        (err: unknown) => {
          logger.error({ err }, 'language worker stop failed');
          process.exit(1);
        },
      );
  };
  recycle = (reason) => {
    send({ type: 'recycling', reason });
    drainAndExit(EXIT_RECYCLED);
  };
  process.on('message', (message: unknown) => {
    if (!isHostMessage(message)) return;
    switch (message.type) {
      case 'request':
        answer(message).catch((err: unknown) => crashed('request', err));
        return;
      case 'wake':
        hub.worker?.notify();
        return;
      case 'stop':
        drainAndExit(0);
        return;
      case 'init':
        return;
    }
  });
  await hub.start();
  await runHooks('appStart', () => startApp(loaded.definition));
  const origin = init.publicUrl ?? init.origin ?? `http://localhost:${String(DEFAULT_PORT)}`;
  triggers = await startTriggerServices(
    loaded.definition.triggerFunctions,
    {
      app: loaded.definition,
      client: hub.client,
      store: hub.store,
      urls: { origin, originIsPublic: init.publicUrl !== undefined, taskHubName: hub.name },
      logger,
      root: loaded.root,
    },
    logger,
  );
  if (stopping) await triggers.close();
  send({ type: 'ready', app: summarize(loaded, hub.name) });
  // Proof of life for the host's watchdog: a synchronous endless loop in the app's code stops these, and only these
  // tell the host, since no timer in this process can fire any more.
  setInterval(() => send({ type: 'heartbeat' }), HEARTBEAT_MS).unref();
}

process.once('message', (message: unknown) => {
  if (!isHostMessage(message) || message.type !== 'init') return;
  run(message).catch((err: unknown) => crashed('start', err));
});
