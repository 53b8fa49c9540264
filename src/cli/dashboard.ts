// `taskhub dashboard --store …`: the web dashboard over a store, with no app loaded and no worker. Actions become
// stored messages that the hosts running the app act on, so it can sit beside them (or alone, read-only).
import { TaskHubClient } from '../client/durable-client.js';
import { AppDefinition } from '../app/app-definition.js';
import { WEBHOOK_PATH } from '../app/management-urls.js';
import { openTaskHub } from '../hub.js';
import { loadKeys, isLoopback } from '../http/auth.js';
import { startHttpHost } from '../http/server.js';
import { createLogger } from '../log.js';
import { portOption } from './numeric-option.js';
import { print, printError } from './output.js';
import { otherHubsHint } from './store-hubs.js';
import { requireStoreFile, resolveTarget } from './client-target.js';
import { drainOnSignal } from './drain.js';
import { DEFAULT_HOST } from './start.js';
import { openStoreOption } from './store-option.js';

export interface DashboardOptions {
  readonly app?: string;
  readonly store?: string;
  readonly hub?: string;
  readonly port?: string;
  readonly host?: string;
  readonly keysFile?: string;
  readonly readOnly?: boolean;
  readonly publicUrl?: string;
}

export async function dashboardCommand(options: DashboardOptions): Promise<void> {
  const logger = createLogger();
  const port = portOption(options.port) ?? 7072;
  const host = options.host ?? DEFAULT_HOST;
  const keys = isLoopback(host) ? [] : loadKeys({ keysFile: options.keysFile });
  // Run in an app folder, the dashboard reads the app's store and hub, as the client commands do.
  const target = await resolveTarget({ app: options.app, store: options.store, hub: options.hub });
  if (target.kind === 'host') {
    print(`The app's host already serves its dashboard: ${target.url}/`);
    return;
  }
  requireStoreFile(target);
  const { spec, hubName } = target;
  const opened = await openTaskHub({
    store: await openStoreOption(spec, hubName, { mustExist: true }),
    hubName,
    worker: false,
    logger,
  });
  // No app is loaded here, so restart must not insist that the orchestrator be registered in this process.
  const hub = { ...opened, client: new TaskHubClient({ store: opened.store }) };
  let http;
  try {
    http = await startHttpHost({
      hub,
      app: new AppDefinition(),
      host,
      port,
      keys,
      logger,
      readOnly: options.readOnly ?? false,
      publicUrl: options.publicUrl,
    });
  } catch (err) {
    await hub.close();
    throw err;
  }
  print(`Taskhub dashboard: task hub ${hub.name}, store ${spec.kind === 'sqlite' ? spec.file : 'PostgreSQL'}`);
  print(`Dashboard: ${http.url}/`);
  print(`Management API: ${http.url}${WEBHOOK_PATH}/instances`);
  // An empty dashboard over a store that holds other hubs: say which, as the client commands do.
  const hint = await otherHubsHint(spec, hubName).catch(() => undefined);
  if (hint) printError(hint);
  print('Press Ctrl-C to stop.');
  drainOnSignal(http, hub, logger);
}
