// Store outages seen from one process: the first failed call of an outage is logged once, the first successful write
// after it once more, and everything in between stays quiet (callers retry with backoff). watchStore() puts this on
// every call of a store, so the worker's loops, the group commit and the HTTP host share one view of the outage.
import { LogEvents, type Logger } from '../log.js';
import { storeFailureKind, type StoreFailureKind } from './store-failure.js';

/** Capped exponential backoff: 50 ms doubling to 5 s by default; reset() after a success. */
export class Backoff {
  readonly #first: number;
  readonly #max: number;
  #next: number;

  constructor(firstMs = 50, maxMs = 5000) {
    this.#first = firstMs;
    this.#max = maxMs;
    this.#next = firstMs;
  }

  /** The pause before the next attempt (doubling each time, up to the cap). */
  next(): number {
    const delay = this.#next;
    this.#next = Math.min(this.#max, this.#next * 2);
    return delay;
  }

  reset(): void {
    this.#next = this.#first;
  }
}

/** Resolves after `ms`; the timer does not keep the process alive on its own. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** How long writes must succeed with no outage failure before the outage is declared over. */
const RECOVERED_AFTER_MS = 1000;

export class StoreHealth {
  readonly #logger: Logger;
  #down: { kind: StoreFailureKind; since: number } | undefined;
  /** When the last outage ended: failures of calls started before it belong to that outage and are not news. */
  #upSince = 0;
  /** When a store call last failed with an outage. */
  #lastFailure = 0;
  #lastSuccess = 0;
  /** A success came too soon after a failure to end the outage: when to look again. */
  #recheck: NodeJS.Timeout | undefined;

  readonly #recoveredAfterMs: number;
  readonly #now: () => number;

  /** `recoveredAfterMs`: how long writes must succeed with no outage failure before it is over (default 1 s). */
  constructor(logger: Logger, options: { readonly recoveredAfterMs?: number; readonly now?: () => number } = {}) {
    this.#logger = logger;
    this.#recoveredAfterMs = options.recoveredAfterMs ?? RECOVERED_AFTER_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The kind of the current outage, if the store is failing now. */
  get down(): StoreFailureKind | undefined {
    return this.#down?.kind;
  }

  /** A store call started at `startedAt` failed with `err`; returns its outage kind (undefined: not an outage). */
  failed(err: unknown, startedAt = Date.now()): StoreFailureKind | undefined {
    const kind = storeFailureKind(err);
    if (kind !== undefined) this.#lastFailure = this.#now();
    if (kind === undefined || startedAt < this.#upSince || this.#down?.kind === kind) return kind;
    this.#down = { kind, since: this.#down?.since ?? Date.now() };
    const what = kind === 'full' ? 'the disk under the store is full' : 'the store is unavailable';
    this.#logger.warn(
      { event: kind === 'full' ? LogEvents.storeFull : LogEvents.storeUnavailable, err },
      `${what}: retrying with backoff (logged once per outage)`,
    );
    return kind;
  }

  /** A store write succeeded: an outage, if any, is over. */
  succeeded(): void {
    this.#lastSuccess = this.#now();
    this.#settle();
  }

  /** Ends the outage if the last success came after the last failure and nothing has failed for a while since. */
  #settle(): void {
    if (!this.#down || this.#lastSuccess < this.#lastFailure) return;
    // On a full disk some small writes still get through (a lock released, a row deleted) while the others keep
    // failing: the outage is over once a write succeeded and no failure followed for a while. If that while has not
    // passed yet, look again when it has (this write may be the last one for some time).
    const quietFor = this.#now() - this.#lastFailure;
    if (quietFor < this.#recoveredAfterMs) {
      if (this.#recheck) return;
      this.#recheck = setTimeout(() => {
        this.#recheck = undefined;
        this.#settle();
      }, this.#recoveredAfterMs - quietFor);
      this.#recheck.unref();
      return;
    }
    const downMs = Date.now() - this.#down.since;
    this.#down = undefined;
    this.#upSince = Date.now();
    this.#logger.info({ event: LogEvents.storeRecovered, downMs }, 'the store is available again');
  }
}

/**
 * Calls that only read: their success says nothing about whether writes work again (on a full disk reads go on), so
 * only the other calls end an outage. Their failures do count.
 */
const READS = new Set([
  'getInstance',
  'getHistory',
  'queryInstances',
  'searchInstances',
  'countInstances',
  'lockHolders',
  'nextVisibleAt',
  'backlog',
  'getTimerStatus',
  'doctorScan',
]);

/**
 * `store` with every promise-returning method reporting to `health`. Results and errors pass through unchanged: the
 * caller still owns the failure; this only keeps the log to one line per outage.
 */
export function watchStore<T extends object>(store: T, health: StoreHealth): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      let wrapper = wrapped.get(prop);
      if (wrapper === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        const write = typeof prop === 'string' && !READS.has(prop);
        wrapper = (...args: unknown[]): unknown => {
          const startedAt = Date.now();
          const result = method.apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (ok: unknown) => {
              if (write) health.succeeded();
              return ok;
            },
            (err: unknown) => {
              health.failed(err, startedAt);
              throw err;
            },
          );
        };
        wrapped.set(prop, wrapper);
      }
      return wrapper;
    },
  });
}
