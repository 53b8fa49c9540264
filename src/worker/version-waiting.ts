// Instances of a version this app does not run (versionFailureStrategy Reject) wait for a worker that runs it, and no
// claim of this worker ever takes them, so nothing else here would mention them. The notice says so once per
// orchestration and version: for the starts of this process, and for what a look into the store finds (at start, then
// every few minutes: one bounded page of unfinished instances), whichever process started them.
import type { RuntimeStatus } from '../core/history.js';
import type { FunctionRegistry } from '../core/registry.js';
import { LogEvents, type Logger } from '../log.js';
import type { Store } from '../store/store.js';

/** How often the store is looked at again: a deploy that drops a version shows within this, without costing claims. */
export const VERSION_SCAN_INTERVAL_MS = 5 * 60_000;
/** Unfinished instances read per look; a hub with more is covered as far as this page reaches. */
const SCAN_PAGE = 1000;
const UNFINISHED: readonly RuntimeStatus[] = ['Pending', 'Running', 'Suspended'];

export class VersionWaitingNotice {
  readonly #registry: FunctionRegistry;
  readonly #logger: Logger;
  readonly #told = new Set<string>();

  constructor(registry: FunctionRegistry, logger: Logger) {
    this.#registry = registry;
    this.#logger = logger;
  }

  /** Logs `orchestration.version-waiting` the first time an instance of this (name, version) is seen waiting. */
  tell(name: string, version: string | undefined, instanceId: string, status: RuntimeStatus): void {
    if (this.#registry.versioning.versionFailureStrategy === 'Fail') return;
    const choice = this.#registry.orchestrationFor(name, version);
    if (!choice || !('refused' in choice)) return;
    const key = `${name.toLowerCase()}\u0000${version ?? ''}`;
    if (this.#told.has(key)) return;
    this.#told.add(key);
    this.#logger.warn(
      { event: LogEvents.orchestrationVersionWaiting, instanceId, name, version, runtimeStatus: status },
      `${choice.refused} Instance '${instanceId}' waits, ${status}, for a worker that runs its version ` +
        '(versionFailureStrategy Reject); this app never claims it, and later instances of that version are not ' +
        'reported again.',
    );
  }

  /**
   * One page of the store's unfinished instances, each told. Nothing to read when the app filters no version (it runs
   * whatever it knows). Rejects only with the store's error.
   */
  async scan(store: Pick<Store, 'queryInstances'>): Promise<void> {
    if (this.#registry.versionFilter() === undefined) return;
    const page = await store.queryInstances({ runtimeStatus: UNFINISHED, pageSize: SCAN_PAGE, showInput: false });
    for (const i of page.instances) {
      if (i.instanceId.startsWith('@')) continue; // entities have no version
      this.tell(i.name, i.version, i.instanceId, i.runtimeStatus);
    }
  }
}
