// Group commit: episodes and activity completions from many instances share one store transaction, so one fsync
// serves many steps. A flush starts on the next turn of the event loop (or after a short bounded delay) and whatever
// arrives while a flush is in flight goes into the next one. A batch that fails because the store is unavailable or
// full is not lost: it is committed again once the store answers (see retryAfterOutage).
import type { ActivityCompletion, CommitResult, EpisodeCommit, Store } from '../store/store.js';
import { storeFailureKind } from '../store/store-failure.js';
import { Backoff } from '../store/store-health.js';

interface Pending<T> {
  readonly item: T;
  readonly resolve: (outcome: EpisodeOutcome) => void;
  readonly reject: (err: unknown) => void;
}

/** What became of a committed episode. */
export interface EpisodeOutcome {
  /** False if the store rejected it (lock lost or history moved). */
  readonly accepted: boolean;
  /** The lastUpdatedTime the store wrote to the instance, when accepted. */
  readonly updatedTime?: string;
  /** Rejected because its local start met an existing instance. */
  readonly exists?: boolean;
}

export interface GroupCommitterOptions {
  readonly workerId: string;
  readonly leaseMs: number;
  /** Longest wait for company before flushing (0: flush on the next event-loop turn). */
  readonly delayMs: number;
  /** Most items in one transaction. */
  readonly maxBatch: number;
}

export class GroupCommitter {
  readonly #store: Store;
  readonly #options: GroupCommitterOptions;
  #episodes: Pending<EpisodeCommit>[] = [];
  #completions: Pending<ActivityCompletion>[] = [];
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  readonly #backoff = new Backoff();
  /** Ends the pause between tries after an outage early (a local start is waiting for its answer). */
  #retryNow: (() => void) | undefined;
  /** Transactions committed and items they carried (for benchmarks and tests). */
  commits = 0;
  items = 0;

  constructor(store: Store, options: GroupCommitterOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Resolves true once the episode is durable, false if the store rejected it (lock lost or history moved). */
  async commitEpisode(episode: EpisodeCommit): Promise<boolean> {
    return (await this.commitEpisodeOutcome(episode)).accepted;
  }

  /** commitEpisode, also telling the lastUpdatedTime the store wrote. */
  commitEpisodeOutcome(episode: EpisodeCommit): Promise<EpisodeOutcome> {
    return new Promise((resolve, reject) => {
      this.#episodes.push({ item: episode, resolve, reject });
      this.#schedule();
      // During an outage a start's caller learns at the next try, not after the whole backoff pause.
      if (episode.create) this.#retryNow?.();
    });
  }

  /** Resolves once the completion is durable (or dropped as a duplicate). */
  async commitCompletion(completion: ActivityCompletion): Promise<boolean> {
    await new Promise<EpisodeOutcome>((resolve, reject) => {
      this.#completions.push({ item: completion, resolve, reject });
      this.#schedule();
    });
    return true;
  }

  get pending(): number {
    return this.#episodes.length + this.#completions.length;
  }

  /** Waits until everything queued so far is committed. */
  async drain(): Promise<void> {
    while (this.#flushing || this.pending > 0) {
      if (this.#flushing) await this.#flushing;
      else await this.#flush();
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    const run = (): void => {
      this.#scheduled = false;
      void this.#flush();
    };
    if (this.#options.delayMs > 0) setTimeout(run, this.#options.delayMs);
    else setImmediate(run);
  }

  #flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    const flushing = this.#flushLoop().finally(() => {
      this.#flushing = undefined;
      // Items queued after the loop saw an empty queue but before this ran (by continuations of the last batch's
      // promises) found a flush in progress and did not schedule one: schedule it now, or they would wait forever.
      if (this.pending > 0) this.#schedule();
    });
    this.#flushing = flushing;
    return flushing;
  }

  async #flushLoop(): Promise<void> {
    while (this.pending > 0) {
      const max = this.#options.maxBatch;
      const episodes = this.#episodes.splice(0, max);
      const completions = this.#completions.splice(0, Math.max(0, max - episodes.length));
      let result: CommitResult;
      try {
        result = await this.#store.commit({
          workerId: this.#options.workerId,
          leaseMs: this.#options.leaseMs,
          episodes: episodes.map((p) => p.item),
          activityCompletions: completions.map((p) => p.item),
        });
      } catch (err) {
        if (storeFailureKind(err) !== undefined) {
          await this.#retryAfterOutage(err, episodes, completions);
          continue;
        }
        for (const p of episodes) p.reject(err);
        for (const p of completions) p.reject(err);
        continue;
      }
      this.#backoff.reset();
      this.commits++;
      this.items += episodes.length + completions.length;
      const rejected = new Set(result.rejectedEpisodes);
      const exists = new Set(result.instanceExists);
      for (const p of episodes) {
        const id = p.item.instanceId;
        if (rejected.has(id)) p.resolve(exists.has(id) ? { accepted: false, exists: true } : { accepted: false });
        else
          p.resolve(
            result.updatedTime === undefined ? { accepted: true } : { accepted: true, updatedTime: result.updatedTime },
          );
      }
      for (const p of completions) p.resolve({ accepted: true });
    }
  }

  /**
   * The store failed the batch's transaction because it is unavailable or full: nothing of it was applied (or, if
   * the connection dropped during COMMIT, all of it was, and the retry is then rejected as stale or dropped as a
   * duplicate, which the dispatcher handles like any lost lock). Episodes and completions that a client was already
   * told about go back to the front of the queue and are committed again after a pause; local starts fail at once
   * instead, since their caller is still waiting for an answer (503/507) and has been promised nothing.
   */
  async #retryAfterOutage(
    err: unknown,
    episodes: Pending<EpisodeCommit>[],
    completions: Pending<ActivityCompletion>[],
  ): Promise<void> {
    const starts = episodes.filter((p) => p.item.create !== undefined);
    for (const p of starts) p.reject(err);
    this.#episodes.unshift(...episodes.filter((p) => p.item.create === undefined));
    this.#completions.unshift(...completions);
    const delay = this.#backoff.next();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.#retryNow = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#retryNow = undefined;
  }
}
