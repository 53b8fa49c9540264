// `taskhub export <instanceId>`: an instance's name, input and raw stored history as JSON on stdout, the file that
// `taskhub replay` (and checkReplay in tests) replays against new code. Read from a store, or from a running host.
import { TaskhubError } from '../core/errors.js';
import type { HistoryEvent } from '../core/history.js';
import { openTaskHub } from '../hub.js';
import { createLogger } from '../log.js';
import type { InstanceRecord } from '../store/store.js';
import type { TargetOptions } from './client-target.js';
import { printJson } from './output.js';
import { openStoreOption, parseStoreOption } from './store-option.js';

/** The export file. `format` names its version so later readers can tell old files apart. */
export interface ExportedHistory {
  readonly format: 'taskhub-history/1';
  readonly instanceId: string;
  readonly name: string;
  /** The execution's input, JSON text as stored. */
  readonly input?: string;
  readonly runtimeStatus: string;
  readonly executionId: string;
  readonly exportedAt: string;
  readonly history: readonly HistoryEvent[];
}

export async function exportCommand(instanceId: string, options: TargetOptions): Promise<void> {
  const { instance, history } = options.url
    ? await fromHost(options.url, instanceId, options.key ?? process.env.TASKHUB_KEY)
    : await fromStore(options, instanceId);
  const exported: ExportedHistory = {
    format: 'taskhub-history/1',
    instanceId: instance.instanceId,
    name: instance.name,
    ...(instance.input === undefined ? {} : { input: instance.input }),
    runtimeStatus: instance.runtimeStatus,
    executionId: instance.executionId,
    exportedAt: new Date().toISOString(),
    history,
  };
  printJson(exported);
}

interface Found {
  readonly instance: InstanceRecord;
  readonly history: HistoryEvent[];
}

async function fromStore(options: TargetOptions, instanceId: string): Promise<Found> {
  if (!options.store) {
    throw new TaskhubError('INVALID_ARGUMENT', 'Say where the instance is: --store sqlite:<file> or --url <host>.');
  }
  const hubName = options.hub ?? 'TestHubName';
  const hub = await openTaskHub({
    store: await openStoreOption(parseStoreOption(options.store, process.cwd()), hubName),
    hubName,
    worker: false,
    logger: createLogger({ level: process.env.TASKHUB_LOG_LEVEL ?? 'warn' }),
  });
  try {
    const instance = await hub.store.getInstance(instanceId);
    if (!instance) throw new TaskhubError('INSTANCE_NOT_FOUND', `No instance with ID '${instanceId}' found.`);
    return { instance, history: await hub.store.getHistory(instanceId) };
  } finally {
    await hub.close();
  }
}

/** The host's dashboard API serves the raw history (the management API's showHistory is Durable Functions' view). */
async function fromHost(baseUrl: string, instanceId: string, key: string | undefined): Promise<Found> {
  const url = `${baseUrl.replace(/\/+$/, '')}/dashboard/api/instances/${encodeURIComponent(instanceId)}`;
  const response = await fetch(url, { headers: key ? { 'x-functions-key': key } : {} });
  if (!response.ok) {
    const hint = response.status === 404 ? ` (is the instance there, and does the host serve its dashboard?)` : '';
    throw new Error(`GET ${url} answered ${response.status}${hint}: ${await response.text()}`);
  }
  return (await response.json()) as Found;
}
