// Queues and locks on PostgreSQL: enqueueing messages, claiming instances and work items under leases with
// FOR UPDATE SKIP LOCKED (concurrent workers pass over each other's rows instead of waiting), renewing and releasing.
// Every operation is one statement: a claim locks, stamps and returns its rows in a single round trip.
import { entityName, isEntityInstanceId } from '../../core/entity-state.js';
import type { HistoryEvent } from '../../core/history.js';
import type { VersionFilter } from '../../core/versioning.js';
import { STARTED_PER_NEW } from '../sqlite/queries.js';
import { toInstance, type InstanceRow } from '../sqlite/rows.js';
import type { ClaimedOrchestration, NewMessage, OrchestrationMessage, WorkItem, WorkItemKey } from '../store.js';
import type { Queryable } from './instances.js';
import { NOW_MS } from './schema.js';

/**
 * An INSERT creating the rows of entities named in CTE `k` (columns i, ename) that do not exist yet: status Running,
 * name = the entity name, no state; `time` is the parameter holding the ISO time.
 */
export function ENSURE_ENTITIES(s: string, time: string): string {
  return `INSERT INTO ${s}.instances (instance_id, execution_id, name, runtime_status, created_time, last_updated_time,
      history_length, locked_by, lock_expires)
    SELECT DISTINCT k.i, '', k.ename, 'Running', ${time}, ${time}, 0, NULL::text, 0 FROM k WHERE k.ename IS NOT NULL
    ON CONFLICT (instance_id) DO NOTHING`;
}

/** The entity name of an entity instance id ('@name@key'), else null. */
export function entityNameOf(instanceId: string): string | null {
  return isEntityInstanceId(instanceId) ? entityName(instanceId) : null;
}

/**
 * The claim's version filter (core/versioning.ts versionAllowed, in SQL over instance row `i`): entities and
 * orchestrations not named in $6 pass; the others need a rule ($7 name, $8 lowest, $9 highest; null is open) that
 * holds their version.
 */
function VERSION_ALLOWED(s: string): string {
  return `i.instance_id LIKE '@%' OR NOT (lower(i.name) = ANY($6::text[]))
    OR EXISTS (SELECT 1 FROM unnest($7::text[], $8::text[], $9::text[]) r(n, lo, hi) WHERE r.n = lower(i.name)
      AND (r.lo IS NULL OR ${s}.version_compare(i.version, r.lo) >= 0)
      AND (r.hi IS NULL OR ${s}.version_compare(i.version, r.hi) <= 0))`;
}

interface ClaimRow extends InstanceRow {
  m_id: string | null;
  m_execution_id: string | null;
  m_event: string | null;
  m_visible_at: string | null;
}

export class PgClaims {
  readonly #channel: string;
  readonly #payload: string;
  readonly #sql: Record<
    | 'enqueue'
    | 'claim'
    | 'claimItems'
    | 'renew'
    | 'release'
    | 'releaseSome'
    | 'abandon'
    | 'markAlone'
    | 'holders'
    | 'recover'
    | 'next',
    string
  >;

  constructor(schema: string, channel: string, payload: string) {
    this.#channel = channel;
    this.#payload = payload;
    const s = schema;
    this.#sql = {
      // Messages to unknown instances are dropped by the EXISTS; ORDER BY keeps ids in arrival order.
      // Messages to unknown instances are dropped by the EXISTS, except to entities ('@name@key'): the first
      // message creates an entity's row (Durable Functions' implicit creation). The EXISTS cannot see that row (one
      // snapshot per statement), hence the ename test. ORDER BY keeps ids in arrival order.
      enqueue: `WITH k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $7::text[])
          WITH ORDINALITY AS k(i, e, ev, v, ename, ord)),
        ent AS (${ENSURE_ENTITIES(s, '$8')}),
        ok AS (SELECT * FROM k WHERE k.ename IS NOT NULL
          OR EXISTS (SELECT 1 FROM ${s}.instances x WHERE x.instance_id = k.i)),
        ins AS (INSERT INTO ${s}.messages (instance_id, execution_id, event, visible_at)
          SELECT ok.i, ok.e, ok.ev, COALESCE(ok.v, ${NOW_MS}) FROM ok ORDER BY ok.ord RETURNING 1),
        note AS (SELECT pg_notify($5, $6) WHERE EXISTS (SELECT 1 FROM ins))
        SELECT (SELECT array_agg(ord) FROM ok) AS stored, (SELECT count(*) FROM note) AS notified`,
      // Fair claims (issue 18): the candidates are the oldest visible messages of claimable instances (the head of
      // the visibility index) and the newest (its tail, where the results of running instances land while a backlog
      // of starts waits at the head), each read-ahead bounded, so a claim costs the same with 100,000 starts queued
      // as with none. Instances that have started (history) are ranked before instances waiting for their first
      // episode, STARTED_PER_NEW (3) to one: a burst of starts cannot starve running instances, and starts still get
      // a quarter of every claim. Then the instance rows are locked with SKIP LOCKED; the lock re-checks the lease on
      // the row's latest version, so an instance another worker claimed a moment ago is passed over. Messages come
      // back one row each.
      claim: `WITH head AS (
          SELECT m.instance_id, m.visible_at FROM ${s}.messages m JOIN ${s}.instances i ON i.instance_id = m.instance_id
          WHERE m.visible_at <= ${NOW_MS} AND (i.lock_expires < ${NOW_MS} OR i.locked_by = $1)
            AND m.instance_id <> ALL($4::text[]) AND (${VERSION_ALLOWED(s)})
          ORDER BY m.visible_at LIMIT $5),
        tail AS (
          SELECT m.instance_id, m.visible_at FROM ${s}.messages m JOIN ${s}.instances i ON i.instance_id = m.instance_id
          WHERE m.visible_at <= ${NOW_MS} AND (i.lock_expires < ${NOW_MS} OR i.locked_by = $1)
            AND m.instance_id <> ALL($4::text[]) AND (${VERSION_ALLOWED(s)})
          ORDER BY m.visible_at DESC LIMIT $5),
        ready AS (SELECT instance_id, min(visible_at) AS first FROM (SELECT * FROM head UNION ALL SELECT * FROM tail) r
          GROUP BY instance_id),
        ranked AS (SELECT r.instance_id, r.first, row_number() OVER (PARTITION BY i.history_length = 0
            ORDER BY r.first) * CASE WHEN i.history_length = 0 THEN ${STARTED_PER_NEW} ELSE 1 END AS rank
          FROM ready r JOIN ${s}.instances i ON i.instance_id = r.instance_id),
        picked AS (
          SELECT i.instance_id, i.locked_by AS holder, i.local_work, i.execution_id
          FROM ${s}.instances i JOIN ranked r ON r.instance_id = i.instance_id
          WHERE i.lock_expires < ${NOW_MS} OR i.locked_by = $1
          ORDER BY r.rank, r.first LIMIT $2 FOR UPDATE OF i SKIP LOCKED),
        claimed AS (
          UPDATE ${s}.instances i SET locked_by = $1, lock_expires = ${NOW_MS} + $3,
            delivery_count = CASE WHEN i.locked_by = $1 THEN i.delivery_count ELSE i.delivery_count + 1 END,
            local_work = CASE WHEN i.locked_by = $1 THEN i.local_work END
          FROM picked WHERE i.instance_id = picked.instance_id RETURNING i.*),
        -- An expired lock taken over: the old owner's local work becomes work items before this owner's first commit
        -- can write its own list (the old owner's late results are dropped: its commits are rejected).
        taken AS (${localToWorkItems(
          s,
          `SELECT instance_id, local_work, execution_id, 1 AS deliveries FROM picked
          WHERE holder IS DISTINCT FROM $1 AND local_work IS NOT NULL`,
        )} RETURNING 1),
        note AS (SELECT pg_notify($10, $11) WHERE EXISTS (SELECT 1 FROM taken))
        SELECT c.*, m.id AS m_id, m.execution_id AS m_execution_id, m.event AS m_event, m.visible_at AS m_visible_at
        FROM claimed c LEFT JOIN ${s}.messages m ON m.instance_id = c.instance_id AND m.visible_at <= ${NOW_MS}
        ORDER BY c.instance_id, m.id`,
      claimItems: `WITH picked AS (
          SELECT instance_id, execution_id, task_scheduled_id, solo FROM ${s}.work_items w
          WHERE lock_expires < ${NOW_MS}
            AND NOT EXISTS (SELECT 1 FROM ${s}.instances i WHERE i.instance_id = w.instance_id
              AND i.runtime_status = 'Suspended')
          ORDER BY lock_expires, seq LIMIT $2 FOR UPDATE OF w SKIP LOCKED)
        UPDATE ${s}.work_items w SET locked_by = $1, lock_expires = ${NOW_MS} + $3,
          delivery_count = w.delivery_count + 1, solo = false
        FROM picked p WHERE w.instance_id = p.instance_id AND w.execution_id = p.execution_id
          AND w.task_scheduled_id = p.task_scheduled_id
        RETURNING w.instance_id, w.execution_id, w.task_scheduled_id, w.name, w.input, w.delivery_count - 1 AS
          delivery_count, p.solo AS last_solo, w.seq`,
      renew: `WITH i AS (UPDATE ${s}.instances SET lock_expires = ${NOW_MS} + $2 WHERE locked_by = $1)
        UPDATE ${s}.work_items SET lock_expires = ${NOW_MS} + $2 WHERE locked_by = $1`,
      // Local work kept in the released rows becomes unclaimed work items ($2: the delivery count they start with).
      // The list comes from the released row as it was (o), so the conversion follows the update that clears it.
      release: `WITH i AS (UPDATE ${s}.instances i SET locked_by = NULL, lock_expires = 0, local_work = NULL
          FROM ${s}.instances o WHERE i.locked_by = $1 AND o.instance_id = i.instance_id
          RETURNING o.instance_id, o.local_work, o.execution_id, $2::int AS deliveries),
        lw AS (${localToWorkItems(s, 'SELECT * FROM i WHERE local_work IS NOT NULL')})
        UPDATE ${s}.work_items SET locked_by = NULL, lock_expires = 0 WHERE locked_by = $1`,
      releaseSome: `WITH i AS (UPDATE ${s}.instances i SET locked_by = NULL, lock_expires = 0, local_work = NULL
          FROM ${s}.instances o WHERE i.locked_by = $1 AND i.instance_id = ANY($2::text[])
            AND o.instance_id = i.instance_id
          RETURNING o.instance_id, o.local_work, o.execution_id, 1 AS deliveries)
        ${localToWorkItems(s, 'SELECT * FROM i WHERE local_work IS NOT NULL')}`,
      // Instances whose lock expired with local work (their owner died or hangs): the work becomes work items and the
      // lock is freed. SKIP LOCKED passes over rows a claim or commit holds; the lease is re-checked on the row.
      recover: `WITH r AS (SELECT instance_id, local_work, execution_id, 1 AS deliveries FROM ${s}.instances
          WHERE locked_by IS NOT NULL AND locked_by <> $1 AND lock_expires < ${NOW_MS} AND local_work IS NOT NULL
          FOR UPDATE SKIP LOCKED),
        u AS (UPDATE ${s}.instances i SET locked_by = NULL, lock_expires = 0, local_work = NULL FROM r
          WHERE i.instance_id = r.instance_id RETURNING r.*),
        lw AS (${localToWorkItems(s, 'SELECT * FROM u')}),
        note AS (SELECT pg_notify($2, $3) WHERE EXISTS (SELECT 1 FROM u))
        SELECT (SELECT count(*)::int FROM u) AS n, (SELECT count(*) FROM note) AS notified`,
      abandon: `UPDATE ${s}.work_items SET locked_by = NULL, lock_expires = 0, solo = solo AND NOT $5::boolean,
          delivery_count = CASE WHEN $5::boolean THEN GREATEST(delivery_count - 1, 0) ELSE delivery_count END
        WHERE instance_id = $1 AND execution_id = $2 AND task_scheduled_id = $3 AND locked_by = $4`,
      markAlone: `UPDATE ${s}.work_items SET solo = $5
        WHERE instance_id = $1 AND execution_id = $2 AND task_scheduled_id = $3 AND locked_by = $4`,
      holders: `SELECT locked_by FROM ${s}.instances WHERE locked_by IS NOT NULL
        UNION SELECT locked_by FROM ${s}.work_items WHERE locked_by IS NOT NULL`,
      next: `SELECT min(visible_at) AS t FROM ${s}.messages WHERE visible_at > ${NOW_MS}`,
    };
  }

  async enqueue(db: Queryable, messages: readonly NewMessage[]): Promise<number> {
    return (await this.enqueueEach(db, messages)).filter(Boolean).length;
  }

  /** Enqueues in one statement; tells for each message whether it was stored (its instance exists, or an entity). */
  async enqueueEach(db: Queryable, messages: readonly NewMessage[]): Promise<boolean[]> {
    if (messages.length === 0) return [];
    const { rows } = await db.query<{ stored: string[] | null }>(this.#sql.enqueue, [
      messages.map((m) => m.instanceId),
      messages.map((m) => m.executionId ?? null),
      messages.map((m) => JSON.stringify(m.event)),
      messages.map((m) => (m.visibleAt ? Date.parse(m.visibleAt) : null)),
      this.#channel,
      this.#payload,
      messages.map((m) => entityNameOf(m.instanceId)),
      new Date().toISOString(),
    ]);
    const stored = new Set((rows[0]?.stored ?? []).map(Number));
    return messages.map((_, i) => stored.has(i + 1));
  }

  async claimOrchestrations(
    db: Queryable,
    workerId: string,
    limit: number,
    leaseMs: number,
    exclude?: ReadonlySet<string>,
    versions?: VersionFilter,
  ): Promise<ClaimedOrchestration[]> {
    const excluded = exclude ? [...exclude] : [];
    const rules = versions?.rules ?? [];
    const { rows } = await db.query<ClaimRow>(this.#sql.claim, [
      workerId,
      limit,
      leaseMs,
      excluded,
      4 * limit + excluded.length,
      versions?.names ?? [],
      rules.map((r) => r.name),
      rules.map((r) => r.min ?? null),
      rules.map((r) => r.max ?? null),
      this.#channel,
      this.#payload,
    ]);
    const claimed: ClaimedOrchestration[] = [];
    let current: { instance: ClaimRow; messages: OrchestrationMessage[] } | undefined;
    const flush = (): void => {
      if (!current) return;
      const until = new Date(Number(current.instance.lock_expires)).toISOString();
      claimed.push({
        instance: toInstance(current.instance),
        messages: current.messages,
        lockedUntil: until,
        deliveryCount: current.instance.delivery_count ?? 1,
      });
    };
    for (const row of rows) {
      if (current?.instance.instance_id !== row.instance_id) {
        flush();
        current = { instance: row, messages: [] };
      }
      if (row.m_id === null || row.m_event === null) continue;
      current.messages.push({
        id: Number(row.m_id),
        instanceId: row.instance_id,
        ...(row.m_execution_id === null ? {} : { executionId: row.m_execution_id }),
        event: JSON.parse(row.m_event) as HistoryEvent,
        visibleAt: new Date(Number(row.m_visible_at)).toISOString(),
      });
    }
    flush();
    return claimed;
  }

  async claimWorkItems(db: Queryable, workerId: string, limit: number, leaseMs: number): Promise<WorkItem[]> {
    const { rows } = await db.query<{
      instance_id: string;
      execution_id: string;
      task_scheduled_id: number;
      name: string;
      input: string | null;
      delivery_count: number;
      last_solo: boolean;
      seq: string;
    }>(this.#sql.claimItems, [workerId, limit, leaseMs]);
    return rows
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((r): WorkItem => ({
        instanceId: r.instance_id,
        executionId: r.execution_id,
        taskScheduledId: r.task_scheduled_id,
        name: r.name,
        ...(r.input === null ? {} : { input: r.input }),
        deliveryCount: r.delivery_count,
        ...(r.last_solo ? { lastDeliveryAlone: true } : {}),
      }));
  }

  async renewLocks(db: Queryable, workerId: string, leaseMs: number): Promise<void> {
    await db.query(this.#sql.renew, [workerId, leaseMs]);
  }

  async releaseLocks(db: Queryable, workerId: string, undelivered: boolean): Promise<void> {
    await db.query(this.#sql.release, [workerId, undelivered ? 0 : 1]);
  }

  async recoverLocalWork(db: Queryable, workerId: string): Promise<number> {
    const { rows } = await db.query<{ n: number }>(this.#sql.recover, [workerId, this.#channel, this.#payload]);
    return rows[0]?.n ?? 0;
  }

  async releaseInstances(db: Queryable, workerId: string, instanceIds: readonly string[]): Promise<void> {
    if (instanceIds.length > 0) await db.query(this.#sql.releaseSome, [workerId, instanceIds]);
  }

  async abandonWorkItem(db: Queryable, workerId: string, key: WorkItemKey, undelivered: boolean): Promise<void> {
    await db.query(this.#sql.abandon, [key.instanceId, key.executionId, key.taskScheduledId, workerId, undelivered]);
  }

  async markDeliveryAlone(db: Queryable, workerId: string, key: WorkItemKey, alone: boolean): Promise<void> {
    await db.query(this.#sql.markAlone, [key.instanceId, key.executionId, key.taskScheduledId, workerId, alone]);
  }

  async lockHolders(db: Queryable): Promise<string[]> {
    return (await db.query<{ locked_by: string }>(this.#sql.holders)).rows.map((r) => r.locked_by);
  }

  async nextVisibleAt(db: Queryable): Promise<string | undefined> {
    const { rows } = await db.query<{ t: string | null }>(this.#sql.next);
    const t = rows[0]?.t;
    return t == null ? undefined : new Date(Number(t)).toISOString();
  }
}

/**
 * An INSERT turning local work kept in instance rows into unclaimed work items; `rows` yields (instance_id,
 * local_work, execution_id, deliveries): the delivery count the work items start with.
 */
function localToWorkItems(s: string, rows: string): string {
  return `INSERT INTO ${s}.work_items (instance_id, execution_id, task_scheduled_id, name, input, locked_by,
      lock_expires, delivery_count)
    SELECT o.instance_id, COALESCE(j->>'executionId', o.execution_id), (j->>'taskScheduledId')::int, j->>'name',
      j->>'input', NULL, 0, o.deliveries
    FROM (${rows}) o, jsonb_array_elements(o.local_work::jsonb) j
    ON CONFLICT DO NOTHING`;
}
