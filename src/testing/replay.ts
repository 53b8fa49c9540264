// checkReplay and replayHistory for users: the core replayer, fed either a bare history or what `taskhub export`
// writes (and the recorded fixture form `{ orchestrator, history }`), the same inputs `taskhub replay` reads.
import '../worker/async-context.js';
import type { AnyOrchestrationHandler, AsyncOrchestrationHandler, OrchestrationHandler } from '../core/context.js';
import type { EpisodeResult } from '../core/episode.js';
import { TaskhubError } from '../core/errors.js';
import type { HistoryEvent } from '../core/history.js';
import {
  checkReplay as checkEvents,
  replayHistory as replayEvents,
  type ReplayHistoryOptions,
  type ReplayReport,
} from '../core/replayer.js';

/** An exported history (`taskhub export`, the dashboard's export) or a recorded fixture. */
export interface ExportedHistory {
  readonly instanceId?: string;
  /** The orchestrator's name (an export). */
  readonly name?: string;
  /** The orchestrator's name (a recorded fixture). */
  readonly orchestrator?: string;
  readonly history: readonly HistoryEvent[];
}

/** What the replayers accept: the events themselves, or the parsed JSON of an exported history file. */
export type ReplayInput = readonly HistoryEvent[] | ExportedHistory;

/** Where the history a replay needs comes from. */
const WHERE_FROM =
  "the stored events of the instance, as 'taskhub export <id>' writes them (also the dashboard's history download, " +
  "and client.getHistory(id)), each with an 'eventType'";

/**
 * The status API's history (getStatus(id, { showHistory: true }).history, `showHistory=true`) is for people: it
 * leaves out the episode boundaries, the ids that pair each completion with its call, and (unless showHistoryOutput)
 * the results, so no replay can be built from it. Its events have `EventType`, stored ones `eventType`.
 */
function checkStoredEvents(events: readonly unknown[]): void {
  const first = events[0] as Record<string, unknown> | undefined;
  if (first === undefined || typeof first !== 'object' || first === null || 'eventType' in first) return;
  const rendered = 'EventType' in first;
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    (rendered
      ? "Replay got the status API's history (getStatus(id, { showHistory: true }).history, or showHistory=true), " +
        'which leaves out what a replay needs: the episode boundaries, the task ids that pair each completion with ' +
        'its call, and the results. '
      : 'Replay got something that is not a history event. ') + `It needs ${WHERE_FROM}.`,
  );
}

function eventsAndOptions(
  input: ReplayInput,
  options: ReplayHistoryOptions,
): [readonly HistoryEvent[], ReplayHistoryOptions] {
  if (Array.isArray(input)) {
    checkStoredEvents(input);
    return [input as readonly HistoryEvent[], options];
  }
  const exported = input as Partial<ExportedHistory> | null;
  if (exported === null || typeof exported !== 'object' || !Array.isArray(exported.history)) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      'Replay needs a history: an array of history events, or an exported history file ' +
        "(the parsed JSON 'taskhub export <id>' writes, with a 'history' array).",
    );
  }
  checkStoredEvents(exported.history);
  const name = exported.name ?? exported.orchestrator;
  return [
    exported.history,
    {
      ...(exported.instanceId === undefined ? {} : { instanceId: exported.instanceId }),
      ...(name === undefined ? {} : { name }),
      ...options,
    },
  ];
}

/**
 * An orchestrator function as the app wrote it: Taskhub's OrchestrationHandler, or one typed with durable-functions'
 * own types (`df.OrchestrationHandler`, whose context type is the real package's).
 */
export type ReplayableOrchestrator = OrchestrationHandler | ((context: never) => Generator<unknown, unknown, never>);

/** An async orchestrator, typed with Taskhub's context or the real package's. */
export type AsyncReplayableOrchestrator = AsyncOrchestrationHandler | ((context: never) => Promise<unknown>);

/**
 * Replays a history (the events, or an exported history file's parsed JSON) against the orchestrator and reports
 * success or the first divergence, with the file:line of the orchestrator's call, without a store. For an async
 * orchestrator the report comes as a promise (`await checkReplay(...)` works for both kinds).
 */
export function checkReplay(
  handler: ReplayableOrchestrator,
  history: ReplayInput,
  options?: ReplayHistoryOptions,
): ReplayReport;
export function checkReplay(
  handler: AsyncReplayableOrchestrator,
  history: ReplayInput,
  options?: ReplayHistoryOptions,
): Promise<ReplayReport>;
export function checkReplay(
  handler: ReplayableOrchestrator | AsyncReplayableOrchestrator,
  history: ReplayInput,
  options: ReplayHistoryOptions = {},
): ReplayReport | Promise<ReplayReport> {
  return checkEvents(handler as AnyOrchestrationHandler, ...eventsAndOptions(history, options));
}

/**
 * Like checkReplay, but returns the result directly and throws NonDeterministicOrchestrationError (code
 * NON_DETERMINISTIC, with the divergence as `details`) when the code diverges; for an async orchestrator, a promise
 * that rejects with it.
 */
export function replayHistory(
  handler: ReplayableOrchestrator,
  history: ReplayInput,
  options?: ReplayHistoryOptions,
): EpisodeResult;
export function replayHistory(
  handler: AsyncReplayableOrchestrator,
  history: ReplayInput,
  options?: ReplayHistoryOptions,
): Promise<EpisodeResult>;
export function replayHistory(
  handler: ReplayableOrchestrator | AsyncReplayableOrchestrator,
  history: ReplayInput,
  options: ReplayHistoryOptions = {},
): EpisodeResult | Promise<EpisodeResult> {
  return replayEvents(handler as AnyOrchestrationHandler, ...eventsAndOptions(history, options));
}
