// App settings as `func start` gives them: local.settings.json `Values` become environment variables (ones already
// set win), and `%NAME%` in host.json, function.json and app.* options reads a setting. Also host.json's retention
// setting (a Taskhub extension).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TaskhubError } from '../core/errors.js';
import {
  parseBatchSize,
  parseDuration,
  parseInterval,
  retainedStatus,
  type RetainedStatus,
  type RetentionPolicy,
} from '../retention/policy.js';

interface LocalSettings {
  readonly IsEncrypted?: unknown;
  readonly Values?: Record<string, unknown>;
}

/**
 * Puts local.settings.json's `Values` into process.env, except those already set (the environment wins, as with
 * `func start`). Returns the names it set. Runs in the process that loads the app, before any of the app's code.
 */
export function applyLocalSettings(root: string): string[] {
  const file = path.join(root, 'local.settings.json');
  if (!existsSync(file)) return [];
  let settings: LocalSettings;
  try {
    settings = JSON.parse(readFileSync(file, 'utf8')) as LocalSettings;
  } catch (err) {
    throw new TaskhubError('INVALID_ARGUMENT', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (settings.IsEncrypted === true) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `${file} is encrypted (IsEncrypted: true), which only Azure Functions Core Tools can read; run ` +
        '`func settings decrypt` first.',
    );
  }
  const applied: string[] = [];
  for (const [name, value] of Object.entries(settings.Values ?? {})) {
    if (process.env[name] !== undefined || value === null || value === undefined) continue;
    process.env[name] = typeof value === 'string' ? value : JSON.stringify(value);
    applied.push(name);
  }
  return applied;
}

const EXPRESSION = /%([^%\s]+)%/g;

/**
 * Resolves `%NAME%` expressions against the app settings (process.env), in a string or, recursively, in the strings
 * of an array or plain object; other values come back unchanged. A name with no setting is an error, as in Azure:
 * a hub or queue literally called `%NAME%` would only hide the missing setting. `where` names the place for that
 * error (e.g. "host.json" or "function 'Start', binding 'req'").
 */
export function resolveSettingExpressions<T>(value: T, where = 'app settings'): T {
  return resolve(value, where) as T;
}

function resolve(value: unknown, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(EXPRESSION, (_whole, name: string) => {
      const setting = process.env[name];
      if (setting === undefined) {
        throw new TaskhubError(
          'INVALID_ARGUMENT',
          `${where}: %${name}% names no app setting; set ${name} in local.settings.json Values or the environment.`,
        );
      }
      return setting;
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolve(item, where));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, where)]));
  }
  return value;
}

/**
 * local.settings.json `Host.LocalHttpPort`: the port `func start` listens on when none is given on the command line.
 * Undefined when the file or the value is absent or unreadable (the other defaults apply then).
 */
export function localHttpPort(root: string): string | undefined {
  const file = path.join(root, 'local.settings.json');
  if (!existsSync(file)) return undefined;
  try {
    const port = (JSON.parse(readFileSync(file, 'utf8')) as { Host?: { LocalHttpPort?: unknown } }).Host?.LocalHttpPort;
    return typeof port === 'number' || typeof port === 'string' ? String(port) : undefined;
  } catch {
    // applyLocalSettings reports a file that is not JSON when the app loads.
    return undefined;
  }
}

/**
 * host.json `extensions.durableTask.retention` (a Taskhub extension): finished instances purged in the background
 * once older than an age per status, e.g. `{ "Completed": "7.00:00:00", "Failed": "30.00:00:00", "interval":
 * "00:05:00" }`. Status keys are Completed, Failed, Terminated in any case; the other keys are `interval` (between
 * passes), `batchSize` (instances per batch) and `cleanEntityStorage` (default true). Undefined when absent.
 */
export function retentionSetting(value: unknown, where: string): RetentionPolicy | undefined {
  if (value === undefined || value === null) return undefined;
  const what = `${where}: extensions.durableTask.retention`;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TaskhubError('INVALID_ARGUMENT', `${what} must be an object such as { "Completed": "7.00:00:00" }.`);
  }
  const olderThanMs: Partial<Record<RetainedStatus, number>> = {};
  let policy: { -readonly [K in keyof RetentionPolicy]: RetentionPolicy[K] } = { olderThanMs };
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    switch (key.toLowerCase()) {
      case 'interval':
        policy = { ...policy, intervalMs: parseInterval(item, `${what}.${key}`) };
        break;
      case 'batchsize':
        policy = { ...policy, batchSize: parseBatchSize(item, `${what}.${key}`) };
        break;
      case 'cleanentitystorage':
        if (typeof item !== 'boolean' && item !== 'true' && item !== 'false') {
          throw new TaskhubError('INVALID_ARGUMENT', `${what}.${key} must be true or false.`);
        }
        policy = { ...policy, cleanEntityStorage: item === true || item === 'true' };
        break;
      default:
        olderThanMs[retainedStatus(key, what)] = parseDuration(item, `${what}.${key}`);
    }
  }
  return policy;
}
