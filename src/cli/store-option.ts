// `--store`: `sqlite:<file>` (or a bare file path) for the embedded store, `postgres://…` for PostgreSQL.
// Parsed in one place so `start`, `worker` and the client commands agree.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskhubError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { requirePostgresHub } from './store-hubs.js';

export type StoreSpec =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

/** The default store of an app: `<app>/.taskhub/taskhub.db`. */
export function defaultStoreFile(appRoot: string): string {
  return path.join(appRoot, '.taskhub', 'taskhub.db');
}

export function parseStoreOption(value: string | undefined, appRoot: string): StoreSpec {
  if (value === undefined || value === '') return { kind: 'sqlite', file: defaultStoreFile(appRoot) };
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  if (/^sqlite:/i.test(value)) {
    const rest = value.slice('sqlite:'.length);
    const file = rest.startsWith('file:') ? fileURLToPath(rest) : rest.replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new TaskhubError('INVALID_ARGUMENT', '--store sqlite: needs a file, e.g. sqlite:./hub.db');
    return { kind: 'sqlite', file: path.resolve(file) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new TaskhubError('INVALID_ARGUMENT', `Unknown store '${value}': use sqlite:<file> or postgres://…`);
  }
  return { kind: 'sqlite', file: path.resolve(value) };
}

export interface OpenStoreOptions {
  /**
   * Open only a hub that exists (client commands, doctor, export, the dashboard): a PostgreSQL hub whose schema is
   * missing is refused rather than created. (A missing SQLite file is refused by requireStoreFile.)
   */
  readonly mustExist?: boolean;
}

/**
 * What openTaskHub takes as `store`: a SQLite path (its folder created), or a PostgreSQL Store from the optional
 * `taskhub/postgres` module, loaded only when asked for so SQLite users never load `pg`.
 */
export async function openStoreOption(
  spec: StoreSpec,
  hubName: string,
  options: OpenStoreOptions = {},
): Promise<string | Store> {
  if (spec.kind === 'sqlite') {
    if (spec.file !== ':memory:') mkdirSync(path.dirname(spec.file), { recursive: true });
    return spec.file;
  }
  if (options.mustExist) await requirePostgresHub(spec.url, hubName);
  const { openPostgresStore } = await import('../store/postgres/index.js');
  return openPostgresStore({ connectionString: spec.url, hubName });
}
