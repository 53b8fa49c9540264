// A replayer for users and tests: checks that orchestrator code still replays a recorded history (e.g. before
// deploying a change while instances are running). checkReplay reports the first divergence as data; replayHistory
// throws it as NonDeterministicOrchestrationError.
import type { OrchestrationHandler } from './context.js';
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
 * store. For a finished history the result carries the code's own outcome, to compare with the record.
 */
export function checkReplay(
  handler: OrchestrationHandler,
  history: readonly HistoryEvent[],
  options: ReplayHistoryOptions = {},
): ReplayReport {
  const started = history.find((e) => e.eventType === 'ExecutionStarted');
  const executor = createOrchestrationExecutor(handler, {
    instanceId: options.instanceId ?? (started?.eventType === 'ExecutionStarted' ? started.instanceId : 'replay'),
    name: options.name ?? (started?.eventType === 'ExecutionStarted' ? started.name : 'replay'),
    ...(options.parentInstanceId === undefined ? {} : { parentInstanceId: options.parentInstanceId }),
  });
  executor.replay(history);
  const last = history.at(-1)?.timestamp;
  if (last === undefined) throw new TaskhubError('INVALID_ARGUMENT', 'replayHistory needs a non-empty history.');
  const result = executor.execute([], last);
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
 * NON_DETERMINISTIC, with the divergence as `details`) when the code diverges.
 */
export function replayHistory(
  handler: OrchestrationHandler,
  history: readonly HistoryEvent[],
  options: ReplayHistoryOptions = {},
): EpisodeResult {
  const report = checkReplay(handler, history, options);
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
