// Reads and purges on the SQLite store: instance rows, history, filtered queries with keyset continuation; and which
// instances a claim takes (ClaimOrder), in the order that keeps claims fair.
import type Database from 'better-sqlite3';
import { TERMINAL_SQL, type HistoryEvent, type RuntimeStatus } from '../../core/history.js';
import type { InstancePage, InstanceQuery, PurgeQuery } from '../store.js';
import { continuationOf, pageSizeOf, toPage, type InstanceRow } from './rows.js';

export class SqliteQueries {
  readonly #db: Database.Database;
  readonly #hub: string;
  readonly #getInstance: Database.Statement<[string, string], InstanceRow>;
  readonly #getHistory: Database.Statement<[string, string], { events: string }>;

  constructor(db: Database.Database, hub: string) {
    this.#db = db;
    this.#hub = hub;
    this.#getInstance = db.prepare('SELECT * FROM instances WHERE hub = ? AND instance_id = ?');
    this.#getHistory = db.prepare('SELECT events FROM history WHERE hub = ? AND instance_id = ? ORDER BY seq');
  }

  getInstanceRow(instanceId: string): InstanceRow | undefined {
    return this.#getInstance.get(this.#hub, instanceId);
  }

  getHistory(instanceId: string): HistoryEvent[] {
    const history: HistoryEvent[] = [];
    for (const row of this.#getHistory.all(this.#hub, instanceId)) {
      for (const event of JSON.parse(row.events) as HistoryEvent[]) history.push(event);
    }
    return history;
  }

  queryInstances(query: InstanceQuery): InstancePage {
    const pageSize = pageSizeOf(query);
    const { where, params } = filter(this.#hub, query);
    if (query.continuationToken) {
      const [created, id] = continuationOf(query.continuationToken);
      where.push('(created_time > ? OR (created_time = ? AND instance_id > ?))');
      params.push(created, created, id);
    }
    const rows = this.#db
      .prepare(`SELECT * FROM instances WHERE ${where.join(' AND ')} ORDER BY created_time, instance_id LIMIT ?`)
      .all(...params, pageSize + 1) as InstanceRow[];
    return toPage(rows, pageSize, 'created_time', query.showInput ?? true);
  }

  /** Deletes terminal instances matching the filter (or the one id) with their history, messages and work items. */
  purge(query: PurgeQuery & { instanceId?: string }): number {
    const { where, params } = filter(this.#hub, query);
    if (query.instanceId !== undefined) {
      where.push('instance_id = ?');
      params.push(query.instanceId);
    }
    where.push(`runtime_status IN ${TERMINAL_SQL}`);
    return this.#db
      .transaction(() => {
        const ids = (
          this.#db.prepare(`SELECT instance_id FROM instances WHERE ${where.join(' AND ')}`).all(...params) as {
            instance_id: string;
          }[]
        ).map((r) => r.instance_id);
        const del = ['instances', 'history', 'messages', 'work_items'].map((t) =>
          this.#db.prepare(`DELETE FROM ${t} WHERE hub = ? AND instance_id = ?`),
        );
        for (const id of ids) for (const d of del) d.run(this.#hub, id);
        return ids.length;
      })
      .immediate();
  }

  /** See Store.deleteEntityIfIdle. */
  deleteEntityIfIdle(instanceId: string, entityState: string | undefined, nowMs: number): boolean {
    return this.#db
      .transaction(() => {
        const { changes } = this.#db
          .prepare(
            `DELETE FROM instances WHERE hub = ? AND instance_id = ? AND substr(instance_id, 1, 1) = '@'
              AND entity_state IS ? AND (locked_by IS NULL OR lock_expires < ?)
              AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.hub = ? AND m.instance_id = ?)`,
          )
          .run(this.#hub, instanceId, entityState ?? null, nowMs, this.#hub, instanceId);
        if (changes === 0) return false;
        this.#db.prepare('DELETE FROM history WHERE hub = ? AND instance_id = ?').run(this.#hub, instanceId);
        return true;
      })
      .immediate();
  }
}

export function filter(
  hub: string,
  query: {
    createdTimeFrom?: string;
    createdTimeTo?: string;
    runtimeStatus?: readonly RuntimeStatus[];
    instanceIdPrefix?: string;
    version?: string;
  },
): { where: string[]; params: (string | number)[] } {
  const where = ['hub = ?'];
  const params: (string | number)[] = [hub];
  if (query.createdTimeFrom !== undefined) {
    where.push('created_time >= ?');
    params.push(query.createdTimeFrom);
  }
  if (query.createdTimeTo !== undefined) {
    where.push('created_time <= ?');
    params.push(query.createdTimeTo);
  }
  if (query.runtimeStatus && query.runtimeStatus.length > 0) {
    where.push(`runtime_status IN (${query.runtimeStatus.map(() => '?').join(',')})`);
    params.push(...query.runtimeStatus);
  }
  if (query.instanceIdPrefix) {
    // A range instead of LIKE, so '%' and '_' in ids mean themselves and the primary key index serves it.
    where.push('instance_id >= ? AND instance_id < ?');
    params.push(query.instanceIdPrefix, query.instanceIdPrefix + '\u{10FFFF}');
  }
  if (query.version !== undefined) {
    where.push("coalesce(version, '') = ?");
    params.push(query.version);
  }
  return { where, params };
}

/** Started instances before new ones, this many to one, when both wait (ClaimOrder; PostgreSQL's claim too). */
export const STARTED_PER_NEW = 3;

/**
 * Which instances a claim takes, and in what order (issue 18). Candidates come from the head of the visibility index
 * (the oldest visible messages) and from its tail (the newest, where the results of running instances land while a
 * backlog of starts waits at the head); both are read lazily, the head until `limit` distinct instances are found (a
 * claim costs the same with a backlog of 100,000 starts as with none, and one instance's own backlog cannot fill it),
 * the tail for at most a few times the limit in messages. Instances that have started (history) are ranked before
 * instances waiting for their first episode, three to one, so a burst of starts cannot starve running instances and
 * starts still get a quarter of every claim. Excluded instances (the worker's episodes in flight, which may have
 * thousands of events waiting) are skipped inside SQLite.
 */
export class ClaimOrder {
  readonly #head: Database.Statement<(string | number)[], Candidate>;
  readonly #tail: Database.Statement<(string | number)[], Candidate>;
  readonly #hub: string;

  constructor(db: Database.Database, hub: string) {
    this.#hub = hub;
    const candidates = (order: 'ASC' | 'DESC') =>
      db.prepare<(string | number)[], Candidate>(`SELECT m.instance_id AS id, i.history_length AS started,
            i.name AS name, i.version AS version
          FROM messages m JOIN instances i ON i.hub = m.hub AND i.instance_id = m.instance_id
          WHERE m.hub = ? AND m.visible_at <= ? AND (i.lock_expires < ? OR i.locked_by = ?)
            AND m.instance_id NOT IN (SELECT value FROM json_each(?))
          ORDER BY m.visible_at ${order}`);
    this.#head = candidates('ASC');
    this.#tail = candidates('DESC');
  }

  /**
   * Up to `limit` claimable instance ids, in claim order; `excluded` is a JSON array of ids, `allowed` passes over
   * instances this worker does not run (their versions).
   */
  pick(
    now: number,
    workerId: string,
    excluded: string,
    limit: number,
    allowed: (id: string, name: string, version: string | null) => boolean,
  ): string[] {
    if (limit <= 0) return [];
    const args = [this.#hub, now, now, workerId, excluded];
    // Rows are messages, several may name one instance: keep distinct ids, oldest message first per class. Leaving
    // a loop closes its statement.
    const seen = new Set<string>();
    const started: string[] = [];
    const fresh: string[] = [];
    const add = (c: Candidate): void => {
      if (seen.has(c.id)) return;
      seen.add(c.id);
      if (allowed(c.id, c.name, c.version)) (c.started > 0 ? started : fresh).push(c.id);
    };
    for (const c of this.#head.iterate(...args)) {
      add(c);
      if (started.length + fresh.length >= limit) break;
    }
    let read = 0;
    for (const c of this.#tail.iterate(...args)) {
      add(c);
      if (++read >= 4 * limit) break;
    }
    // Interleaved by rank: the n-th started instance ranks n, the n-th new one STARTED_PER_NEW * n.
    const picked: string[] = [];
    let s = 0;
    let f = 0;
    while (picked.length < limit && (s < started.length || f < fresh.length)) {
      const takeStarted = f >= fresh.length || (s < started.length && s + 1 <= STARTED_PER_NEW * (f + 1));
      picked.push(takeStarted ? started[s++]! : fresh[f++]!);
    }
    return picked;
  }
}

interface Candidate {
  id: string;
  started: number;
  name: string;
  version: string | null;
}
