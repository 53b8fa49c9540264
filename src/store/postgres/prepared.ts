// Named prepared statements: PostgreSQL parses and plans each statement text once per connection instead of on every
// call. The store's statements are a fixed set of texts per hub (the large CTEs of the claim and the group commit
// cost more to plan than to run), so each distinct text gets a stable name; past a bound (texts built from query
// filters vary) statements run unnamed as before.
import type pg from 'pg';
import type { Queryable } from './instances.js';

const MAX_NAMED = 256;
const names = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED && text.includes('$1')) {
    name = `taskhub_${names.size}`;
    names.set(text, name);
  }
  return name;
}

/** `db` whose parameterized statements run as named prepared statements. */
export function preparing(db: Pick<pg.Pool, 'query'> | pg.PoolClient): Queryable {
  return {
    query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
      const name = nameOf(text);
      return name === undefined
        ? db.query<R>(text, values)
        : db.query<R>({ name, text, ...(values === undefined ? {} : { values }) });
    },
  };
}
