// The store commits of SDK-served work that Taskhub writes itself (pure): an episode's result, a failure the runtime
// gives an instance, the no-op that consumes messages for a finished instance, and an activity's failure event.
import { openSectionIn, releaseRequest } from '../core/entity-lock.js';
import { ENTITY_REQUEST_EVENT } from '../core/entity-state.js';
import type { EpisodeResult } from '../core/episode.js';
import type { ExecutionStartedEvent, FailureDetails, HistoryEvent, RuntimeStatus } from '../core/history.js';
import type { EpisodeCommit, InstanceRecord, NewMessage, WorkItem, WorkItemKey } from '../store/store.js';
import { buildEpisodeCommit, failedExecutionMessages, type BuiltEpisode } from '../worker/episode-commit.js';
import { optional } from './convert.js';

/** What one orchestrator delivery was built from. */
export interface EpisodeState {
  readonly instance: InstanceRecord;
  /** The stored history before this episode. */
  readonly history: readonly HistoryEvent[];
  /** The new events delivered (after the episode's OrchestratorStarted). */
  readonly events: readonly HistoryEvent[];
  readonly started: ExecutionStartedEvent | undefined;
  /** Stored messages the episode consumes. */
  readonly consumed: readonly number[];
  /** The episode's time (its OrchestratorStarted timestamp). */
  readonly now: string;
}

/** An episode's result as the in-process worker commits it (no local activities: every work item is stored). */
export function resultCommit(
  p: EpisodeState,
  result: EpisodeResult,
  childIdsInUse: ReadonlySet<string> | undefined,
): BuiltEpisode {
  const built = buildEpisodeCommit(
    {
      instanceId: p.instance.instanceId,
      executionId: p.instance.executionId,
      expectedHistoryLength: p.instance.historyLength,
      started: p.started,
      consumedMessageIds: p.consumed,
      completedWorkItems: [],
      claimLocally: () => undefined,
      ...(childIdsInUse === undefined ? {} : { childIdsInUse }),
    },
    result,
    p.now,
  );
  // An execution that ends (or continues as new) inside a critical section releases it, as Taskhub's own
  // orchestrations do: the SDK sends the release only when the code calls the lock handle's release().
  const status = result.outcome.status;
  const section =
    status === 'Running' || status === 'Suspended' ? undefined : openSectionIn([...p.history, ...result.newHistory]);
  if (!section) return built;
  const input = releaseRequest(section, p.instance.instanceId);
  const releases: NewMessage[] = section.entities.map((entity) => ({
    instanceId: entity,
    event: { eventType: 'EventRaised', eventId: -1, timestamp: p.now, name: ENTITY_REQUEST_EVENT, input },
  }));
  return { ...built, commit: { ...built.commit, newMessages: [...built.commit.newMessages, ...releases] } };
}

/** The instance ends Failed with `failure`; its parent hears of it and a critical section it holds is released. */
export function failureCommit(p: EpisodeState, failure: FailureDetails): EpisodeCommit {
  const { instance, now } = p;
  return {
    ...noop(instance, p.consumed),
    append: [
      { eventType: 'OrchestratorStarted', eventId: -1, timestamp: now },
      ...p.events,
      {
        eventType: 'ExecutionCompleted',
        eventId: -1,
        timestamp: now,
        orchestrationStatus: 'Failed',
        failureDetails: failure,
      },
      { eventType: 'OrchestratorCompleted', eventId: -1, timestamp: now },
    ],
    runtimeStatus: 'Failed',
    failureDetails: failure,
    deletePendingMessages: true,
    newMessages: failedExecutionMessages(instance.instanceId, p.started, p.history, failure, now),
  };
}

/** Consumes messages and changes nothing else (a finished instance keeps its output and failure). */
export function noop(instance: InstanceRecord, consumed: readonly number[]): EpisodeCommit {
  return {
    instanceId: instance.instanceId,
    executionId: instance.executionId,
    expectedHistoryLength: instance.historyLength,
    append: [],
    runtimeStatus: instance.runtimeStatus satisfies RuntimeStatus,
    ...optional('output', instance.output),
    ...(instance.failureDetails === undefined ? {} : { failureDetails: instance.failureDetails }),
    consumedMessageIds: consumed,
    completedWorkItems: [],
    newWorkItems: [],
    newMessages: [],
    newInstances: [],
    keepLock: false,
  };
}

export function taskFailed(taskScheduledId: number, failureDetails: FailureDetails): HistoryEvent {
  return {
    eventType: 'TaskFailed',
    eventId: -1,
    timestamp: new Date().toISOString(),
    taskScheduledId,
    reason: failureDetails.errorMessage,
    ...optional('details', failureDetails.stackTrace),
    failureDetails,
  };
}

export function keyOf(item: WorkItem): WorkItemKey {
  return { instanceId: item.instanceId, executionId: item.executionId, taskScheduledId: item.taskScheduledId };
}

export function findStarted(events: readonly HistoryEvent[]): ExecutionStartedEvent | undefined {
  for (const e of events) if (e.eventType === 'ExecutionStarted') return e;
  return undefined;
}
