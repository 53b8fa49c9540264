// An episode replayed by an SDK worker: its OrchestratorResponse (actions, custom status) becomes the EpisodeResult
// Taskhub's own replayer would have produced for the same events, so buildEpisodeCommit turns it into the same commit
// (history, work items, timers, sub-orchestrations, events, the parent's notice). The SDK checks determinism itself;
// Taskhub records what it did with the sequence ids it chose.
import type { EpisodeOutcome, EpisodeResult, OrchestratorAction } from '../core/episode.js';
import type { EventRaisedEvent, HistoryEvent, RuntimeStatus } from '../core/history.js';
import type { NewMessage } from '../store/store.js';
import { fromPbFailure, fromTimestamp, optional, unwrap } from './convert.js';
import { entityAction } from './entity-events.js';
import type * as pb from './proto-types.js';

export interface RemoteEpisode {
  readonly result: EpisodeResult;
  /** Terminations of other instances the orchestrator asked for (TerminateOrchestrationAction). */
  readonly extraMessages: readonly NewMessage[];
}

/** An action Taskhub cannot carry out: the episode fails the instance with this message instead. */
export class UnsupportedActionError extends Error {}

/**
 * The episode's result. `events` are the new events the SDK was given (after its OrchestratorStarted),
 * `history` the stored history before them (to tell whether the instance is suspended).
 */
export function remoteEpisodeResult(
  instanceId: string,
  response: pb.OrchestratorResponse,
  history: readonly HistoryEvent[],
  events: readonly HistoryEvent[],
  now: string,
): RemoteEpisode {
  const newHistory: HistoryEvent[] = [{ eventType: 'OrchestratorStarted', eventId: -1, timestamp: now }, ...events];
  const actions: OrchestratorAction[] = [];
  const extraMessages: NewMessage[] = [];
  let outcome: EpisodeOutcome | undefined;
  for (const a of response.actions) {
    const id = a.id;
    if (a.scheduleTask) {
      const input = unwrap(a.scheduleTask.input);
      actions.push({ kind: 'ScheduleTask', sequenceId: id, name: a.scheduleTask.name, ...optional('input', input) });
      newHistory.push({
        eventType: 'TaskScheduled',
        eventId: id,
        timestamp: now,
        name: a.scheduleTask.name,
        ...optional('input', input),
      });
    } else if (a.createTimer) {
      const fireAt = fromTimestamp(a.createTimer.fireAt) ?? now;
      actions.push({ kind: 'CreateTimer', sequenceId: id, fireAt });
      newHistory.push({ eventType: 'TimerCreated', eventId: id, timestamp: now, fireAt });
    } else if (a.createSubOrchestration) {
      const s = a.createSubOrchestration;
      const input = unwrap(s.input);
      const common = { name: s.name, instanceId: s.instanceId, ...optional('input', input) };
      actions.push({ kind: 'CreateSubOrchestration', sequenceId: id, ...common });
      newHistory.push({ eventType: 'SubOrchestrationInstanceCreated', eventId: id, timestamp: now, ...common });
    } else if (a.sendEvent) {
      const input = unwrap(a.sendEvent.data);
      const target = a.sendEvent.instance?.instanceId ?? '';
      const common = { instanceId: target, name: a.sendEvent.name, ...optional('input', input) };
      actions.push({ kind: 'SendEvent', sequenceId: id, ...common });
      newHistory.push({ eventType: 'EventSent', eventId: id, timestamp: now, ...common });
    } else if (a.terminateOrchestration) {
      const reason = unwrap(a.terminateOrchestration.reason);
      extraMessages.push({
        instanceId: a.terminateOrchestration.instanceId,
        event: { eventType: 'ExecutionTerminated', eventId: -1, timestamp: now, ...optional('input', reason) },
      });
    } else if (a.sendEntityMessage) {
      const recorded = entityAction(id, a.sendEntityMessage, instanceId, now);
      if (!recorded)
        throw new UnsupportedActionError('The orchestrator sent an entity message with no operation or lock in it.');
      newHistory.push(recorded.historyEvent);
      extraMessages.push(recorded.message);
    } else if (a.completeOrchestration) {
      outcome = completion(a.completeOrchestration);
    } else {
      throw new UnsupportedActionError(
        `The orchestrator asked for a '${a.orchestratorActionType ?? 'unknown'}' action, which Taskhub's gRPC ` +
          'endpoint does not carry out yet (rewind actions from SDK orchestrators are not supported).',
      );
    }
  }
  const customStatus = unwrap(response.customStatus);
  if (outcome && outcome.status !== 'Running' && outcome.status !== 'Suspended') {
    newHistory.push(completedEvent(outcome, now));
  }
  newHistory.push({ eventType: 'OrchestratorCompleted', eventId: -1, timestamp: now });
  const runtimeStatus: RuntimeStatus =
    outcome && outcome.status !== 'Running'
      ? outcome.status
      : suspended([...history, ...events])
        ? 'Suspended'
        : 'Running';
  return {
    result: {
      newHistory,
      actions,
      customStatus,
      outcome: outcome ?? { status: runtimeStatus === 'Suspended' ? 'Suspended' : 'Running' },
      runtimeStatus,
    },
    extraMessages,
  };
}

/** The result of terminating an instance without asking its worker (as Taskhub's replayer records it). */
export function terminatedResult(events: readonly HistoryEvent[], now: string): EpisodeResult {
  const cut = events.findIndex((e) => e.eventType === 'ExecutionTerminated');
  const kept = cut < 0 ? events : events.slice(0, cut + 1);
  const terminate = kept[kept.length - 1];
  const reason = terminate?.eventType === 'ExecutionTerminated' ? terminate.input : undefined;
  const outcome: EpisodeOutcome = { status: 'Terminated', ...optional('output', reason) };
  return {
    newHistory: [
      { eventType: 'OrchestratorStarted', eventId: -1, timestamp: now },
      ...kept,
      completedEvent(outcome, now),
      { eventType: 'OrchestratorCompleted', eventId: -1, timestamp: now },
    ],
    actions: [],
    customStatus: undefined,
    outcome,
    runtimeStatus: 'Terminated',
  };
}

function completion(c: NonNullable<pb.OrchestratorAction['completeOrchestration']>): EpisodeOutcome {
  const result = unwrap(c.result);
  switch (c.orchestrationStatus) {
    case 'ORCHESTRATION_STATUS_COMPLETED':
      return { status: 'Completed', ...optional('output', result) };
    case 'ORCHESTRATION_STATUS_FAILED':
      return { status: 'Failed', failureDetails: fromPbFailure(c.failureDetails) };
    case 'ORCHESTRATION_STATUS_TERMINATED':
    case 'ORCHESTRATION_STATUS_CANCELED':
      return { status: 'Terminated', ...optional('output', result) };
    case 'ORCHESTRATION_STATUS_CONTINUED_AS_NEW':
      return { status: 'ContinuedAsNew', ...optional('input', result), carryoverEvents: carryover(c.carryoverEvents) };
    default:
      throw new UnsupportedActionError(
        `The orchestrator completed with status ${c.orchestrationStatus}, which does not end an execution.`,
      );
  }
}

function carryover(events: readonly pb.HistoryEvent[] | undefined): EventRaisedEvent[] {
  const kept: EventRaisedEvent[] = [];
  for (const e of events ?? []) {
    if (!e.eventRaised) continue;
    const input = unwrap(e.eventRaised.input);
    kept.push({
      eventType: 'EventRaised',
      eventId: -1,
      timestamp: fromTimestamp(e.timestamp) ?? new Date().toISOString(),
      name: e.eventRaised.name,
      ...optional('input', input),
    });
  }
  return kept;
}

function completedEvent(outcome: EpisodeOutcome, now: string): HistoryEvent {
  switch (outcome.status) {
    case 'Completed':
      return {
        eventType: 'ExecutionCompleted',
        eventId: -1,
        timestamp: now,
        orchestrationStatus: 'Completed',
        ...optional('result', outcome.output),
      };
    case 'Failed':
      return {
        eventType: 'ExecutionCompleted',
        eventId: -1,
        timestamp: now,
        orchestrationStatus: 'Failed',
        failureDetails: outcome.failureDetails,
      };
    case 'Terminated':
      return {
        eventType: 'ExecutionCompleted',
        eventId: -1,
        timestamp: now,
        orchestrationStatus: 'Terminated',
        ...optional('result', outcome.output),
      };
    case 'ContinuedAsNew':
      return { eventType: 'ContinueAsNew', eventId: -1, timestamp: now, ...optional('result', outcome.input) };
    case 'Running':
    case 'Suspended':
      throw new Error('a running execution has no completion event');
    default: {
      const unhandled: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Whether the last suspend or resume in these events is a suspend. */
function suspended(events: readonly HistoryEvent[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const type = events[i]?.eventType;
    if (type === 'ExecutionSuspended') return true;
    if (type === 'ExecutionResumed') return false;
  }
  return false;
}
