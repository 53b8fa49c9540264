// `taskhub export <instanceId>`: an instance's name, input and raw stored history as JSON on stdout, the file that
// `taskhub replay` (and checkReplay in tests) replays against new code. Read from a store, or from a running host.
import { toExportedHistory } from '../client/exported-history.js';
import { TaskhubError } from '../core/errors.js';
import type { HistoryEvent } from '../core/history.js';
import { openTaskHub } from '../hub.js';
import { createLogger } from '../log.js';
import type { InstanceRecord } from '../store/store.js';
import { requireStoreFile, resolveTarget, type StoreTarget, type TargetOptions } from './client-target.js';
import { printJson } from './output.js';
import { answerError, fetchHost } from './remote-target.js';
import { otherHubsHint } from './store-hubs.js';
import { openStoreOption } from './store-option.js';

export async function exportCommand(instanceId: string, options: TargetOptions): Promise<void> {
  const target = await resolveTarget(options);
  const { instance, history } =
    target.kind === 'host' ? await fromHost(target.url, instanceId, target.key) : await fromStore(target, instanceId);
  const exported = toExportedHistory(instance, history);
  printJson(exported);
}

interface Found {
  readonly instance: InstanceRecord;
  readonly history: HistoryEvent[];
}

async function fromStore(target: StoreTarget, instanceId: string): Promise<Found> {
  requireStoreFile(target);
  const { spec, hubName } = target;
  const hub = await openTaskHub({
    store: await openStoreOption(spec, hubName, { mustExist: true }),
    hubName,
    worker: false,
    logger: createLogger({ level: process.env.TASKHUB_LOG_LEVEL ?? 'warn' }),
  });
  try {
    const instance = await hub.store.getInstance(instanceId);
    if (!instance) {
      const hint = await otherHubsHint(spec, hubName);
      throw new TaskhubError(
        'INSTANCE_NOT_FOUND',
        `No instance with ID '${instanceId}' found.${hint ? ` ${hint}` : ''}`,
      );
    }
    return { instance, history: await hub.store.getHistory(instanceId) };
  } finally {
    await hub.close();
  }
}

/** The host's dashboard API serves the raw history (the management API's showHistory is Durable Functions' view). */
async function fromHost(baseUrl: string, instanceId: string, key: string | undefined): Promise<Found> {
  const url = `${baseUrl.replace(/\/+$/, '')}/dashboard/api/instances/${encodeURIComponent(instanceId)}`;
  const response = await fetchHost(baseUrl, url, { headers: key ? { 'x-functions-key': key } : {} });
  if (!response.ok) throw await answerError(response);
  return (await response.json()) as Found;
}
