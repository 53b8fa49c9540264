// Orchestration versions: how two versions compare and whether a worker may run an instance of a given version, with
// Durable Functions' host.json settings (defaultVersion, versionMatchStrategy, versionFailureStrategy).
import { TaskhubError } from './errors.js';

/**
 * host.json `extensions.durableTask.versionMatchStrategy`: which instances a worker runs, compared with its
 * `defaultVersion`. `None`: any version. `Strict`: only its defaultVersion. `CurrentOrOlder` (Durable Functions'
 * default): its defaultVersion or older.
 */
export type VersionMatchStrategy = 'None' | 'Strict' | 'CurrentOrOlder';

/**
 * host.json `extensions.durableTask.versionFailureStrategy`: what a worker does with an instance whose version it may
 * not run. `Reject` (the default): it leaves the instance alone, which waits, Pending or Running, for a worker that
 * may run it. `Fail`: the instance ends Failed.
 */
export type VersionFailureStrategy = 'Reject' | 'Fail';

export interface VersioningOptions {
  /** The version new instances get when their start names none (host.json `defaultVersion`). */
  readonly defaultVersion?: string | undefined;
  /** Default `CurrentOrOlder`. */
  readonly versionMatchStrategy?: VersionMatchStrategy | undefined;
  /** Default `Reject`. */
  readonly versionFailureStrategy?: VersionFailureStrategy | undefined;
}

export const VERSION_MATCH_STRATEGIES: readonly VersionMatchStrategy[] = ['None', 'Strict', 'CurrentOrOlder'];
export const VERSION_FAILURE_STRATEGIES: readonly VersionFailureStrategy[] = ['Reject', 'Fail'];

/** A parsed `System.Version` (2 to 4 numeric parts, each at most 2^31-1), or undefined for any other text. */
function parseDotNetVersion(text: string): number[] | undefined {
  if (!/^\d+(\.\d+){1,3}$/.test(text)) return undefined;
  const parts = text.split('.').map(Number);
  return parts.every((p) => p <= 2147483647) ? parts : undefined;
}

/**
 * Orders two versions as Durable Functions does: empty (or absent, or blank) versions are equal and older than any
 * other; two versions that both read as `major.minor[.build[.revision]]` compare part by part (a missing part is
 * older than any present one, so "1.0" < "1.0.0"); any other pair compares as text, ignoring case. So "1.0" < "2.0" <
 * "10.0", but "10" < "9" (single numbers are text there: write "1.0", "2.0" for numeric order).
 * Returns a negative number, zero or a positive number.
 */
export function compareVersions(a: string | undefined, b: string | undefined): number {
  const x = (a ?? '').trim();
  const y = (b ?? '').trim();
  if (x === '' || y === '') return (x === '' ? 0 : 1) - (y === '' ? 0 : 1);
  const px = parseDotNetVersion(x);
  const py = parseDotNetVersion(y);
  if (px && py) {
    for (let i = 0; i < 4; i++) {
      const d = (px[i] ?? -1) - (py[i] ?? -1);
      if (d !== 0) return Math.sign(d);
    }
    return 0;
  }
  const ux = x.toUpperCase();
  const uy = y.toUpperCase();
  return ux < uy ? -1 : ux > uy ? 1 : 0;
}

/** Whether a worker whose defaultVersion is `workerVersion` may run an instance of `instanceVersion`. */
export function versionMatches(
  strategy: VersionMatchStrategy,
  instanceVersion: string | undefined,
  workerVersion: string | undefined,
): boolean {
  switch (strategy) {
    case 'None':
      return true;
    case 'Strict':
      return compareVersions(instanceVersion, workerVersion) === 0;
    case 'CurrentOrOlder':
      return compareVersions(instanceVersion, workerVersion) <= 0;
    default: {
      const unknown: never = strategy;
      throw new Error(`unknown versionMatchStrategy ${String(unknown)}`);
    }
  }
}

/** Checks host.json's versioning settings, with an error naming the setting and what it accepts. */
export function validateVersioning(options: Record<string, unknown>, where: string): VersioningOptions {
  const { defaultVersion, versionMatchStrategy, versionFailureStrategy } = options;
  if (defaultVersion !== undefined && defaultVersion !== null && typeof defaultVersion !== 'string') {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `${where}: defaultVersion must be a string (e.g. "1.0"), not ${JSON.stringify(defaultVersion)}.`,
    );
  }
  const match = oneOf(versionMatchStrategy, VERSION_MATCH_STRATEGIES, 'versionMatchStrategy', where);
  const failure = oneOf(versionFailureStrategy, VERSION_FAILURE_STRATEGIES, 'versionFailureStrategy', where);
  return {
    ...(typeof defaultVersion === 'string' && defaultVersion.trim() !== '' ? { defaultVersion } : {}),
    ...(match === undefined ? {} : { versionMatchStrategy: match }),
    ...(failure === undefined ? {} : { versionFailureStrategy: failure }),
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], setting: string, where: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  // Azure reads these enums case-insensitively.
  const found = typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
  if (found === undefined) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `${where}: ${setting} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}.`,
    );
  }
  return found;
}

/** One version range a worker runs of one orchestration; absent bounds are open. */
export interface VersionRule {
  /** The orchestration name, lower-case. */
  readonly name: string;
  readonly min?: string;
  readonly max?: string;
}

/**
 * What a worker claims: instances of the orchestrations named in `names` only when their version is within one of
 * that name's rules; instances of other orchestrations (and entities) as always.
 */
export interface VersionFilter {
  /** Lower-case names the rules govern. */
  readonly names: readonly string[];
  readonly rules: readonly VersionRule[];
}

/** Whether an instance of `name` at `version` passes the filter (the stores' SQL says the same). */
export function versionAllowed(filter: VersionFilter | undefined, name: string, version: string | undefined): boolean {
  if (!filter) return true;
  const key = name.toLowerCase();
  if (!filter.names.includes(key)) return true;
  return filter.rules.some(
    (r) =>
      r.name === key &&
      (r.min === undefined || compareVersions(version, r.min) >= 0) &&
      (r.max === undefined || compareVersions(version, r.max) <= 0),
  );
}
