// Where client commands act: a running host over its management API, or a task hub's store directly (client only: no
// worker runs, a host elsewhere picks the messages up). Both answer in the status API's JSON shape, so the commands
// print the same either way. Without --url or --store, the app folder decides (see resolveTarget).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TaskHubClient } from '../client/durable-client.js';
import { toStatusJson, type StatusJson } from '../client/status-view.js';
import { readWaitingFor } from '../client/waiting-for.js';
import type { RuntimeStatus } from '../core/history.js';
import { toSummary } from '../http/dashboard-feed.js';
import type { OrchestrationFilter } from '../client/types.js';
import { DEFAULT_HUB } from '../host/worker-protocol.js';
import { openTaskHub } from '../hub.js';
import { createLogger } from '../log.js';
import { findAppFolder, type AppFolder } from './app-folder.js';
import { remoteTarget } from './remote-target.js';
import { hostAnswers, readRunningHost } from './running-host.js';
import { otherHubsHint } from './store-hubs.js';
import { defaultStoreFile, openStoreOption, parseStoreOption, type StoreSpec } from './store-option.js';

/** One row of `list`: the dashboard's summary of an instance (no input or output), newest first. */
export interface ListedInstance {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: string;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly customStatus: unknown;
  readonly version?: string;
}

export interface ListResult {
  readonly instances: readonly ListedInstance[];
  readonly continuationToken?: string;
}

export interface StartedInstance {
  readonly id: string;
  /** The status query URL when a host started it; a store has no URL. */
  readonly statusUrl?: string;
}

export interface ClientTarget {
  /** Where the commands act, for messages: "the host at http://…" or "task hub X in <file>". */
  readonly where: string;
  /** Instances newest first (as the dashboard lists them), one page. */
  list(filter: OrchestrationFilter): Promise<ListResult>;
  /** `showWaitingFor` adds the Taskhub extension `waitingFor` (see status-view.ts). */
  status(instanceId: string, showHistory: boolean, showWaitingFor?: boolean): Promise<StatusJson>;
  start(name: string, input: unknown, instanceId: string | undefined, version?: string): Promise<StartedInstance>;
  raise(instanceId: string, eventName: string, data: unknown): Promise<void>;
  control(op: 'terminate' | 'suspend' | 'resume' | 'rewind', instanceId: string, reason?: string): Promise<void>;
  restart(instanceId: string, newInstanceId: boolean): Promise<string>;
  purge(instanceId: string): Promise<number>;
  /**
   * Optional: purge the finished ones of a few hundred ids in one short store transaction (store targets). Without it
   * the ids are purged one by one.
   */
  purgeMany?(instanceIds: readonly string[]): Promise<number>;
  /** When the hub read is empty and the store holds others: a sentence naming them (store targets only). */
  otherHubsHint(): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface TargetOptions {
  readonly url?: string;
  readonly store?: string;
  readonly hub?: string;
  readonly key?: string;
  readonly app?: string;
}

export type ResolvedTarget =
  { readonly kind: 'host'; readonly url: string; readonly key?: string; readonly app?: AppFolder } | StoreTarget;

export interface StoreTarget {
  readonly kind: 'store';
  readonly spec: StoreSpec;
  readonly hubName: string;
  readonly app?: AppFolder;
  /** Named by --store (rather than found through the app folder). */
  readonly fromOption: boolean;
}

/**
 * Picks the target: `--url` a host; `--store` that store (hub: --hub, else the app's, else TestHubName); otherwise the
 * app folder (--app, or host.json at or above the current folder) gives its running host if one answers and serves
 * the hub asked for, else its store (`.taskhub/taskhub.db`, or the SQLite file its last host served) and its hub.
 */
export async function resolveTarget(options: TargetOptions): Promise<ResolvedTarget> {
  const key = options.key ?? process.env.TASKHUB_KEY;
  if (options.url) return { kind: 'host', url: options.url, ...(key ? { key } : {}) };
  const app = findAppFolder(options.app);
  if (options.store) {
    const spec = parseStoreOption(options.store, process.cwd());
    const hubName = options.hub ?? app?.hubName ?? DEFAULT_HUB;
    return { kind: 'store', spec, hubName, ...(app ? { app } : {}), fromOption: true };
  }
  if (!app) {
    throw new Error(
      'No app here (no host.json in this folder or above it). Run this in an app folder, or say where the ' +
        'instances are: --app <folder>, --url http://127.0.0.1:7071 or --store sqlite:<file>.',
    );
  }
  const running = readRunningHost(app.root);
  const hubName = options.hub ?? running?.hubName ?? app.hubName;
  if (running && sameHub(running.hubName, hubName) && (await hostAnswers(running))) {
    return { kind: 'host', url: running.url, ...(key ? { key } : {}), app };
  }
  if (running?.postgres && sameHub(running.hubName, hubName)) {
    throw new Error(
      `The host of ${app.root} (${running.url}) does not answer, and it served a PostgreSQL store: start it again ` +
        'with `taskhub start`, or give the store with --store postgres://….',
    );
  }
  const file = running?.sqliteFile ?? defaultStoreFile(app.root);
  return { kind: 'store', spec: { kind: 'sqlite', file }, hubName, app, fromOption: false };
}

function sameHub(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export async function openTarget(options: TargetOptions): Promise<ClientTarget> {
  const target = await resolveTarget(options);
  if (target.kind === 'host') return remoteTarget(target.url, target.key);
  return storeTarget(target);
}

/** A SQLite file that does not exist is an error: a client command never creates an empty store to read it. */
export function requireStoreFile({ spec, app, fromOption }: StoreTarget): void {
  if (spec.kind !== 'sqlite' || spec.file === ':memory:' || existsSync(spec.file)) return;
  if (fromOption) {
    throw new Error(
      `There is no store at ${spec.file}: check the --store path (a host creates its store when it first starts).`,
    );
  }
  const where = app ? ` for ${app.root}` : '';
  throw new Error(
    `No host answers${where} and there is no store at ${spec.file}: start the app with \`taskhub start\`` +
      `${app ? ` in ${path.relative(process.cwd(), app.root) || 'this folder'}` : ''}, or give --url or --store.`,
  );
}

async function storeTarget(target: StoreTarget): Promise<ClientTarget> {
  requireStoreFile(target);
  const { spec, hubName } = target;
  const hub = await openTaskHub({
    store: await openStoreOption(spec, hubName, { mustExist: true }),
    hubName,
    worker: false,
    logger: createLogger({ level: process.env.TASKHUB_LOG_LEVEL ?? 'warn' }),
  });
  // No app is loaded here: starting or restarting must not insist that the orchestrator be registered in this process.
  const client = new TaskHubClient({ store: hub.store });
  return {
    where: `task hub ${hubName} in ${spec.kind === 'sqlite' ? spec.file : 'PostgreSQL'}`,
    async list(filter) {
      const query = {
        createdTimeFrom: filter.createdTimeFrom?.toISOString(),
        createdTimeTo: filter.createdTimeTo?.toISOString(),
        runtimeStatus: filter.runtimeStatus,
        instanceIdPrefix: filter.instanceIdPrefix,
        ...(filter.version === undefined ? {} : { version: filter.version }),
        pageSize: filter.pageSize,
        continuationToken: filter.continuationToken,
        showInput: false,
      };
      const store = hub.store;
      // Every store of ours can search newest first; a store that cannot gives its page in created order, reversed.
      const page = store.searchInstances
        ? await store.searchInstances({ ...query, orderBy: 'createdTime', descending: true })
        : await store.queryInstances(query);
      const rows = page.instances.map(toSummary);
      return {
        instances: store.searchInstances ? rows : rows.reverse(),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      };
    },
    async status(id, showHistory, showWaitingFor = false) {
      const status = toStatusJson(await client.getStatus(id, { showHistory, showHistoryOutput: showHistory }));
      if (!showWaitingFor) return status;
      return { ...status, waitingFor: await readWaitingFor(hub.store, id, status.runtimeStatus as RuntimeStatus) };
    },
    async start(name, input, instanceId, version) {
      return { id: await client.startNew(name, { instanceId, input, ...(version ? { version } : {}) }) };
    },
    raise: (id, name, data) => client.raiseEvent(id, name, data),
    control: (op, id, reason) => client[op](id, reason),
    restart: (id, newId) => client.restart(id, newId),
    purge: async (id) => (await client.purgeInstanceHistory(id)).instancesDeleted,
    purgeMany: (ids) => hub.store.purgeInstanceBatch({ instanceIds: ids }),
    otherHubsHint: () => otherHubsHint(spec, hubName),
    close: () => hub.close(),
  };
}
