// The group commit's fast path on PostgreSQL: a whole batch as ONE statement (one round trip, one WAL flush, atomic
// without BEGIN/COMMIT). The instance-row UPDATE is the check (lock held, history where the episode started) and
// every other write joins its RETURNING, so a rejected episode's writes simply match nothing. All sub-statements
// share one snapshot and none sees another's rows; the writes are arranged so that never matters (see comments).
// A local start's first episode inserts its instance row already in the state the episode leaves it (one row
// version, no separate create): `cr` below. An id already taken (even by a finished instance the start may replace)
// is not inserted and its episode not accepted; commit.ts then takes the transaction path for it.
// Batches that create sub-instances take the multi-statement transaction in commit.ts instead.
import { isTerminal, TERMINAL_SQL } from '../../core/history.js';
import { dropsWorkItems, type ActivityCompletion, type CommitBatch, type EpisodeCommit } from '../store.js';
import { ENSURE_ENTITIES, entityNameOf } from './claims.js';
import { tagsText, versionOf } from '../sqlite/rows.js';
import { NOW_MS } from './schema.js';

export function commitStatement(s: string): string {
  return `WITH e AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
        $8::text[], $9::text[], $10::int[], $11::bool[], $15::text[], $16::bool[], $17::bool[], $18::bool[], $43::text[],
        $44::bool[], $45::text[], $46::text[], $47::text[], $48::text[], $49::text[], $50::text[], $51::bool[],
        $52::text[])
        AS e(id, execution, expected, next_execution, status, input, output, failure, custom, length, keep, append,
          replace, drop_pending, restart, entity, creating, cname, cinput, cparent, ccreated, ctags, cversion, set_local,
          local_work)),
    acc AS (
      UPDATE ${s}.instances i SET runtime_status = e.status, input = COALESCE(e.input, i.input), output = e.output,
        failure_details = e.failure, custom_status = COALESCE(e.custom, i.custom_status),
        entity_state = COALESCE(e.entity, i.entity_state), history_length = e.length,
        last_updated_time = $12, finished_time = CASE WHEN e.status IN ${TERMINAL_SQL} THEN $12 END,
        execution_id = e.next_execution, locked_by = CASE WHEN e.keep THEN $13 END,
        lock_expires = CASE WHEN e.keep THEN ${NOW_MS} + $14 ELSE 0 END, delivery_count = 0,
        local_work = CASE WHEN e.set_local THEN e.local_work ELSE i.local_work END
      FROM e WHERE NOT e.creating AND i.instance_id = e.id AND i.locked_by = $13 AND i.execution_id = e.execution
        AND i.history_length = e.expected
      RETURNING i.instance_id),
    -- Local starts: the row as the episode leaves it, where the id is free.
    cr AS (
      INSERT INTO ${s}.instances AS i (instance_id, execution_id, name, runtime_status, input, output, failure_details,
        custom_status, parent_instance_id, created_time, last_updated_time, finished_time, history_length, locked_by,
        lock_expires, tags, version, entity_state, local_work)
      SELECT e.id, e.next_execution, e.cname, e.status, COALESCE(e.input, e.cinput), e.output, e.failure, e.custom,
        e.cparent, e.ccreated, $12, CASE WHEN e.status IN ${TERMINAL_SQL} THEN $12 END, e.length,
        CASE WHEN e.keep THEN $13 END, CASE WHEN e.keep THEN ${NOW_MS} + $14 ELSE 0 END, e.ctags, e.cversion, e.entity,
        CASE WHEN e.set_local THEN e.local_work END
      FROM e WHERE e.creating
      ON CONFLICT (instance_id) DO NOTHING
      RETURNING i.instance_id),
    ok AS (SELECT instance_id FROM acc UNION ALL SELECT instance_id FROM cr),
    ae AS (SELECT e.* FROM e JOIN ok ON ok.instance_id = e.id),
    -- A replaced history keeps row 0, overwritten below, so the delete and the insert never touch one row.
    dh AS (DELETE FROM ${s}.history h USING ae
      WHERE ae.replace AND h.instance_id = ae.id AND (h.seq <> 0 OR ae.append IS NULL)),
    ih AS (INSERT INTO ${s}.history (instance_id, seq, events)
      SELECT id, CASE WHEN replace THEN 0 ELSE expected END, append FROM ae WHERE append IS NOT NULL
      ON CONFLICT (instance_id, seq) DO UPDATE SET events = excluded.events),
    dm AS (DELETE FROM ${s}.messages m USING unnest($19::text[], $20::bigint[]) AS c(owner, id), ok
      WHERE ok.instance_id = c.owner AND m.id = c.id),
    -- Sees only messages stored before this statement: those the episode sends to itself survive.
    dp AS (DELETE FROM ${s}.messages m USING ae WHERE ae.drop_pending AND m.instance_id = ae.id),
    dw AS (DELETE FROM ${s}.work_items w USING unnest($21::text[], $22::text[], $23::text[], $24::int[])
        AS k(owner, i, e, t), ok
      WHERE ok.instance_id = k.owner AND w.instance_id = k.i AND w.execution_id = k.e AND w.task_scheduled_id = k.t),
    -- A new execution drops the old one's work items; its own (another execution id) never collide with them.
    dr AS (DELETE FROM ${s}.work_items w USING ae WHERE ae.restart AND w.instance_id = ae.id),
    iw AS (INSERT INTO ${s}.work_items (instance_id, execution_id, task_scheduled_id, name, input, locked_by,
        lock_expires, delivery_count)
      SELECT k.owner, k.exec, k.t, k.n, k.inp, k.l, CASE WHEN k.l IS NULL THEN 0 ELSE ${NOW_MS} + $14 END,
        CASE WHEN k.l IS NULL THEN 0 ELSE 1 END
      FROM unnest($25::text[], $26::text[], $27::int[], $28::text[], $29::text[], $30::text[]) WITH ORDINALITY
        AS k(owner, exec, t, n, inp, l, ord) JOIN ok ON ok.instance_id = k.owner
      ORDER BY k.ord ON CONFLICT DO NOTHING RETURNING locked_by),
    -- Deleting the work item is what makes a completion count once: a second one finds nothing and is dropped.
    dc AS (DELETE FROM ${s}.work_items w USING unnest($31::text[], $32::text[], $33::int[]) WITH ORDINALITY
        AS c(i, e, t, ord)
      WHERE w.instance_id = c.i AND w.execution_id = c.e AND w.task_scheduled_id = c.t RETURNING c.ord),
    k AS (
      SELECT k.target AS i, k.exec, k.event, k.visible, k.ename, k.ord FROM unnest($35::text[], $36::text[],
        $37::text[], $38::text[], $39::bigint[], $42::text[]) WITH ORDINALITY AS k(owner, target, exec, event, visible,
        ename, ord) JOIN ok ON ok.instance_id = k.owner
      UNION ALL
      SELECT c.i, c.e, c.event, NULL, NULL, 1000000000 + c.ord FROM unnest($31::text[], $32::text[], $34::text[])
        WITH ORDINALITY AS c(i, e, event, ord) JOIN dc ON dc.ord = c.ord),
    -- The first message to an entity creates its row; the EXISTS below cannot see it, hence the ename test. Nor
    -- can it see the rows of local starts (a first episode's timer, an event to an instance started beside it).
    ent AS (${ENSURE_ENTITIES(s, '$12')}),
    im AS (INSERT INTO ${s}.messages (instance_id, execution_id, event, visible_at)
      SELECT i, exec, event, COALESCE(visible, ${NOW_MS}) FROM k
      WHERE ename IS NOT NULL OR k.i IN (SELECT instance_id FROM cr)
        OR EXISTS (SELECT 1 FROM ${s}.instances x WHERE x.instance_id = k.i)
      ORDER BY ord RETURNING 1),
    note AS (SELECT pg_notify($40, $41)
      WHERE EXISTS (SELECT 1 FROM im) OR EXISTS (SELECT 1 FROM iw WHERE locked_by IS NULL))
    SELECT (SELECT array_agg(instance_id) FROM ok) AS accepted, (SELECT count(*) FROM note) AS notified`;
}

/** The parameters of commitStatement for `batch`; `completions` already without duplicates. */
export function commitParams(
  batch: CommitBatch,
  completions: readonly ActivityCompletion[],
  channel: string,
  payload: string,
  updatedTime: string,
): unknown[] {
  // Sorted, so concurrent batches lock overlapping instance rows in one order.
  const eps = [...batch.episodes].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  // Terminal statuses keep their output and failure; any other status clears them (a rewound instance runs again).
  const terminal = (e: EpisodeCommit): boolean => isTerminal(e.runtimeStatus);
  const consumed = eps.flatMap((e) => e.consumedMessageIds.map((id) => ({ e, id })));
  const done = eps.flatMap((e) => e.completedWorkItems.map((k) => ({ e, k })));
  const items = eps.flatMap((e) => e.newWorkItems.map((w) => ({ e, w })));
  const msgs = eps.flatMap((e) => e.newMessages.map((m) => ({ e, m })));
  return [
    eps.map((e) => e.instanceId),
    eps.map((e) => e.executionId),
    eps.map((e) => e.expectedHistoryLength),
    eps.map((e) => e.newExecutionId ?? e.executionId),
    eps.map((e) => e.runtimeStatus),
    eps.map((e) => e.input ?? null),
    eps.map((e) => (terminal(e) ? (e.output ?? null) : null)),
    eps.map((e) => (terminal(e) && e.failureDetails ? JSON.stringify(e.failureDetails) : null)),
    eps.map((e) => e.customStatus ?? null),
    eps.map((e) => (e.replaceHistory ? 0 : e.expectedHistoryLength) + e.append.length),
    eps.map((e) => e.keepLock),
    updatedTime,
    batch.workerId,
    batch.leaseMs,
    eps.map((e) => (e.append.length > 0 ? JSON.stringify(e.append) : null)),
    eps.map((e) => e.replaceHistory === true),
    eps.map((e) => e.deletePendingMessages === true),
    eps.map(dropsWorkItems),
    consumed.map((x) => x.e.instanceId),
    consumed.map((x) => x.id),
    done.map((x) => x.e.instanceId),
    done.map((x) => x.k.instanceId),
    done.map((x) => x.k.executionId),
    done.map((x) => x.k.taskScheduledId),
    items.map((x) => x.e.instanceId),
    items.map((x) => x.e.newExecutionId ?? x.e.executionId),
    items.map((x) => x.w.taskScheduledId),
    items.map((x) => x.w.name),
    items.map((x) => x.w.input ?? null),
    items.map((x) => x.w.lockedBy ?? null),
    completions.map((c) => c.workItem.instanceId),
    completions.map((c) => c.workItem.executionId),
    completions.map((c) => c.workItem.taskScheduledId),
    completions.map((c) => JSON.stringify(c.event)),
    msgs.map((x) => x.e.instanceId),
    msgs.map((x) => x.m.instanceId),
    msgs.map((x) => x.m.executionId ?? null),
    msgs.map((x) => JSON.stringify(x.m.event)),
    msgs.map((x) => (x.m.visibleAt ? Date.parse(x.m.visibleAt) : null)),
    channel,
    payload,
    msgs.map((x) => entityNameOf(x.m.instanceId)),
    eps.map((e) => e.entityState ?? null),
    eps.map((e) => e.create !== undefined),
    eps.map((e) => e.create?.instance.name ?? null),
    eps.map((e) => e.create?.instance.input ?? null),
    eps.map((e) => e.create?.instance.parentInstanceId ?? null),
    eps.map((e) => (e.create ? (e.create.instance.createdTime ?? updatedTime) : null)),
    eps.map((e) => (e.create ? tagsText(e.create.instance.tags) : null)),
    eps.map((e) => (e.create ? versionOf(e.create.instance) : null)),
    eps.map((e) => e.localWork !== undefined),
    eps.map((e) => localWorkText(e.localWork)),
  ];
}

/** The local_work column (migration 11) for EpisodeCommit.localWork: NULL when none is left. */
export function localWorkText(list: EpisodeCommit['localWork']): string | null {
  return list === undefined || list.length === 0 ? null : JSON.stringify(list);
}
