// Retention: finished instances purged in the background once older than their status's age, with entity storage
// cleaned up as cleanEntityStorage does. Passes run on a fixed schedule (every `intervalMs`, aligned to the epoch), and
// each occurrence is claimed through the store's timer schedules (Store.claimTimerOccurrence), which gives it to
// exactly one worker of the hub: three workers on one PostgreSQL hub or two processes on one SQLite file never purge
// at once. A pass stops at the next occurrence, so passes never overlap; what it left is the next pass's.
// Each batch is one short transaction, followed by a rest nine times as long as the batch took, so the hub's own
// commits keep at least nine tenths of the store (and, SQLite being synchronous, of this process's event loop).
// Nothing here throws: a failed pass is logged and the next one runs.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LogEvents, type Logger } from '../log.js';
import { storeFailureKind } from '../store/store-failure.js';
import type { Store } from '../store/store.js';
import { cleanEntityPage } from './entity-cleanup.js';
import {
  DEFAULT_RETENTION_BATCH,
  DEFAULT_RETENTION_INTERVAL_MS,
  RETAINED_STATUSES,
  type RetainedStatus,
  type RetentionPolicy,
} from './policy.js';

/** The schedule key retention claims its passes under: '$' is in no function name, so no timer trigger shares it. */
export const RETENTION_SCHEDULE = '$retention';
/** Rest after a batch, as a multiple of the time the batch took (and at least REST_MIN_MS). */
const REST_FACTOR = 9;
const REST_MIN_MS = 2;
const ENTITY_PAGE = 100;
const MIN_INTERVAL_MS = 100;

export interface RetentionPassSummary {
  /** The schedule slot this pass claimed (ISO 8601): no other worker ran a pass for it. */
  readonly slot: string;
  readonly purged: Readonly<Partial<Record<RetainedStatus, number>>>;
  readonly emptyEntitiesRemoved: number;
  readonly orphanedLocksReleased: number;
  readonly batches: number;
  readonly durationMs: number;
  /** False when the pass reached its end of slot with work left (the next pass goes on). */
  readonly complete: boolean;
}

type RetentionStore = Pick<
  Store,
  | 'purgeInstanceBatch'
  | 'claimTimerOccurrence'
  | 'queryInstances'
  | 'getInstance'
  | 'deleteEntityIfIdle'
  | 'enqueueMessages'
>;

export class Retention {
  readonly #store: RetentionStore;
  readonly #policy: RetentionPolicy;
  readonly #logger: Logger;
  readonly #workerId = `retention:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #onPass: ((summary: RetentionPassSummary) => void) | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(
    store: RetentionStore,
    policy: RetentionPolicy,
    logger: Logger,
    onPass?: (summary: RetentionPassSummary) => void,
  ) {
    this.#store = store;
    this.#policy = policy;
    this.#logger = logger;
    this.#onPass = onPass;
  }

  /** Starts the passes (the first one at once, if no other worker ran this slot's). */
  start(): void {
    if (this.#loop || this.#stopped) return;
    // #run never rejects (every failure is logged inside), so the promise only needs keeping for stop().
    this.#loop = this.#run();
  }

  /** Ends the current batch and stops; what is left waits for the next pass of any worker. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    // Settings refuse less than a second; embedding code gets at least this much, never a busy loop.
    const interval = Math.max(MIN_INTERVAL_MS, this.#policy.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS);
    while (!this.#stopped) {
      const slot = Math.floor(Date.now() / interval) * interval;
      const end = slot + interval;
      try {
        const claimed = await this.#store.claimTimerOccurrence({
          functionName: RETENTION_SCHEDULE,
          occurrence: new Date(slot).toISOString(),
          next: new Date(end).toISOString(),
          workerId: this.#workerId,
        });
        if (claimed) await this.#pass(new Date(slot).toISOString(), end);
      } catch (err) {
        // An outage is logged once by the store's health watch; the next slot tries again.
        const outage = storeFailureKind(err) !== undefined;
        this.#logger[outage ? 'debug' : 'warn'](
          { event: LogEvents.retentionFailed, err },
          'retention pass failed; the next one goes on',
        );
      }
      await this.#rest(end - Date.now());
    }
  }

  async #pass(slot: string, end: number): Promise<void> {
    const startedAt = Date.now();
    const batchSize = this.#policy.batchSize ?? DEFAULT_RETENTION_BATCH;
    const purged: Partial<Record<RetainedStatus, number>> = {};
    let batches = 0;
    let complete = true;
    const timeLeft = (): boolean => !this.#stopped && Date.now() < end;
    for (const status of RETAINED_STATUSES) {
      const age = this.#policy.olderThanMs[status];
      if (age === undefined) continue;
      const before = new Date(Date.now() - age).toISOString();
      for (;;) {
        if (!timeLeft()) {
          complete = false;
          break;
        }
        const t0 = Date.now();
        const n = await this.#store.purgeInstanceBatch({
          runtimeStatus: status,
          lastUpdatedTimeBefore: before,
          limit: batchSize,
        });
        batches++;
        purged[status] = (purged[status] ?? 0) + n;
        if (n < batchSize) break;
        await this.#rest(Math.max(REST_MIN_MS, (Date.now() - t0) * REST_FACTOR));
      }
    }
    let emptyEntitiesRemoved = 0;
    let orphanedLocksReleased = 0;
    if (complete && this.#policy.cleanEntityStorage !== false) {
      let continuationToken: string | undefined;
      do {
        if (!timeLeft()) {
          complete = false;
          break;
        }
        const t0 = Date.now();
        const page = await cleanEntityPage(this.#store, {
          removeEmptyEntities: true,
          releaseOrphanedLocks: true,
          pageSize: ENTITY_PAGE,
          ...(continuationToken ? { continuationToken } : {}),
        });
        emptyEntitiesRemoved += page.emptyEntitiesRemoved;
        orphanedLocksReleased += page.orphanedLocksReleased;
        continuationToken = page.continuationToken;
        if (continuationToken) await this.#rest(Math.max(REST_MIN_MS, (Date.now() - t0) * REST_FACTOR));
      } while (continuationToken);
    }
    const summary: RetentionPassSummary = {
      slot,
      purged,
      emptyEntitiesRemoved,
      orphanedLocksReleased,
      batches,
      durationMs: Date.now() - startedAt,
      complete,
    };
    const total = Object.values(purged).reduce((a, b) => a + b, 0);
    const changed = total + emptyEntitiesRemoved + orphanedLocksReleased > 0;
    const counts = RETAINED_STATUSES.filter((s) => purged[s] !== undefined).map((s) => `${purged[s]} ${s}`);
    this.#logger[changed ? 'info' : 'debug'](
      { event: LogEvents.retentionPass, ...summary },
      `retention pass: purged ${counts.join(', ') || 'nothing'}; ${emptyEntitiesRemoved} empty entities removed, ` +
        `${orphanedLocksReleased} orphaned locks released (${summary.durationMs} ms` +
        `${complete ? '' : ', more left for the next pass'})`,
    );
    this.#onPass?.(summary);
  }

  /** Waits `ms`, or less if stopped. */
  #rest(ms: number): Promise<void> {
    if (this.#stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
