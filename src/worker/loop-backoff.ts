// How a background loop (claims, lease renewal) treats a failed turn: a store outage is already logged once by the
// store's health watch and is retried with capped exponential backoff; any other error is logged and retried at the
// normal poll interval. The loop itself never ends because of an error.
import type { Logger } from '../log.js';
import { storeFailureKind } from '../store/store-failure.js';
import { Backoff } from '../store/store-health.js';

export class LoopBackoff {
  readonly #logger: Logger;
  readonly #event: string;
  readonly #message: string;
  readonly #intervalMs: number;
  readonly #backoff = new Backoff();

  constructor(logger: Logger, event: string, message: string, intervalMs: number) {
    this.#logger = logger;
    this.#event = event;
    this.#message = message;
    this.#intervalMs = intervalMs;
  }

  /** After a failed turn: logs it unless it is a store outage; returns how long to wait before the next one. */
  failed(err: unknown): number {
    if (storeFailureKind(err) !== undefined) return this.#backoff.next();
    this.#logger.error({ event: this.#event, err }, this.#message);
    return this.#intervalMs;
  }

  /** After a turn that reached the store: the next outage starts from the shortest pause again. */
  succeeded(): void {
    this.#backoff.reset();
  }
}
