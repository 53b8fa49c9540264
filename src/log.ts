// One catalogue of log events with stable names, written through pino. Library code never uses console.
import { pino } from 'pino';

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
} as const;

/** The default logger: info level to stderr unless TASKHUB_LOG_LEVEL says otherwise ('silent' turns it off). */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  const level = options.level ?? process.env.TASKHUB_LOG_LEVEL ?? 'info';
  return pino({ name: options.name ?? 'taskhub', level }, pino.destination(2));
}
