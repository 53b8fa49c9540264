// `taskhub doctor`'s reads on SQLite: each list is one indexed or bounded query over this hub's rows, plus the sizes
// of the database file and its write-ahead log. Read-only; runs outside the write queue.
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
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

const INSTANCE_COLUMNS = `instance_id AS instanceId, name, runtime_status AS runtimeStatus, created_time AS createdTime,
  last_updated_time AS lastUpdatedTime, history_length AS historyLength, version`;

export function scanSqlite(
  db: Database.Database,
  hub: string,
  file: string,
  nowMs: number,
  options: DoctorScanOptions,
): DoctorScan {
  const { limit } = options;
  const cappedAt =
    (max: number) =>
    <T>(countSql: string, rowsSql: string, ...params: unknown[]): Capped<T> => {
      const { n } = db.prepare(countSql).get(...params) as { n: number };
      const rows = n === 0 ? [] : (db.prepare(`${rowsSql} LIMIT ?`).all(...params, max) as T[]);
      return { count: n, rows };
    };
  const capped = cappedAt(limit);
  const dueBefore = nowMs - options.pendingOlderThanMs;
  const dueBeforeIso = new Date(dueBefore).toISOString();

  // Pending: the start message visible since before the threshold, or no start message and no live lease (a local
  // start holds a lease and no message until its worker commits).
  const pendingWhere = `FROM instances i WHERE i.hub = ? AND i.runtime_status = 'Pending' AND (
      (SELECT MIN(visible_at) FROM messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id) <= ?
      OR (NOT EXISTS (SELECT 1 FROM messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id)
          AND i.lock_expires < ? AND i.created_time <= ?))`;
  const pending = capped<ScannedInstance>(
    `SELECT COUNT(*) AS n ${pendingWhere}`,
    `SELECT ${INSTANCE_COLUMNS} ${pendingWhere} ORDER BY i.created_time`,
    hub,
    dueBefore,
    nowMs,
    dueBeforeIso,
  );

  // Local work in the row (migration 11) under an expired lock is not stuck: it is listed with the expired leases, and
  // the sweep of any running worker turns it into work items (Store.recoverLocalWork).
  const idleWhere = `FROM instances i WHERE i.hub = ? AND i.runtime_status = 'Running' AND substr(i.instance_id, 1, 1) <> '@'
      AND i.lock_expires < ?
      AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.hub = i.hub AND m.instance_id = i.instance_id)
      AND NOT EXISTS (SELECT 1 FROM work_items w WHERE w.hub = i.hub AND w.instance_id = i.instance_id)
      AND i.local_work IS NULL`;
  const idle = cappedAt(options.idleLimit ?? limit)<ScannedInstance>(
    `SELECT COUNT(*) AS n ${idleWhere}`,
    `SELECT ${INSTANCE_COLUMNS} ${idleWhere} ORDER BY i.last_updated_time`,
    hub,
    nowMs,
  );

  const leasesFrom = `FROM (
      SELECT 'instance' AS kind, instance_id AS instanceId, name, locked_by AS workerId, lock_expires
        FROM instances WHERE hub = ? AND locked_by IS NOT NULL AND lock_expires < ?
      UNION ALL
      SELECT 'workItem', instance_id, name, locked_by, lock_expires
        FROM work_items WHERE hub = ? AND locked_by IS NOT NULL AND lock_expires < ?)`;
  const leases = capped<ExpiredLease & { lock_expires: number }>(
    `SELECT COUNT(*) AS n ${leasesFrom}`,
    `SELECT * ${leasesFrom} ORDER BY lock_expires`,
    hub,
    nowMs,
    hub,
    nowMs,
  );
  const expiredLeases: Capped<ExpiredLease> = {
    count: leases.count,
    rows: leases.rows.map(({ lock_expires, ...lease }) => ({
      ...lease,
      expiredAt: new Date(lock_expires).toISOString(),
    })),
  };

  const redeliveredFrom = `FROM (
      SELECT 'workItem' AS kind, instance_id AS instanceId, name, task_scheduled_id AS taskScheduledId,
        delivery_count AS deliveryCount, locked_by IS NOT NULL AND lock_expires >= ? AS running
        FROM work_items WHERE hub = ? AND delivery_count >= ?
      UNION ALL
      SELECT 'instance', instance_id, name, NULL, delivery_count, locked_by IS NOT NULL AND lock_expires >= ?
        FROM instances WHERE hub = ? AND delivery_count >= ? AND runtime_status NOT IN ${TERMINAL_SQL})`;
  const redelivered = capped<Omit<RedeliveredWork, 'running'> & { taskScheduledId: number | null; running: number }>(
    `SELECT COUNT(*) AS n ${redeliveredFrom}`,
    `SELECT * ${redeliveredFrom} ORDER BY deliveryCount DESC`,
    nowMs,
    hub,
    options.maxDeliveryCount,
    nowMs,
    hub,
    options.maxDeliveryCount,
  );

  // An entity's lock names its owner orchestration; the owner finished or gone means nobody will ever release it.
  const locksFrom = `FROM (SELECT e.instance_id AS entityId, json_extract(e.entity_state, '$.lock.owner') AS owner,
        json_extract(e.entity_state, '$.lock.id') AS lockId FROM instances e
        WHERE e.hub = ? AND substr(e.instance_id, 1, 1) = '@' AND e.entity_state IS NOT NULL
          AND json_valid(e.entity_state) AND json_extract(e.entity_state, '$.lock.owner') IS NOT NULL) l
      LEFT JOIN instances o ON o.hub = ? AND o.instance_id = l.owner
      WHERE o.instance_id IS NULL OR o.runtime_status IN ${TERMINAL_SQL}`;
  const locks = capped<{ entityId: string; owner: string; lockId: string; ownerStatus: RuntimeStatus | null }>(
    `SELECT COUNT(*) AS n ${locksFrom}`,
    `SELECT l.entityId, l.owner, l.lockId, o.runtime_status AS ownerStatus ${locksFrom} ORDER BY l.entityId`,
    hub,
    hub,
  );
  const orphanedEntityLocks: Capped<OrphanedEntityLock> = {
    count: locks.count,
    rows: locks.rows.map(({ ownerStatus, ...lock }) => ({ ...lock, ...(ownerStatus ? { ownerStatus } : {}) })),
  };

  const bytes = (column: string) => `length(CAST(${column} AS BLOB))`;
  const oversizedFrom = `FROM (
      SELECT instance_id AS instanceId, runtime_status AS runtimeStatus, 'historyEvents' AS what,
        history_length AS size FROM instances WHERE hub = ? AND history_length > ?
      UNION ALL
      SELECT h.instance_id, i.runtime_status, 'historyBytes', h.size FROM
        (SELECT instance_id, SUM(${bytes('events')}) AS size FROM history WHERE hub = ? GROUP BY instance_id) h
        JOIN instances i ON i.hub = ? AND i.instance_id = h.instance_id WHERE h.size > ?
      UNION ALL
      SELECT instance_id, runtime_status, 'input', ${bytes('input')} FROM instances
        WHERE hub = ? AND ${bytes('input')} > ?
      UNION ALL
      SELECT instance_id, runtime_status, 'output', ${bytes('output')} FROM instances
        WHERE hub = ? AND ${bytes('output')} > ?
      UNION ALL
      SELECT instance_id, runtime_status, 'customStatus', ${bytes('custom_status')} FROM instances
        WHERE hub = ? AND ${bytes('custom_status')} > ?)`;
  const max = options.maxPayloadBytes;
  const oversized = capped<OversizedInstance>(
    `SELECT COUNT(*) AS n ${oversizedFrom}`,
    `SELECT * ${oversizedFrom} ORDER BY size DESC`,
    hub,
    options.maxHistoryEvents,
    hub,
    hub,
    max,
    hub,
    max,
    hub,
    max,
    hub,
    max,
  );

  const finishedRow = db
    .prepare(
      `SELECT COUNT(*) AS n, MIN(last_updated_time) AS oldest FROM instances
       WHERE hub = ? AND runtime_status IN ${TERMINAL_SQL}`,
    )
    .get(hub) as { n: number; oldest: string | null };
  const oldest =
    finishedRow.oldest === null
      ? undefined
      : (db
          .prepare(
            `SELECT instance_id AS id FROM instances WHERE hub = ? AND runtime_status IN ${TERMINAL_SQL}
             AND last_updated_time = ? LIMIT 1`,
          )
          .get(hub, finishedRow.oldest) as { id: string } | undefined);

  const versionRows = db
    .prepare(
      `SELECT name, version, COUNT(*) AS count, MIN(created_time) AS oldestCreatedTime FROM instances
       WHERE hub = ? AND runtime_status IN ('Pending','Running','Suspended') AND substr(instance_id, 1, 1) <> '@'
       GROUP BY name, version ORDER BY name, version LIMIT ?`,
    )
    .all(hub, VERSION_GROUPS_MAX) as (Omit<VersionGroup, 'version'> & { version: string | null })[];

  const { page_count: pages } = db.prepare('PRAGMA page_count').get() as { page_count: number };
  const { page_size: pageSize } = db.prepare('PRAGMA page_size').get() as { page_size: number };
  return {
    now: new Date(nowMs).toISOString(),
    pending: withVersions(pending),
    idle: withVersions(idle),
    expiredLeases,
    redelivered: {
      count: redelivered.count,
      rows: redelivered.rows.map(({ taskScheduledId, running, ...row }) => ({
        ...row,
        running: running === 1,
        ...(taskScheduledId !== null ? { taskScheduledId } : {}),
      })),
    },
    orphanedEntityLocks,
    oversized,
    versions: versionRows.map(({ version, ...group }) => ({ ...group, ...(version === null ? {} : { version }) })),
    finished: {
      count: finishedRow.n,
      ...(finishedRow.oldest !== null ? { oldestFinishedTime: finishedRow.oldest } : {}),
      ...(oldest ? { oldestInstanceId: oldest.id } : {}),
    },
    size: { kind: 'sqlite', file, fileBytes: pages * pageSize, walBytes: fileSize(`${file}-wal`) },
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
