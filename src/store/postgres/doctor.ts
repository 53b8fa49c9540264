// `taskhub doctor`'s reads on PostgreSQL: the same lists as SQLite's (sqlite/doctor.ts), measured against the database
// server's clock (the one leases use), and the sizes of the database and of this hub's schema. Read-only.
import { TERMINAL_SQL, type RuntimeStatus } from '../../core/history.js';
import type {
  Capped,
  DoctorScan,
  DoctorScanOptions,
  ExpiredLease,
  OrphanedEntityLock,
  OversizedInstance,
  RedeliveredWork,
  ScannedInstance,
  VersionGroup,
} from '../doctor-scan.js';
import { VERSION_GROUPS_MAX, withVersions } from '../doctor-scan.js';
import type { Queryable } from './instances.js';
import { NOW_MS } from './schema.js';

const INSTANCE_COLUMNS = `instance_id AS "instanceId", name, runtime_status AS "runtimeStatus",
  created_time AS "createdTime", last_updated_time AS "lastUpdatedTime", history_length AS "historyLength",
  version`;

export async function scanPostgres(db: Queryable, s: string, options: DoctorScanOptions): Promise<DoctorScan> {
  const { limit } = options;
  const capped = async <T extends object>(
    from: string,
    select: string,
    order: string,
    params: unknown[],
    max = limit,
  ) => {
    const count = await db.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, params);
    const n = Number(count.rows[0]?.n ?? 0);
    if (n === 0) return { count: 0, rows: [] as T[] };
    const { rows } = await db.query<T & Record<string, unknown>>(
      `SELECT ${select} ${from} ORDER BY ${order} LIMIT $${params.length + 1}`,
      [...params, max],
    );
    return { count: n, rows: rows as T[] };
  };
  const clock = await db.query<{ now: string }>(`SELECT ${NOW_MS} AS now`);
  const nowMs = Number(clock.rows[0]?.now);
  const dueBefore = nowMs - options.pendingOlderThanMs;

  const pending = await capped<ScannedInstance>(
    `FROM ${s}.instances i WHERE i.runtime_status = 'Pending' AND (
      (SELECT MIN(visible_at) FROM ${s}.messages m WHERE m.instance_id = i.instance_id) <= $1
      OR (NOT EXISTS (SELECT 1 FROM ${s}.messages m WHERE m.instance_id = i.instance_id)
          AND i.lock_expires < $2 AND i.created_time <= $3))`,
    INSTANCE_COLUMNS,
    'i.created_time',
    [dueBefore, nowMs, new Date(dueBefore).toISOString()],
  );

  // Local work in the row (migration 11) under an expired lock is not stuck: it is listed with the expired leases, and
  // the sweep of any running worker turns it into work items (Store.recoverLocalWork).
  const idle = await capped<ScannedInstance>(
    `FROM ${s}.instances i WHERE i.runtime_status = 'Running' AND left(i.instance_id, 1) <> '@'
      AND i.lock_expires < $1
      AND NOT EXISTS (SELECT 1 FROM ${s}.messages m WHERE m.instance_id = i.instance_id)
      AND NOT EXISTS (SELECT 1 FROM ${s}.work_items w WHERE w.instance_id = i.instance_id)
      AND i.local_work IS NULL`,
    INSTANCE_COLUMNS,
    'i.last_updated_time',
    [nowMs],
    options.idleLimit ?? limit,
  );

  const leases = await capped<Omit<ExpiredLease, 'expiredAt'> & { expires: string }>(
    `FROM (
      SELECT 'instance' AS kind, instance_id, name, locked_by, lock_expires
        FROM ${s}.instances WHERE locked_by IS NOT NULL AND lock_expires < $1
      UNION ALL
      SELECT 'workItem', instance_id, name, locked_by, lock_expires
        FROM ${s}.work_items WHERE locked_by IS NOT NULL AND lock_expires < $1) l`,
    `kind, instance_id AS "instanceId", name, locked_by AS "workerId", lock_expires AS expires`,
    'lock_expires',
    [nowMs],
  );
  const expiredLeases: Capped<ExpiredLease> = {
    count: leases.count,
    rows: leases.rows.map(({ expires, ...lease }) => ({
      ...lease,
      expiredAt: new Date(Number(expires)).toISOString(),
    })),
  };

  const redelivered = await capped<Omit<RedeliveredWork, 'taskScheduledId'> & { taskScheduledId: number | null }>(
    `FROM (
      SELECT 'workItem' AS kind, instance_id, name, task_scheduled_id, delivery_count,
          locked_by IS NOT NULL AND lock_expires >= $2 AS running
        FROM ${s}.work_items WHERE delivery_count >= $1
      UNION ALL
      SELECT 'instance', instance_id, name, NULL, delivery_count, locked_by IS NOT NULL AND lock_expires >= $2
        FROM ${s}.instances WHERE delivery_count >= $1 AND runtime_status NOT IN ${TERMINAL_SQL}) r`,
    `kind, instance_id AS "instanceId", name, task_scheduled_id AS "taskScheduledId",
      delivery_count AS "deliveryCount", running`,
    'delivery_count DESC',
    [options.maxDeliveryCount, nowMs],
  );

  const locks = await capped<Omit<OrphanedEntityLock, 'ownerStatus'> & { ownerStatus: RuntimeStatus | null }>(
    `FROM (SELECT e.instance_id AS entity_id, (e.entity_state::jsonb) -> 'lock' ->> 'owner' AS owner,
        (e.entity_state::jsonb) -> 'lock' ->> 'id' AS lock_id FROM ${s}.instances e
        WHERE left(e.instance_id, 1) = '@' AND e.entity_state LIKE '{%') l
      LEFT JOIN ${s}.instances o ON o.instance_id = l.owner
      WHERE l.owner IS NOT NULL AND (o.instance_id IS NULL OR o.runtime_status IN ${TERMINAL_SQL})`,
    `l.entity_id AS "entityId", l.owner, l.lock_id AS "lockId", o.runtime_status AS "ownerStatus"`,
    'l.entity_id',
    [],
  );
  const orphanedEntityLocks: Capped<OrphanedEntityLock> = {
    count: locks.count,
    rows: locks.rows.map(({ ownerStatus, ...lock }) => ({ ...lock, ...(ownerStatus ? { ownerStatus } : {}) })),
  };

  const oversized = await capped<Omit<OversizedInstance, 'size'> & { size: string }>(
    `FROM (
      SELECT instance_id, runtime_status, 'historyEvents' AS what, history_length::bigint AS size
        FROM ${s}.instances WHERE history_length > $1
      UNION ALL
      SELECT h.instance_id, i.runtime_status, 'historyBytes', h.size FROM
        (SELECT instance_id, SUM(octet_length(events))::bigint AS size FROM ${s}.history GROUP BY instance_id) h
        JOIN ${s}.instances i ON i.instance_id = h.instance_id WHERE h.size > $2
      UNION ALL
      SELECT instance_id, runtime_status, 'input', octet_length(input) FROM ${s}.instances WHERE octet_length(input) > $2
      UNION ALL
      SELECT instance_id, runtime_status, 'output', octet_length(output) FROM ${s}.instances
        WHERE octet_length(output) > $2
      UNION ALL
      SELECT instance_id, runtime_status, 'customStatus', octet_length(custom_status) FROM ${s}.instances
        WHERE octet_length(custom_status) > $2) o`,
    `instance_id AS "instanceId", runtime_status AS "runtimeStatus", what, size`,
    'size DESC',
    [options.maxHistoryEvents, options.maxPayloadBytes],
  );

  const versions = await db.query<Omit<VersionGroup, 'version' | 'count'> & { version: string | null; count: string }>(
    `SELECT name, version, COUNT(*) AS count, MIN(created_time) AS "oldestCreatedTime" FROM ${s}.instances
     WHERE runtime_status IN ('Pending','Running','Suspended') AND left(instance_id, 1) <> '@'
     GROUP BY name, version ORDER BY name, version LIMIT $1`,
    [VERSION_GROUPS_MAX],
  );

  const finished = await db.query<{ n: string; oldest: string | null; id: string | null }>(
    `SELECT (SELECT COUNT(*) FROM ${s}.instances WHERE runtime_status IN ${TERMINAL_SQL}) AS n,
       f.finished_time AS oldest, f.instance_id AS id
     FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT finished_time, instance_id FROM ${s}.instances
       WHERE finished_time IS NOT NULL AND runtime_status IN ${TERMINAL_SQL} ORDER BY finished_time, instance_id
       LIMIT 1) f ON true`,
  );
  const size = await db.query<{ database: string; db_bytes: string; hub_bytes: string | null }>(
    `SELECT current_database() AS database, pg_database_size(current_database()) AS db_bytes,
       (SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r') AS hub_bytes`,
    [s],
  );
  const f = finished.rows[0];
  const z = size.rows[0];
  return {
    now: new Date(nowMs).toISOString(),
    pending: withVersions(pending),
    idle: withVersions(idle),
    expiredLeases,
    redelivered: {
      count: redelivered.count,
      rows: redelivered.rows.map(({ taskScheduledId, ...row }) => ({
        ...row,
        ...(taskScheduledId !== null ? { taskScheduledId } : {}),
      })),
    },
    orphanedEntityLocks,
    oversized: { count: oversized.count, rows: oversized.rows.map((o) => ({ ...o, size: Number(o.size) })) },
    versions: versions.rows.map(({ version, count, ...group }) => ({
      ...group,
      count: Number(count),
      ...(version === null ? {} : { version }),
    })),
    finished: {
      count: Number(f?.n ?? 0),
      ...(f?.oldest ? { oldestFinishedTime: f.oldest } : {}),
      ...(f?.id ? { oldestInstanceId: f.id } : {}),
    },
    size: {
      kind: 'postgres',
      database: z?.database ?? '',
      databaseBytes: Number(z?.db_bytes ?? 0),
      hubBytes: Number(z?.hub_bytes ?? 0),
    },
  };
}
