// Doctor's thresholds from text, one parser for the command line (`--pending-older-than 15m`) and the management API
// (`?pendingOlderThan=15m`), so both accept and refuse the same values with the same words.
import { parseAge } from './age.js';
import type { DoctorThresholds } from './findings.js';

/** Each threshold: its camelCase name (query parameter), and whether it is an age or a count. */
export const THRESHOLD_OPTIONS: readonly {
  readonly key: keyof DoctorThresholds;
  readonly name: string;
  readonly kind: 'age' | 'count';
  readonly min: number;
  readonly description: string;
}[] = [
  {
    key: 'pendingOlderThanMs',
    name: 'pendingOlderThan',
    kind: 'age',
    min: 0,
    description: 'Pending instances whose start is due this long (default 5m)',
  },
  {
    key: 'waitingOlderThanMs',
    name: 'waitingOlderThan',
    kind: 'age',
    min: 0,
    description: 'Running instances only an external event can wake, idle this long (default 1d)',
  },
  {
    key: 'finishedOlderThanMs',
    name: 'finishedOlderThan',
    kind: 'age',
    min: 0,
    description: 'instances that finished this long ago are a warning (default 30d)',
  },
  {
    key: 'maxDeliveryCount',
    name: 'maxDeliveryCount',
    kind: 'count',
    min: 1,
    description:
      "doctor's threshold for work delivered this many times without completing (default: host.json's " +
      'maxDeliveryCount when doctor runs for an app, else 5)',
  },
  {
    key: 'maxHistoryEvents',
    name: 'maxHistoryEvents',
    kind: 'count',
    min: 1,
    description: 'histories with more events are oversized (default 10000)',
  },
  {
    key: 'maxPayloadBytes',
    name: 'maxPayloadBytes',
    kind: 'count',
    min: 1,
    description: 'payloads and histories with more bytes are oversized (default 1048576)',
  },
  { key: 'limit', name: 'limit', kind: 'count', min: 1, description: 'instance ids listed per finding (default 20)' },
];

/** `pendingOlderThan` → `--pending-older-than`. */
export function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The thresholds given (by camelCase name); `label` names a value in errors (`--pending-older-than` or `'limit'`). */
export function thresholdsFrom(
  get: (name: string) => string | undefined,
  label: (name: string) => string,
): Partial<DoctorThresholds> {
  const thresholds: Partial<Record<keyof DoctorThresholds, number>> = {};
  for (const option of THRESHOLD_OPTIONS) {
    const raw = get(option.name);
    if (raw === undefined || raw === '') continue;
    if (option.kind === 'age') {
      thresholds[option.key] = parseAge(raw, label(option.name));
      continue;
    }
    const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < option.min) {
      throw new Error(`${label(option.name)} must be a whole number, at least ${option.min}, not '${raw}'.`);
    }
    thresholds[option.key] = value;
  }
  return thresholds;
}
