// Paces HTTP starts to what the workers take (issue 18). A host accepts starts faster than workers can run them
// (on PostgreSQL, 2,000 starts/s against 650 instances/s on the benchmark machine): without a limit every accepted
// start joins a queue that grows for as long as the burst lasts, so start-to-completion latency grows with it (13 s
// at the median) and the host's request handling takes CPU from the workers. While more than `maxPendingStarts`
// instances of the hub wait for their first episode, a start request waits (the caller sees a slower 202, the way a
// loaded server answers) until the workers have taken some, or `maxWaitMs` has passed. Waiting starts go first come,
// first served.
import type { Store } from '../store/store.js';

export interface StartAdmissionOptions {
  /** Instances waiting for their first episode (Pending) beyond which a start waits. */
  readonly maxPendingStarts: number;
  /** The longest one start waits; then it is accepted anyway (workers stopped, or slower than ever expected). */
  readonly maxWaitMs?: number;
}

/** Pending instances created longer ago than this are not counted: scheduled starts, or a hub with no worker. */
const PENDING_WINDOW_MS = 10_000;
/** How often waiting starts count again. */
const RECOUNT_MS = 10;

export class StartAdmission {
  readonly #store: Store;
  readonly #limit: number;
  readonly #maxWaitMs: number;
  /** Pending instances as last counted, plus the starts admitted since. */
  #estimate = 0;
  /** Starts waiting, first come first served: each waits about as long as the others, not by luck of the recount. */
  readonly #waiting: { readonly admit: () => void; readonly until: number }[] = [];
  #pumping = false;

  constructor(store: Store, options: StartAdmissionOptions) {
    this.#store = store;
    this.#limit = options.maxPendingStarts;
    this.#maxWaitMs = options.maxWaitMs ?? 5_000;
  }

  /** Resolves when this start may go ahead. Never rejects: a store that cannot count lets the start meet it. */
  admit(): Promise<void> {
    if (this.#waiting.length === 0 && this.#estimate < this.#limit) {
      this.#estimate++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiting.push({ admit: resolve, until: Date.now() + this.#maxWaitMs });
      // #pump never rejects (#count handles every failure), so nothing is left unhandled.
      if (!this.#pumping) void this.#pump();
    });
  }

  /** While starts wait: count, let the oldest through while there is room (or their wait is up), count again. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    while (this.#waiting.length > 0) {
      await this.#count();
      const now = Date.now();
      while (this.#waiting.length > 0 && (this.#estimate < this.#limit || this.#waiting[0]!.until <= now)) {
        this.#estimate++;
        this.#waiting.shift()!.admit();
      }
      if (this.#waiting.length > 0) await new Promise((r) => setTimeout(r, RECOUNT_MS));
    }
    this.#pumping = false;
  }

  async #count(): Promise<void> {
    const count = this.#store.countInstances;
    if (!count) {
      this.#estimate = 0;
      return;
    }
    try {
      const counts = await count.call(this.#store, {
        runtimeStatus: ['Pending'],
        createdTimeFrom: new Date(Date.now() - PENDING_WINDOW_MS).toISOString(),
      });
      this.#estimate = counts.Pending ?? 0;
    } catch {
      // The start itself meets the outage and answers 503; pacing is no reason to fail it.
      this.#estimate = 0;
    }
  }
}
