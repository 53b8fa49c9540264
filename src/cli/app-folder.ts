// The app a client command is about: the folder given by --app, else the nearest folder at or above the current one
// that holds a host.json (as `func` finds its app). It gives the task hub name (host.json's
// extensions.durableTask.hubName, `%SETTING%` read from local.settings.json or the environment) and the default store.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { applyLocalSettings, resolveSettingExpressions } from '../app/settings.js';
import { DEFAULT_HUB } from '../host/worker-protocol.js';

export interface AppFolder {
  /** Absolute path of the folder that holds host.json. */
  readonly root: string;
  /** The hub host.json names, else TestHubName (as `taskhub start` picks it). */
  readonly hubName: string;
}

/**
 * The app for `--app <path>` (a folder, or an entry file whose folder is the app), else the nearest host.json folder
 * from `cwd` upwards; undefined when there is none. `--app` naming nothing is an error, not a silent fallback.
 */
export function findAppFolder(appOption: string | undefined, cwd = process.cwd()): AppFolder | undefined {
  if (appOption !== undefined) {
    const resolved = path.resolve(cwd, appOption);
    if (!existsSync(resolved)) {
      throw new Error(`--app ${appOption}: there is nothing at ${resolved}.`);
    }
    const root = statSync(resolved).isDirectory() ? resolved : path.dirname(resolved);
    return { root, hubName: hubNameOf(root) };
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'host.json'))) return { root: dir, hubName: hubNameOf(dir) };
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** host.json's hub name with settings applied as `taskhub start` applies them (the environment wins). */
export function hubNameOf(root: string): string {
  const file = path.join(root, 'host.json');
  if (!existsSync(file)) return DEFAULT_HUB;
  applyLocalSettings(root);
  let parsed: { extensions?: { durableTask?: { hubName?: unknown } } };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const hubName = resolveSettingExpressions(parsed.extensions?.durableTask?.hubName, file);
  return typeof hubName === 'string' && hubName !== '' ? hubName : DEFAULT_HUB;
}

/** host.json's extensions.durableTask.maxDeliveryCount (a whole number ≥ 1), or undefined when unset or unreadable. */
export function maxDeliveryCountOf(root: string): number | undefined {
  try {
    const host = JSON.parse(readFileSync(path.join(root, 'host.json'), 'utf8')) as {
      extensions?: { durableTask?: { maxDeliveryCount?: unknown } };
    };
    const value = host.extensions?.durableTask?.maxDeliveryCount;
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
  } catch {
    // No readable host.json: the host would refuse to start on it; doctor keeps its own default.
    return undefined;
  }
}
