// One catalogue of log events with stable names, written through pino. Library code never uses console.
// On a terminal the lines are for people (log-pretty.ts); anywhere else they are pino's JSON, one record a line.
import { pino } from 'pino';
import { prettyDestination } from './log-pretty.js';

/**
 * One logging method, in pino's calling convention: an object of fields first (optional) and a message. Any pino
 * logger fits; Taskhub's own type keeps pino's declarations out of the public ones.
 */
export interface LogFn {
  (fields: object, message?: string, ...args: unknown[]): void;
  (message: string, ...args: unknown[]): void;
}

/** The logger Taskhub writes through (a pino logger, or anything with the same methods). */
export interface Logger {
  /** The lowest level written: 'trace', 'debug', 'info', 'warn', 'error', 'fatal' or 'silent'. */
  level: string;
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  /** Whether a line at `level` would be written (guards lines that cost something to build). */
  isLevelEnabled(level: string): boolean;
  /** A logger adding `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

/** Stable event names: operators grep for these, so they never change meaning. */
export const LogEvents = {
  workerStarted: 'worker.started',
  workerStopped: 'worker.stopped',
  episodeRejected: 'episode.rejected',
  episodeFailed: 'episode.failed',
  orchestrationUnknown: 'orchestration.unknown',
  orchestrationVersionRejected: 'orchestration.version-rejected',
  orchestrationVersionFailed: 'orchestration.version-failed',
  orchestrationVersionWaiting: 'orchestration.version-waiting',
  activityFailed: 'activity.failed',
  activityUnknown: 'activity.unknown',
  commitFailed: 'commit.failed',
  leaseRenewFailed: 'lease.renew-failed',
  locksRecovered: 'locks.recovered',
  dispatcherError: 'dispatcher.error',
  orchestratorLog: 'orchestrator.log',
  activityLog: 'activity.log',
  entityLog: 'entity.log',
  outputNotDelivered: 'output.not-delivered',
  entityMessageDropped: 'entity.message-dropped',
  activityQuarantined: 'activity.quarantined',
  activityTimedOut: 'activity.timed-out',
  httpFunctionTimedOut: 'http-function.timed-out',
  orchestrationQuarantined: 'orchestration.quarantined',
  subOrchestrationIdInUse: 'sub-orchestration.id-in-use',
  entityQuarantined: 'entity.quarantined',
  languageWorkerStarted: 'language-worker.started',
  appHookFailed: 'app.hook-failed',
  languageWorkerCrashed: 'language-worker.crashed',
  languageWorkerExited: 'language-worker.exited',
  languageWorkerRecycling: 'language-worker.recycling',
  languageWorkerUnresponsive: 'language-worker.unresponsive',
  languageWorkerRequestFailed: 'language-worker.request-failed',
  bindingNotServed: 'app.binding-not-served',
  appBuildStale: 'app.build-stale',
  functionInError: 'app.function-in-error',
  timerScheduleInvalid: 'timer.schedule-invalid',
  timerScheduled: 'timer.scheduled',
  timerFunctionFailed: 'timer.function-failed',
  timerClaimFailed: 'timer.claim-failed',
  storeUnavailable: 'store.unavailable',
  storeFull: 'store.full',
  storeRecovered: 'store.recovered',
  storeWaiting: 'store.waiting',
  storeCleanupFailed: 'store.cleanup-failed',
  /** A retention pass ended: what it purged per status and what entity clean-up removed or released. */
  retentionPass: 'retention.pass',
  retentionFailed: 'retention.failed',
  /** A function invocation begins (debug): `Executing 'Functions.X' (Reason='…', Id=…)`, as `func start` prints. */
  functionExecuting: 'function.executing',
  /** A function invocation ended: `Executed 'Functions.X' (Succeeded|Failed, Id=…, Duration=12ms)`; info, or warn. */
  functionExecuted: 'function.executed',
} as const;

/** Levels a logger takes, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export type LogFormat = 'pretty' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];

export interface LoggerOptions {
  /** Default: env TASKHUB_LOG_LEVEL, else 'info'. */
  readonly level?: string;
  readonly name?: string;
  /** Default: env TASKHUB_LOG_FORMAT, else 'pretty' when stderr is a terminal and 'json' otherwise. */
  readonly format?: LogFormat;
}

/**
 * The default logger, to stderr: info level unless TASKHUB_LOG_LEVEL says otherwise ('silent' turns it off); readable
 * lines on a terminal, JSON otherwise, unless TASKHUB_LOG_FORMAT (pretty or json) says which.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.TASKHUB_LOG_LEVEL ?? 'info';
  const format = options.format ?? logFormatFromEnv() ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const destination = format === 'pretty' ? prettyDestination(process.stderr) : pino.destination(2);
  return pino({ name: options.name ?? 'taskhub', level }, destination);
}

function logFormatFromEnv(): LogFormat | undefined {
  const value = process.env.TASKHUB_LOG_FORMAT?.toLowerCase();
  return LOG_FORMATS.find((f) => f === value);
}

/** `Duration=12ms` as `func start` prints it: whole milliseconds. */
export function durationText(ms: number): string {
  return `${Math.round(ms)}ms`;
}

/** What names one invocation in its log lines. */
export interface Invocation {
  readonly functionName: string;
  /** Shown as `Id=`: the instance id for an orchestration, instance:task for an activity, a GUID for HTTP. */
  readonly id: string;
  /** The instance it serves, when there is one. */
  readonly instanceId?: string;
}

/**
 * `Executing 'Functions.X' (Reason='…', Id=…)`, at debug: with info, the one line per invocation is the end's. The
 * reason is built only when the line is written, so the hot path pays nothing above debug.
 */
export function logExecuting(logger: Logger, invocation: Invocation, reason: () => string): void {
  if (!logger.isLevelEnabled('debug')) return;
  logger.debug(
    { event: LogEvents.functionExecuting, ...invocation },
    `Executing 'Functions.${invocation.functionName}' (Reason='${reason()}', Id=${invocation.id})`,
  );
}

/**
 * `Executed 'Functions.X' (Succeeded, Id=…, Duration=12ms)` at info, or `(Failed, …): message` at warn, so a failure
 * shows at the default level. `durationMs` is the function's own time; `detail` adds to the parentheses.
 */
export function logExecuted(
  logger: Logger,
  invocation: Invocation,
  durationMs: number,
  failure?: { readonly err?: unknown; readonly message: string },
  detail?: string,
): void {
  if (!failure && !logger.isLevelEnabled('info')) return;
  const outcome = failure ? 'Failed' : 'Succeeded';
  const text =
    `Executed 'Functions.${invocation.functionName}' (${outcome}, Id=${invocation.id}` +
    `${detail ? `, ${detail}` : ''}, Duration=${durationText(durationMs)})`;
  const fields = { event: LogEvents.functionExecuted, ...invocation, outcome, durationMs: Math.round(durationMs) };
  if (failure) {
    logger.warn(
      { ...fields, ...(failure.err === undefined ? {} : { err: failure.err }) },
      `${text}: ${failure.message}`,
    );
  } else {
    logger.info(fields, text);
  }
}
