// `taskhub/postgres`: the PostgreSQL task hub, on its own subpath so SQLite users never load `pg`. Its types are
// Taskhub's own, so a consumer's compiler never needs pg's declarations (a devDependency of Taskhub); the
// implementation's are checked against them where openPostgresStore hands one to the other.
import type { Store } from '../store.js';
import { openPostgresStore as openStore } from './postgres-store.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  readonly connectionString: string;
  /** Task hub name (default 'TestHubName'): letters and digits; the hub lives in schema `taskhub_<lowercased name>`. */
  readonly hubName?: string;
  /** Connections in the pool (default 10). A worker uses about two at a time plus one for LISTEN. */
  readonly poolSize?: number;
}

/** The part of pg's `Pool` the store exposes: run your own SQL (e.g. reports) against the hub's schema. */
export interface PostgresPool {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** A task hub in one PostgreSQL schema, shared by any number of worker processes. */
export interface PostgresStore extends Store {
  /** The schema that holds this hub's tables. */
  readonly schema: string;
  /** The store's connection pool (a pg `Pool`). */
  readonly pool: PostgresPool;
  /** Wakes `listener` when another process stores work in this hub (LISTEN/NOTIFY); returns the unsubscribe. */
  onWork(listener: () => void): () => void;
  /** Resolves once the LISTEN connection is up. */
  listening(): Promise<void>;
}

/** Connects to the PostgreSQL task hub; `migrate()` creates its schema and tables. */
export function openPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return openStore(options);
}
