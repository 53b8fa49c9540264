// The SQLite task hub as the public surface shows it: Taskhub's own types, so a consumer's compiler never needs
// better-sqlite3's declarations (a devDependency of Taskhub). The implementation's own types are checked against
// these where openSqliteStore hands one to the other.
import type { Clock } from '../../clock.js';
import type { Store } from '../store.js';
import { openSqliteStore as openStore } from './sqlite-store.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. */
  readonly path: string;
  /** Task hub name (default 'TestHubName'). */
  readonly hubName?: string;
  /** 'full' (default): every commit is fsynced. 'normal': faster, a power loss may lose the last commits. */
  readonly durability?: 'full' | 'normal';
  /** Time source for visibility, leases and timestamps (default real time; the test hub passes a virtual clock). */
  readonly clock?: Clock;
}

/** A task hub in one SQLite file (WAL mode), or in memory. */
export interface SqliteStore extends Store {
  readonly durability: 'full' | 'normal';
  readonly clock: Clock;
}

/** Opens (creating if needed) the SQLite task hub at `options.path`; `migrate()` prepares its tables. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return openStore(options);
}
