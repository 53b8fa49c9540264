// LISTEN/NOTIFY for a task hub: one dedicated connection (a pooled one would lose its LISTEN when returned) that
// wakes subscribers when another process stores work. Notifications are only a hint: if the connection drops, it is
// reopened with capped exponential backoff (50 ms doubling to 5 s), and the workers' polling covers the gap.
import pg from 'pg';
import { Backoff } from '../store-health.js';

export class PgListener {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  /** Notifications carrying this payload came from this store's own writes: its worker already woke in process. */
  readonly #ownPayload: string;
  readonly #listeners = new Set<() => void>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  readonly #backoff = new Backoff();
  #closed = false;

  constructor(config: pg.ClientConfig, channel: string, ownPayload: string) {
    this.#config = config;
    this.#channel = channel;
    this.#ownPayload = ownPayload;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    this.#ensure();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) void this.#disconnect();
    };
  }

  /** Resolves once the LISTEN is in place (tests use it to avoid racing the first notification). */
  ready(): Promise<void> {
    return this.#connecting ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#disconnect();
  }

  #ensure(): void {
    if (this.#closed || this.#client || this.#connecting || this.#retry) return;
    this.#connecting = this.#connect().finally(() => (this.#connecting = undefined));
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    const lost = (): void => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      this.#scheduleRetry();
    };
    // A dropped connection emits 'error' (and 'end'); without a handler the error would crash the process.
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      if (n.payload === this.#ownPayload) return;
      for (const listener of this.#listeners) listener();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#channel}`);
      if (this.#closed || this.#listeners.size === 0) {
        await client.end();
        return;
      }
      this.#client = client;
      this.#backoff.reset();
      // Work may have arrived while not listening: let subscribers look once.
      for (const listener of this.#listeners) listener();
    } catch {
      await client.end().catch(() => undefined);
      this.#scheduleRetry();
    }
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#listeners.size === 0 || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#ensure();
    }, this.#backoff.next());
    this.#retry.unref();
  }

  async #disconnect(): Promise<void> {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}
