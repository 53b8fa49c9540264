// The raw facts `taskhub doctor` reads from a store: rows in states a healthy hub does not keep for long, and the
// store's size. Each backend answers with its own SQL (sqlite/doctor.ts, postgres/doctor.ts); what the facts mean,
// and what fixes them, is decided in src/doctor/, the same for every store.
import type { RuntimeStatus } from '../core/history.js';

export interface DoctorScanOptions {
  /** Pending instances whose start has been due for longer than this (ms) are reported. */
  readonly pendingOlderThanMs: number;
  /** Delivery count at or past which a work item or instance is reported (the host's maxDeliveryCount). */
  readonly maxDeliveryCount: number;
  /** Histories with more events than this are reported. */
  readonly maxHistoryEvents: number;
  /** Inputs, outputs and custom statuses larger than this (bytes of UTF-8) are reported, and so are histories. */
  readonly maxPayloadBytes: number;
  /** At most this many rows per list (counts are always whole). */
  readonly limit: number;
  /** At most this many rows of `idle` (doctor reads each one's history to tell stuck from waiting); default `limit`. */
  readonly idleLimit?: number;
}

/** Most (name, version) groups a scan returns. */
export const VERSION_GROUPS_MAX = 200;

/** A capped list of rows with the whole count. */
export interface Capped<T> {
  readonly count: number;
  readonly rows: readonly T[];
}

export interface ScannedInstance {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  /** ISO 8601 UTC. */
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly historyLength: number;
  /** The orchestration version it was created with; absent for none. */
  readonly version?: string;
}

/** Unfinished orchestrations (Pending, Running, Suspended; not entities) of one name and version. */
export interface VersionGroup {
  readonly name: string;
  /** Absent: instances without a version. */
  readonly version?: string;
  readonly count: number;
  /** ISO 8601 UTC: the oldest one's created time. */
  readonly oldestCreatedTime: string;
}

export interface ExpiredLease {
  readonly kind: 'instance' | 'workItem';
  readonly instanceId: string;
  /** The work item's activity name, or the instance's orchestration name. */
  readonly name: string;
  readonly workerId: string;
  /** ISO 8601 UTC: when the lease ran out. */
  readonly expiredAt: string;
}

export interface RedeliveredWork {
  readonly kind: 'instance' | 'workItem';
  readonly instanceId: string;
  readonly name: string;
  /** The work item's task id (work items only). */
  readonly taskScheduledId?: number;
  readonly deliveryCount: number;
  /** Held by a live lease: a worker is running this delivery now. */
  readonly running: boolean;
}

export interface OrphanedEntityLock {
  /** The entity's scheduler id, `@name@key`. */
  readonly entityId: string;
  /** The orchestration that holds the lock. */
  readonly owner: string;
  /** The owner's status; undefined when the owner no longer exists (purged). */
  readonly ownerStatus?: RuntimeStatus;
  /** The lock request id: a release naming it frees the entity. */
  readonly lockId: string;
}

export interface OversizedInstance {
  readonly instanceId: string;
  readonly runtimeStatus: RuntimeStatus;
  /** What is large: the number of history events, the bytes of the stored history, or one payload's bytes. */
  readonly what: 'historyEvents' | 'historyBytes' | 'input' | 'output' | 'customStatus';
  readonly size: number;
}

export type StoreSize =
  | {
      readonly kind: 'sqlite';
      readonly file: string;
      /** The database file (all hubs in it), bytes. */
      readonly fileBytes: number;
      /** The write-ahead log beside it (`<file>-wal`), bytes; 0 when there is none. */
      readonly walBytes: number;
    }
  | {
      readonly kind: 'postgres';
      readonly database: string;
      /** pg_database_size of the whole database, bytes. */
      readonly databaseBytes: number;
      /** The hub's schema: its tables with their indexes and TOAST, bytes. */
      readonly hubBytes: number;
    };

export interface DoctorScan {
  /** The store's time when it was read (ISO 8601 UTC): leases and ages are measured against it. */
  readonly now: string;
  /** Pending, start due for longer than pendingOlderThanMs (or with no start message at all), oldest first. */
  readonly pending: Capped<ScannedInstance>;
  /**
   * Running orchestrations (not entities) with no message (visible or a future timer), no work item and no live
   * lease: nothing in the store will wake them but an external event. Least recently updated first.
   */
  readonly idle: Capped<ScannedInstance>;
  readonly expiredLeases: Capped<ExpiredLease>;
  readonly redelivered: Capped<RedeliveredWork>;
  readonly orphanedEntityLocks: Capped<OrphanedEntityLock>;
  readonly oversized: Capped<OversizedInstance>;
  /**
   * Unfinished orchestrations by name and version (at most VERSION_GROUPS_MAX groups): which versions a worker must
   * run for them to progress. Only the answering app knows whether it runs them (src/doctor/ compares).
   */
  readonly versions: readonly VersionGroup[];
  /** Finished instances (Completed, Failed, Terminated, Canceled) still stored, and when the longest-finished ended. */
  readonly finished: {
    readonly count: number;
    /** ISO 8601 UTC: the last update (its finish) of the instance that finished longest ago. */
    readonly oldestFinishedTime?: string;
    readonly oldestInstanceId?: string;
  };
  readonly size: StoreSize;
}

/** What a store offers `taskhub doctor`; optional, a store without it is not diagnosed. */
export interface DoctorScanStore {
  doctorScan(options: DoctorScanOptions): Promise<DoctorScan>;
}

/** Scanned rows with the instances table's version column (SQL NULL is no version) as the optional field. */
export function withVersions(list: Capped<ScannedInstance>): Capped<ScannedInstance> {
  const rows = list.rows as (ScannedInstance & { version?: string | null })[];
  return {
    count: list.count,
    rows: rows.map(({ version, ...r }) => (version === null || version === undefined ? r : { ...r, version })),
  };
}
