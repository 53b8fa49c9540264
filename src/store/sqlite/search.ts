// The dashboard's instance search on SQLite: the management filters plus name and custom-status text, any of five
// orders, keyset continuation on (order column, instance id) so a deep page costs what the first one does.
import type Database from 'better-sqlite3';
import { TaskhubError } from '../../core/errors.js';
import type { RuntimeStatus } from '../../core/history.js';
import type { InstancePage, InstanceSearch } from '../store.js';
import { filter } from './queries.js';
import { continuationOf, ORDER_COLUMNS, pageSizeOf, toPage, type InstanceRow } from './rows.js';

export class SqliteSearch {
  readonly #db: Database.Database;
  readonly #hub: string;

  constructor(db: Database.Database, hub: string) {
    this.#db = db;
    this.#hub = hub;
  }

  search(query: InstanceSearch): InstancePage {
    const pageSize = pageSizeOf(query);
    const column = ORDER_COLUMNS[query.orderBy ?? 'createdTime'];
    if (!column) throw new TaskhubError('INVALID_ARGUMENT', `Unknown order '${String(query.orderBy)}'.`);
    const { where, params } = this.#where(query);
    const [cmp, dir] = query.descending ? ['<', 'DESC'] : ['>', 'ASC'];
    if (query.continuationToken) {
      const [value, id] = continuationOf(query.continuationToken);
      if (column === 'instance_id') {
        where.push(`instance_id ${cmp} ?`);
        params.push(id);
      } else {
        where.push(`(${column} ${cmp} ? OR (${column} = ? AND instance_id ${cmp} ?))`);
        params.push(value, value, id);
      }
    }
    const order = column === 'instance_id' ? `instance_id ${dir}` : `${column} ${dir}, instance_id ${dir}`;
    const rows = this.#db
      .prepare(`SELECT * FROM instances WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`)
      .all(...params, pageSize + 1) as InstanceRow[];
    return toPage(rows, pageSize, column, query.showInput ?? true);
  }

  count(query: InstanceSearch): Partial<Record<RuntimeStatus, number>> {
    const { where, params } = this.#where(query);
    const rows = this.#db
      .prepare(
        `SELECT runtime_status, count(*) AS n FROM instances WHERE ${where.join(' AND ')} GROUP BY runtime_status`,
      )
      .all(...params) as { runtime_status: RuntimeStatus; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.runtime_status, r.n]));
  }

  #where(query: InstanceSearch): { where: string[]; params: (string | number)[] } {
    const { where, params } = filter(this.#hub, query);
    // instr over lower() rather than LIKE, so '%' and '_' typed into a filter box mean themselves.
    if (query.name) {
      where.push('instr(lower(name), lower(?)) > 0');
      params.push(query.name);
    }
    if (query.customStatusText) {
      where.push('instr(lower(custom_status), lower(?)) > 0');
      params.push(query.customStatusText);
    }
    if (query.lastUpdatedTimeFrom !== undefined) {
      where.push('last_updated_time >= ?');
      params.push(query.lastUpdatedTimeFrom);
    }
    return { where, params };
  }
}
