// The live-orchestration cache: running instances keep their generator (or their suspended async function) between
// episodes, so a chain of N steps costs O(N) work instead of O(N^2) replay. Each entry records the history position it stands at; the dispatcher uses it
// only when the stored instance is at exactly that position, so it can never act on stale state.
import type { AnyOrchestrationExecutor } from '../core/replay.js';

export interface CachedExecutor {
  readonly executor: AnyOrchestrationExecutor;
  readonly executionId: string;
  /** Stored history length the executor has consumed. */
  historyLength: number;
  /** Rough memory held by the entry (serialized history size), for the memory bound. */
  bytes: number;
}

export class ExecutorCache {
  readonly #entries = new Map<string, CachedExecutor>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxEntries: number, maxBytes: number) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The entry if it stands at the given stored position; a stale entry is dropped. Marks it most recently used. */
  take(instanceId: string, executionId: string, historyLength: number): CachedExecutor | undefined {
    const entry = this.#entries.get(instanceId);
    if (!entry) return undefined;
    this.#entries.delete(instanceId);
    if (entry.executionId !== executionId || entry.historyLength !== historyLength) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#entries.set(instanceId, entry);
    return entry;
  }

  put(instanceId: string, entry: CachedExecutor): void {
    this.delete(instanceId);
    if (this.#maxEntries <= 0) return;
    this.#entries.set(instanceId, entry);
    this.#bytes += entry.bytes;
    this.#evict();
  }

  /** Record growth of an entry after an episode. */
  grow(instanceId: string, historyLength: number, addedBytes: number): void {
    const entry = this.#entries.get(instanceId);
    if (!entry) return;
    entry.historyLength = historyLength;
    entry.bytes += addedBytes;
    this.#bytes += addedBytes;
    this.#evict();
  }

  delete(instanceId: string): void {
    const entry = this.#entries.get(instanceId);
    if (!entry) return;
    this.#entries.delete(instanceId);
    this.#bytes -= entry.bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #evict(): void {
    // Map iteration order is insertion order, and take() re-inserts on use: the first key is the least recently used.
    while (this.#entries.size > this.#maxEntries || (this.#bytes > this.#maxBytes && this.#entries.size > 1)) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) return;
      this.delete(oldest.value);
    }
  }
}
