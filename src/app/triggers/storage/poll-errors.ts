// How a storage listener reports failed polls: once per distinct error until a poll succeeds (a wrong key or a
// stopped Azurite would otherwise log every poll), and quietly while the account is still coming up: the host starts
// Azurite once the language worker is ready, so the first polls of a fresh start may find nothing listening yet.
import type { Logger } from '../../../log.js';

/** How long after a listener starts a refused connection is expected (Azurite starting) and logged at debug. */
const STARTUP_GRACE_MS = 30_000;

export class PollErrorReporter {
  readonly #logger: Logger;
  readonly #fields: Record<string, unknown>;
  readonly #message: string;
  readonly #startedAt = Date.now();
  #last: string | undefined;

  constructor(logger: Logger, fields: Record<string, unknown>, message: string) {
    this.#logger = logger;
    this.#fields = fields;
    this.#message = message;
  }

  succeeded(): void {
    this.#last = undefined;
  }

  failed(err: unknown): void {
    const text = err instanceof Error ? err.message : String(err);
    if (text === this.#last) return;
    this.#last = text;
    const starting = Date.now() - this.#startedAt < STARTUP_GRACE_MS && /ECONNREFUSED/.test(text);
    if (starting) this.#logger.debug({ ...this.#fields, err }, `${this.#message} (the account is not up yet)`);
    else this.#logger.warn({ ...this.#fields, err }, this.#message);
  }
}
