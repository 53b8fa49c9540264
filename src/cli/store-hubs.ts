// Which task hubs a store holds, for the hint a client command gives when the hub it reads is empty: one SQLite file
// can hold several hubs (rows carry a `hub` column), a PostgreSQL database one schema per hub (`taskhub_<name>`, the
// name lowercased), and the usual mistake is reading the default hub of a store an app filled under its host.json
// hubName.
import Database from 'better-sqlite3';
import { schemaFor } from '../store/postgres/schema.js';
import type { StoreSpec } from './store-option.js';

export interface HubCount {
  readonly hubName: string;
  readonly instances: number;
}

/** The hubs with instances in a store, most instances first; [] for a store it cannot read. */
export async function hubsInStore(spec: StoreSpec): Promise<HubCount[]> {
  try {
    return spec.kind === 'sqlite' ? sqliteHubs(spec.file) : await postgresHubs(spec.url);
  } catch {
    // Not a Taskhub store, not yet migrated, or not reachable: no hint rather than a second error.
    return [];
  }
}

function sqliteHubs(file: string): HubCount[] {
  if (file === ':memory:') return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT hub, COUNT(*) AS n FROM instances GROUP BY hub ORDER BY n DESC, hub').all() as {
      hub: string;
      n: number;
    }[];
    return rows.map((row) => ({ hubName: row.hub, instances: row.n }));
  } finally {
    db.close();
  }
}

async function postgresHubs(url: string): Promise<HubCount[]> {
  // Loaded only here, as the store itself is, so SQLite users never load `pg`.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schemas = await client.query<{ schema_name: string }>(
      "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'taskhub\\_%' ORDER BY 1",
    );
    const hubs: HubCount[] = [];
    for (const { schema_name: schema } of schemas.rows) {
      // Schema names come from the catalogue and match taskhub_<letters and digits>: safe to quote as identifiers.
      const count = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${schema}".instances`);
      const instances = Number(count.rows[0]?.n ?? 0);
      if (instances > 0) hubs.push({ hubName: schema.slice('taskhub_'.length), instances });
    }
    return hubs.sort((a, b) => b.instances - a.instances || a.hubName.localeCompare(b.hubName));
  } finally {
    await client.end();
  }
}

/**
 * The hint for an empty hub: undefined when the store holds no other hub. Names each hub with its count and how to
 * pick it, e.g. "Task hub 'TestHubName' has no instances in hub.db; it holds MyHub (12). Pick one with --hub MyHub."
 */
export async function otherHubsHint(spec: StoreSpec, hubName: string): Promise<string | undefined> {
  const hubs = await hubsInStore(spec);
  // PostgreSQL keeps hub names lowercased in its schema names.
  const same = (name: string): boolean => name.toLowerCase() === hubName.toLowerCase();
  const others = hubs.filter((h) => !same(h.hubName));
  if (others.length === 0 || hubs.some((h) => same(h.hubName))) return undefined;
  const where = whereOf(spec);
  const list = others.map((h) => `${h.hubName} (${h.instances})`).join(', ');
  return `Task hub '${hubName}' has no instances in ${where}; it holds ${list}. Pick one with --hub ${others[0]!.hubName}.`;
}

/** Where a store is, for messages: its file, or "this PostgreSQL database". */
function whereOf(spec: StoreSpec): string {
  return spec.kind === 'sqlite' ? spec.file : 'this PostgreSQL database';
}

/**
 * Refuses a PostgreSQL hub whose schema does not exist: a command that opens a store to read it must not create a hub
 * (DDL on a production database from a typo). A host creates its hub when it first starts. Connection errors surface.
 */
export async function requirePostgresHub(url: string, hubName: string): Promise<void> {
  const schema = schemaFor(hubName);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
    if (found.rowCount !== 0) return;
  } finally {
    await client.end();
  }
  const spec: StoreSpec = { kind: 'postgres', url };
  throw new Error(
    (await otherHubsHint(spec, hubName)) ??
      `There is no task hub '${hubName}' in this PostgreSQL database (no schema ${schema}): a host creates it when ` +
        'it first starts (taskhub start or taskhub worker with this store).',
  );
}

/** The error for a hub that holds no instances: the other hubs' hint, or a plain sentence when there are none. */
export async function emptyHubMessage(spec: StoreSpec, hubName: string): Promise<string> {
  return (await otherHubsHint(spec, hubName)) ?? `Task hub '${hubName}' has no instances in ${whereOf(spec)}.`;
}
