// What retention keeps: how long finished instances stay after they finish, per runtime status, and how the
// background passes run. Durations are written as Azure's TimeSpan (`7.00:00:00`, as host.json's other durations) or
// shortly (`7d`, `12h`, `30m`, `45s`, `500ms`); both forms are accepted by host.json, `--retention` and `purge
// --older-than`.
import { TaskhubError } from '../core/errors.js';
import type { RuntimeStatus } from '../core/history.js';

/** The finished statuses retention purges. ContinuedAsNew is not one: such an instance is already running again. */
export const RETAINED_STATUSES = ['Completed', 'Failed', 'Terminated'] as const;
export type RetainedStatus = (typeof RETAINED_STATUSES)[number];

export interface RetentionPolicy {
  /**
   * Per status, how long (ms) a finished instance is kept after its last update (when it finished); statuses left out
   * are kept for ever.
   */
  readonly olderThanMs: Readonly<Partial<Record<RetainedStatus, number>>>;
  /** Time between passes in ms (default 300000, five minutes). One worker of the hub runs each pass. */
  readonly intervalMs?: number;
  /** Instances deleted per batch (default 500): each batch is one short transaction. */
  readonly batchSize?: number;
  /**
   * Also clean entity storage each pass, as Durable Functions' cleanEntityStorage does (default true): remove empty
   * entities, and release locks held by orchestrations that are no longer running.
   */
  readonly cleanEntityStorage?: boolean;
}

export const DEFAULT_RETENTION_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_RETENTION_BATCH = 500;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration in ms: `[d.]hh:mm:ss[.fff]` (TimeSpan) or a number with a unit (`500ms`, `30s`, `15m`, `12h`, `7d`,
 * `2w`). `what` names the setting in the error, which says both forms.
 */
export function parseDuration(value: unknown, what: string): number {
  if (typeof value === 'string') {
    const text = value.trim();
    const short = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i.exec(text);
    if (short) return Math.round(Number(short[1]) * UNITS[short[2]!.toLowerCase()]!);
    const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(text);
    if (span && Number(span[3]) < 60 && Number(span[4]) < 60) {
      const [, days = '0', h, m, s, fraction = '0'] = span;
      return (
        ((Number(days) * 24 + Number(h)) * 60 + Number(m)) * 60_000 +
        Number(s) * 1000 +
        Math.round(Number(`0.${fraction}`) * 1000)
      );
    }
  }
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    `${what} must be a duration such as "7.00:00:00" (days.hours:minutes:seconds) or "7d", "12h", "30m", "45s", ` +
      `not ${JSON.stringify(value)}.`,
  );
}

/** A retained status by its name in any case; anything else is refused, saying why ContinuedAsNew is not one. */
export function retainedStatus(name: string, what: string): RetainedStatus {
  const found = RETAINED_STATUSES.find((s) => s.toLowerCase() === name.trim().toLowerCase());
  if (found) return found;
  const why =
    name.trim().toLowerCase() === 'continuedasnew'
      ? ' (a ContinuedAsNew instance is running again: it is purged once its last execution finishes)'
      : '';
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    `${what}: '${name}' is not a status retention purges${why}; use ${RETAINED_STATUSES.join(', ')}.`,
  );
}

/**
 * The `--retention` option: `7d` (every finished status), or comma-separated `Status=duration` pairs
 * (`Completed=7d,Failed=30d`), with `interval=5m` and `batchSize=500` allowed among them as in host.json. Ages given
 * here replace host.json's ages; statuses left out are then kept.
 */
export function parseRetentionFlag(text: string): Partial<RetentionPolicy> {
  const what = '--retention';
  if (!text.includes('=')) {
    const ms = parseDuration(text, what);
    return { olderThanMs: Object.fromEntries(RETAINED_STATUSES.map((s) => [s, ms])) };
  }
  const ages: Partial<Record<RetainedStatus, number>> = {};
  let policy: Partial<{ -readonly [K in keyof RetentionPolicy]: RetentionPolicy[K] }> = {};
  for (const part of text.split(',')) {
    const [rawName = '', value] = part.split('=');
    const name = rawName.trim();
    if (value === undefined)
      throw new TaskhubError('INVALID_ARGUMENT', `${what}: write Status=duration, not '${part}'.`);
    if (name.toLowerCase() === 'interval') policy = { ...policy, intervalMs: parseInterval(value, `${what} ${name}`) };
    else if (name.toLowerCase() === 'batchsize')
      policy = { ...policy, batchSize: parseBatchSize(value, `${what} ${name}`) };
    else ages[retainedStatus(name, what)] = parseDuration(value, `${what} ${name}`);
  }
  return Object.keys(ages).length > 0 ? { ...policy, olderThanMs: ages } : policy;
}

/**
 * `--retention` merged over host.json's retention: refused when no status has an age, for such a policy would run
 * every interval and purge nothing (`--retention interval=1m` alone, with no ages in host.json).
 */
export function retentionWithAges(policy: RetentionPolicy): RetentionPolicy {
  if (Object.keys(policy.olderThanMs).length > 0) return policy;
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    '--retention sets no ages and host.json gives none, so retention would purge nothing: add ages, e.g. ' +
      `--retention Completed=7d,Failed=30d,interval=1m (statuses: ${RETAINED_STATUSES.join(', ')}), or a single age ` +
      'such as --retention 7d.',
  );
}

/** The time between passes: at least a second (a pass claims its slot in the store first). */
export function parseInterval(value: unknown, what: string): number {
  const ms = parseDuration(value, what);
  if (ms < 1000)
    throw new TaskhubError('INVALID_ARGUMENT', `${what} must be at least 1 second, not ${JSON.stringify(value)}.`);
  return ms;
}

/** A batch size from 1 to 10000, given as a number or a string of digits. */
export function parseBatchSize(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `${what} must be a whole number from 1 to 10000, not ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

/** Whether `status` is one retention may purge. */
export function isRetained(status: RuntimeStatus): status is RetainedStatus {
  return (RETAINED_STATUSES as readonly string[]).includes(status);
}
