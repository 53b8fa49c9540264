// The dashboard's instance search on PostgreSQL, the same contract as SQLite's: the management filters plus name and
// custom-status text, any of five orders, keyset continuation on (order column, instance id) so a deep page costs
// what the first one does; and counts per runtime status.
import { TaskhubError } from '../../core/errors.js';
import type { RuntimeStatus } from '../../core/history.js';
import type { InstancePage, InstanceSearch } from '../store.js';
import { continuationOf, ORDER_COLUMNS, pageSizeOf, toPage, type InstanceRow } from '../sqlite/rows.js';
import { filter, type Queryable } from './instances.js';

export class PgSearch {
  readonly #s: string;

  constructor(schema: string) {
    this.#s = schema;
  }

  async search(db: Queryable, query: InstanceSearch): Promise<InstancePage> {
    const pageSize = pageSizeOf(query);
    const column = ORDER_COLUMNS[query.orderBy ?? 'createdTime'];
    if (!column) throw new TaskhubError('INVALID_ARGUMENT', `Unknown order '${String(query.orderBy)}'.`);
    const { where, params } = where_(query);
    const [cmp, dir] = query.descending ? ['<', 'DESC'] : ['>', 'ASC'];
    if (query.continuationToken) {
      const [value, id] = continuationOf(query.continuationToken);
      if (column === 'instance_id') {
        params.push(id);
        where.push(`instance_id ${cmp} $${params.length}`);
      } else {
        params.push(value, id);
        where.push(`(${column}, instance_id) ${cmp} ($${params.length - 1}, $${params.length})`);
      }
    }
    const order = column === 'instance_id' ? `instance_id ${dir}` : `${column} ${dir}, instance_id ${dir}`;
    params.push(pageSize + 1);
    const { rows } = await db.query<InstanceRow>(
      `SELECT * FROM ${this.#s}.instances WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, pageSize, column, query.showInput ?? true);
  }

  async count(db: Queryable, query: InstanceSearch): Promise<Partial<Record<RuntimeStatus, number>>> {
    const { where, params } = where_(query);
    const { rows } = await db.query<{ runtime_status: RuntimeStatus; n: number }>(
      `SELECT runtime_status, count(*)::int AS n FROM ${this.#s}.instances WHERE ${where.join(' AND ')}
       GROUP BY runtime_status`,
      params,
    );
    return Object.fromEntries(rows.map((r) => [r.runtime_status, r.n]));
  }
}

function where_(query: InstanceSearch): { where: string[]; params: unknown[] } {
  const { where, params } = filter(query);
  // strpos over lower() rather than LIKE, so '%' and '_' typed into a filter box mean themselves.
  if (query.name) {
    params.push(query.name);
    where.push(`strpos(lower(name), lower($${params.length})) > 0`);
  }
  if (query.customStatusText) {
    params.push(query.customStatusText);
    where.push(`strpos(lower(custom_status), lower($${params.length})) > 0`);
  }
  if (query.lastUpdatedTimeFrom !== undefined) {
    params.push(query.lastUpdatedTimeFrom);
    where.push(`last_updated_time >= $${params.length}`);
  }
  return { where, params };
}
