// A replayer for users and tests: checks that orchestrator code still replays a recorded history (e.g. before
// deploying a change while instances are running). checkReplay reports the first divergence as data; replayHistory
// throws it as NonDeterministicOrchestrationError. Async orchestrators get the same answers as promises.
import type { AnyOrchestrationHandler, AsyncOrchestrationHandler, OrchestrationHandler } from './context.js';
import type { EpisodeResult } from './episode.js';
import { TaskhubError } from './errors.js';
import type { FailureDetails, HistoryEvent } from './history.js';
import { NON_DETERMINISTIC_ERROR_TYPE, NonDeterministicOrchestrationError, type Divergence } from './nondeterminism.js';
import { createOrchestrationExecutor } from './replay.js';

export interface ReplayHistoryOptions {
  readonly instanceId?: string;
  readonly name?: string;
  readonly parentInstanceId?: string;
}

/** What replaying a history against the current code found. */
export type ReplayReport =
  | {
      readonly ok: true;
      /** Where the code stands after the history: its outcome and the actions it would take next. */
      readonly result: EpisodeResult;
    }
  | {
      readonly ok: false;
      /** The first divergence: the history's event and the code's action side by side, with the call's file:line. */
      readonly divergence: Divergence;
      /** The full message, as an instance failed by this divergence would show it. */
      readonly message: string;
    };

/**
 * Replays a stored history (one execution) against the code and reports success or the first divergence, without a
 * store. For a finished history the result carries the code's own outcome, to compare with the record. For an async
 * orchestrator the report comes as a promise.
 */
export function checkReplay(
  handler: OrchestrationHandler,
  history: readonly HistoryEvent[],
  options?: ReplayHistoryOptions,
): ReplayReport;
export function checkReplay(
  handler: AsyncOrchestrationHandler,
  history: readonly HistoryEvent[],
  options?: ReplayHistoryOptions,
): Promise<ReplayReport>;
export function checkReplay(
  handler: AnyOrchestrationHandler,
  history: readonly HistoryEvent[],
  options?: ReplayHistoryOptions,
): ReplayReport | Promise<ReplayReport>;
export function checkReplay(
  handler: AnyOrchestrationHandler,
  history: readonly HistoryEvent[],
  options: ReplayHistoryOptions = {},
): ReplayReport | Promise<ReplayReport> {
  const started = history.find((e) => e.eventType === 'ExecutionStarted');
  const executor = createOrchestrationExecutor(handler, {
    instanceId: options.instanceId ?? (started?.eventType === 'ExecutionStarted' ? started.instanceId : 'replay'),
    name: options.name ?? (started?.eventType === 'ExecutionStarted' ? started.name : 'replay'),
    ...(options.parentInstanceId === undefined ? {} : { parentInstanceId: options.parentInstanceId }),
  });
  const last = history.at(-1)?.timestamp;
  if (last === undefined) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      "Replay needs a non-empty history: the stored events of the instance, as 'taskhub export <id>' writes them " +
        "(also the dashboard's history download, and client.getHistory(id)).",
    );
  }
  const replayed = executor.replay(history);
  if (!replayed) return reportOf(executor.execute([], last) as EpisodeResult);
  return replayed.then(() => executor.execute([], last)).then(reportOf);
}

function reportOf(result: EpisodeResult): ReplayReport {
  const outcome = result.outcome;
  if (outcome.status === 'Failed' && outcome.failureDetails.errorType === NON_DETERMINISTIC_ERROR_TYPE) {
    return {
      ok: false,
      divergence: divergenceOf(outcome.failureDetails),
      message: outcome.failureDetails.errorMessage,
    };
  }
  return { ok: true, result };
}

/**
 * Like checkReplay, but returns the result directly and throws NonDeterministicOrchestrationError (code
 * NON_DETERMINISTIC, with the divergence as `details`) when the code diverges; a promise for an async orchestrator.
 */
export function replayHistory(
  handler: OrchestrationHandler,
  history: readonly HistoryEvent[],
  options?: ReplayHistoryOptions,
): EpisodeResult;
export function replayHistory(
  handler: AsyncOrchestrationHandler,
  history: readonly HistoryEvent[],
  options?: ReplayHistoryOptions,
): Promise<EpisodeResult>;
export function replayHistory(
  handler: AnyOrchestrationHandler,
  history: readonly HistoryEvent[],
  options?: ReplayHistoryOptions,
): EpisodeResult | Promise<EpisodeResult>;
export function replayHistory(
  handler: AnyOrchestrationHandler,
  history: readonly HistoryEvent[],
  options: ReplayHistoryOptions = {},
): EpisodeResult | Promise<EpisodeResult> {
  const report = checkReplay(handler, history, options);
  return report instanceof Promise ? report.then(resultOf) : resultOf(report);
}

function resultOf(report: ReplayReport): EpisodeResult {
  if (!report.ok) throw new NonDeterministicOrchestrationError(report.message, report.divergence);
  return report.result;
}

/** The divergence stored in a non-determinism failure's details (an older record has none: the message then). */
export function divergenceOf(failure: FailureDetails): Divergence {
  try {
    const parsed = JSON.parse(failure.details ?? '') as Partial<Divergence>;
    if (typeof parsed.history === 'string' && typeof parsed.code === 'string') return parsed as Divergence;
  } catch {
    // no structured details: fall through
  }
  return { sequenceId: -1, history: failure.errorMessage, code: '' };
}
