// What `taskhub doctor` reports: findings, each with a severity, what it means, the instances it concerns (capped) and
// the commands that fix it, built from a store's scan (store/doctor-scan.ts) and the histories of idle instances.
// The shape is the JSON of `taskhub doctor --json` and of `GET /runtime/webhooks/durabletask/doctor`.
import type { StoreSize } from '../store/doctor-scan.js';

/**
 * `error`: instances that will not make progress without someone acting (exit code 3). `warning`: something to look
 * at that may resolve by itself or only costs space (exit code 2). `info`: facts about the store (exit code 0).
 */
export type Severity = 'error' | 'warning' | 'info';

export type FindingCode =
  | 'PENDING_TOO_LONG'
  | 'STUCK'
  | 'WAITING_FOR_EVENT'
  | 'EXPIRED_LEASES'
  | 'DELIVERY_COUNT_EXCEEDED'
  | 'ENTITY_LOCK_ORPHANED'
  | 'OVERSIZED'
  | 'FINISHED_NOT_PURGED'
  | 'STORE_SIZE'
  | 'VERSION_NOT_RUN'
  | 'VERSIONS_IN_USE';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** One line: what was found, with the count. */
  readonly title: string;
  /** What it means and why it matters. */
  readonly meaning: string;
  /** How many instances (or rows) the finding concerns; `instanceIds` holds at most the scan's limit of them. */
  readonly count: number;
  readonly instanceIds: readonly string[];
  /** One line per instance listed, saying what about it was found. */
  readonly details: readonly string[];
  /**
   * Commands that fix it (`taskhub …`), at most one or two per listed instance: ready to run, except those that
   * start with TEMPLATE ("Fill in and run: "), whose `<placeholders>` need filling in first.
   */
  readonly fix: readonly string[];
  /** When no command fixes it, or before running the commands: what to do. */
  readonly advice?: string;
}

export interface DoctorThresholds {
  /** A Pending instance whose start has been due this long (ms) is reported. Default 5 minutes. */
  readonly pendingOlderThanMs: number;
  /** A Running instance that can only be woken by an external event, not updated for this long (ms). Default 1 day. */
  readonly waitingOlderThanMs: number;
  /** Instances that finished longer ago than this (ms) are a warning. Default 30 days. */
  readonly finishedOlderThanMs: number;
  /**
   * Work delivered this many times without completing is reported: doctor's threshold, the app's host.json
   * maxDeliveryCount when doctor knows the app, else 5 (the host's default).
   */
  readonly maxDeliveryCount: number;
  /** Default 10,000 events. */
  readonly maxHistoryEvents: number;
  /** Default 1 MiB (1,048,576 bytes). */
  readonly maxPayloadBytes: number;
  /** Instance ids listed per finding; default 20. */
  readonly limit: number;
}

export const DEFAULT_THRESHOLDS: DoctorThresholds = {
  pendingOlderThanMs: 5 * 60_000,
  waitingOlderThanMs: 24 * 3_600_000,
  finishedOlderThanMs: 30 * 86_400_000,
  maxDeliveryCount: 5,
  maxHistoryEvents: 10_000,
  maxPayloadBytes: 1_048_576,
  limit: 20,
};

export interface DoctorReport {
  readonly hubName: string;
  /** ISO 8601 UTC, the store's clock. */
  readonly checkedAt: string;
  readonly thresholds: DoctorThresholds;
  /** Errors first, then warnings, then information. */
  readonly findings: readonly Finding[];
  readonly summary: { readonly errors: number; readonly warnings: number; readonly info: number };
  readonly store: StoreSize & {
    readonly finishedInstances: number;
    /** ISO 8601 UTC: when the instance that finished longest ago ended. */
    readonly oldestFinishedTime?: string;
  };
}

/** The exit code a report asks for: 3 with an error, 2 with warnings only, 0 otherwise (1 is the command failing). */
export function exitCodeOf(report: DoctorReport, failOn: 'warning' | 'error' | 'never' = 'warning'): number {
  if (failOn === 'never') return 0;
  if (report.summary.errors > 0) return 3;
  if (report.summary.warnings > 0 && failOn === 'warning') return 2;
  return 0;
}

/** An argument as a POSIX shell reads it back: bare when safe, else single-quoted. */
export function shellArg(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `taskhub <args>` with each argument quoted as needed. */
export function command(...args: string[]): string {
  return ['taskhub', ...args.map(shellArg)].join(' ');
}

/** The target options doctor was given, to repeat on the commands it prints. */
export interface TargetFlags {
  readonly app?: string;
  readonly url?: string;
  readonly store?: string;
  readonly hub?: string;
}

/**
 * Adds the target options to every `taskhub …` command of the report, so each acts where doctor looked. `taskhub
 * start` takes the app folder as its argument and no --url (it starts the host that would answer there).
 */
export function withTargetFlags(report: DoctorReport, target: TargetFlags): DoctorReport {
  const flags = (['app', 'url', 'store', 'hub'] as const).flatMap((name) =>
    target[name] !== undefined ? [`--${name}`, target[name]] : [],
  );
  if (flags.length === 0) return report;
  const suffix = ` ${flags.map(shellArg).join(' ')}`;
  const startArgs = [
    ...(target.app !== undefined ? [target.app] : []),
    ...(['store', 'hub'] as const).flatMap((name) => (target[name] !== undefined ? [`--${name}`, target[name]] : [])),
  ];
  const start = command('start', ...startArgs);
  const add = (line: string) =>
    line === 'taskhub start'
      ? start
      : line.replace(/(taskhub [^&|;]*?)(\s*(?:&&|$))/g, (_, cmd: string, rest: string) => `${cmd}${suffix}${rest}`);
  return { ...report, findings: report.findings.map((f) => ({ ...f, fix: f.fix.map(add) })) };
}
