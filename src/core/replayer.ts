// A replayer for users and tests: checks that orchestrator code still replays a recorded history (e.g. before
// deploying a change while instances are running), throwing NonDeterministicOrchestrationError when it does not.
import type { OrchestrationHandler } from './context.js';
import type { EpisodeResult } from './episode.js';
import { TaskhubError } from './errors.js';
import type { HistoryEvent } from './history.js';
import { NON_DETERMINISTIC_ERROR_TYPE, NonDeterministicOrchestrationError } from './nondeterminism.js';
import { createOrchestrationExecutor } from './replay.js';

export interface ReplayHistoryOptions {
  readonly instanceId?: string;
  readonly name?: string;
  readonly parentInstanceId?: string;
}

/**
 * Replays a stored history (one execution) against the code and returns where the code stands afterwards: the
 * outcome it reached (for a finished history, the code's own outcome, to compare with the record) and the actions it
 * would take next. Throws NonDeterministicOrchestrationError (code NON_DETERMINISTIC) when the code diverges.
 */
export function replayHistory(
  handler: OrchestrationHandler,
  history: readonly HistoryEvent[],
  options: ReplayHistoryOptions = {},
): EpisodeResult {
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
    throw new NonDeterministicOrchestrationError(outcome.failureDetails.errorMessage);
  }
  return result;
}
