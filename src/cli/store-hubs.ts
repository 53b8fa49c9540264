// Which task hubs a store holds, for the hint a client command gives when the hub it reads is empty: one SQLite file
// can hold several hubs (rows carry a `hub` column), and the usual mistake is reading the default hub of a file that
// an app filled under its host.json hubName. PostgreSQL keeps one schema per hub; its hint is not given here.
import Database from 'better-sqlite3';
import type { StoreSpec } from './store-option.js';

export interface HubCount {
  readonly hubName: string;
  readonly instances: number;
}

/** The hubs with instances in a SQLite store, most instances first; [] for PostgreSQL or a file it cannot read. */
export function hubsInStore(spec: StoreSpec): HubCount[] {
  if (spec.kind !== 'sqlite' || spec.file === ':memory:') return [];
  let db: Database.Database | undefined;
  try {
    db = new Database(spec.file, { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT hub, COUNT(*) AS n FROM instances GROUP BY hub ORDER BY n DESC, hub').all() as {
      hub: string;
      n: number;
    }[];
    return rows.map((row) => ({ hubName: row.hub, instances: row.n }));
  } catch {
    // Not a Taskhub file, or not yet migrated: no hint rather than a second error.
    return [];
  } finally {
    db?.close();
  }
}

/**
 * The hint for an empty hub: undefined when the store holds no other hub. Names each hub with its count and how to
 * pick it, e.g. "Task hub 'TestHubName' has no instances in hub.db; it holds MyHub (12). Pick one with --hub MyHub."
 */
export function otherHubsHint(spec: StoreSpec, hubName: string): string | undefined {
  const hubs = hubsInStore(spec);
  const others = hubs.filter((h) => h.hubName !== hubName);
  if (others.length === 0 || hubs.some((h) => h.hubName === hubName)) return undefined;
  const where = spec.kind === 'sqlite' ? spec.file : 'this store';
  const list = others.map((h) => `${h.hubName} (${h.instances})`).join(', ');
  return `Task hub '${hubName}' has no instances in ${where}; it holds ${list}. Pick one with --hub ${others[0]!.hubName}.`;
}
