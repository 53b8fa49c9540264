// Turns an episode's result into the store commit that records it: history, status, activity work items, timers
// (delayed messages to the instance itself), sub-orchestration instances, events to other instances, and the result
// message a sub-orchestration owes its parent.
import { randomUUID } from 'node:crypto';
import { openSectionIn, releaseRequest, type CriticalSection } from '../core/entity-lock.js';
import { ENTITY_REQUEST_EVENT } from '../core/entity-state.js';
import type { EpisodeResult } from '../core/episode.js';
import type { ExecutionStartedEvent, FailureDetails, HistoryEvent, TraceContext } from '../core/history.js';
import type { EpisodeCommit, NewInstance, NewMessage, NewWorkItem, WorkItemKey } from '../store/store.js';

export interface EpisodeInput {
  readonly instanceId: string;
  readonly executionId: string;
  readonly expectedHistoryLength: number;
  /** The ExecutionStarted event of the running execution (parent link, name). */
  readonly started: ExecutionStartedEvent | undefined;
  readonly consumedMessageIds: readonly number[];
  readonly completedWorkItems: readonly WorkItemKey[];
  /** Decides which new activities run on this worker at once; returns the worker id to lock them for, or undefined. */
  readonly claimLocally: (name: string) => string | undefined;
  /** The trace context a sub-orchestration joins (its parent's call span); absent when nothing is traced. */
  readonly traceChild?: (name: string, instanceId: string) => TraceContext | undefined;
  /** Sub-orchestration ids of this episode that name an instance already running: those fail instead of starting. */
  readonly childIdsInUse?: ReadonlySet<string>;
  /** The version of a sub-orchestration started without one (the app's defaultVersion or newest registered). */
  readonly newInstanceVersion?: (name: string) => string | undefined;
}

export interface BuiltEpisode {
  readonly commit: EpisodeCommit;
  /** Activities locked for this worker by the commit, to run once it is durable. */
  readonly localWork: readonly NewWorkItem[];
  /** True when the execution ended (completed, failed, terminated): no more episodes for this execution. */
  readonly finished: boolean;
}

export function buildEpisodeCommit(input: EpisodeInput, result: EpisodeResult, now: string): BuiltEpisode {
  const newWorkItems: NewWorkItem[] = [];
  const newMessages: NewMessage[] = [];
  const newInstances: NewInstance[] = [];
  const self = { instanceId: input.instanceId, executionId: input.executionId };

  for (const action of result.actions) {
    switch (action.kind) {
      case 'ScheduleTask': {
        const lockedBy = input.claimLocally(action.name);
        newWorkItems.push({
          taskScheduledId: action.sequenceId,
          name: action.name,
          ...(action.input === undefined ? {} : { input: action.input }),
          ...(lockedBy === undefined ? {} : { lockedBy }),
        });
        break;
      }
      case 'CreateTimer':
        newMessages.push({
          ...self,
          visibleAt: action.fireAt,
          event: {
            eventType: 'TimerFired',
            eventId: -1,
            timestamp: action.fireAt,
            timerId: action.sequenceId,
            fireAt: action.fireAt,
          },
        });
        break;
      case 'CreateSubOrchestration': {
        if (input.childIdsInUse?.has(action.instanceId)) {
          // Durable Functions refuses the start, and the parent can catch the failure (instead of waiting forever).
          newMessages.push({ ...self, event: childInUse(action.name, action.instanceId, action.sequenceId, now) });
          break;
        }
        const executionId = newExecutionId();
        const traceContext = input.traceChild?.(action.name, action.instanceId);
        const version = action.version ?? input.newInstanceVersion?.(action.name);
        const startEvent: ExecutionStartedEvent = {
          eventType: 'ExecutionStarted',
          eventId: -1,
          timestamp: now,
          name: action.name,
          instanceId: action.instanceId,
          executionId,
          ...(action.input === undefined ? {} : { input: action.input }),
          ...(version === undefined ? {} : { version }),
          parentInstance: {
            name: input.started?.name ?? '',
            instanceId: input.instanceId,
            executionId: input.executionId,
            taskScheduledId: action.sequenceId,
          },
          ...(traceContext ? { parentTraceContext: traceContext } : {}),
        };
        newInstances.push({
          instanceId: action.instanceId,
          executionId,
          name: action.name,
          ...(action.input === undefined ? {} : { input: action.input }),
          parentInstanceId: input.instanceId,
          createdTime: now,
          startEvent,
        });
        break;
      }
      case 'SendEvent':
        newMessages.push({
          instanceId: action.instanceId,
          event: {
            eventType: 'EventRaised',
            eventId: -1,
            timestamp: now,
            name: action.name,
            ...(action.input === undefined ? {} : { input: action.input }),
          },
        });
        break;
      default: {
        const unhandled: never = action;
        throw new Error(`unhandled action ${JSON.stringify(unhandled)}`);
      }
    }
  }

  const outcome = result.outcome;
  let replaceHistory = false;
  let nextExecutionId: string | undefined;
  let append: readonly HistoryEvent[] = result.newHistory;
  let newInput: string | undefined;
  let finished = false;

  switch (outcome.status) {
    case 'Running':
    case 'Suspended':
      break;
    case 'Completed':
    case 'Failed':
    case 'Terminated':
      finished = true;
      newMessages.push(...parentNotice(input.started, result.outcome, now));
      break;
    case 'ContinuedAsNew': {
      // The old execution's history is replaced by the start of the new one, delivered in the next episode.
      replaceHistory = true;
      nextExecutionId = newExecutionId();
      append = [];
      newInput = outcome.input;
      const started: ExecutionStartedEvent = {
        eventType: 'ExecutionStarted',
        eventId: -1,
        timestamp: now,
        name: input.started?.name ?? '',
        instanceId: input.instanceId,
        executionId: nextExecutionId,
        ...(outcome.input === undefined ? {} : { input: outcome.input }),
        ...(input.started?.parentInstance ? { parentInstance: input.started.parentInstance } : {}),
        // The new execution is the same instance: it keeps its version, and so the code it runs on.
        ...(input.started?.version === undefined ? {} : { version: input.started.version }),
        ...(outcome.carryoverEvents.length > 0 ? { carryoverEvents: outcome.carryoverEvents } : {}),
        // The new execution stays in the trace of the one it continues.
        ...(input.started?.parentTraceContext ? { parentTraceContext: input.started.parentTraceContext } : {}),
      };
      newMessages.push({ instanceId: input.instanceId, executionId: nextExecutionId, event: started });
      // Work scheduled by the old execution is discarded with it.
      newWorkItems.length = 0;
      newInstances.length = 0;
      break;
    }
    default: {
      const unhandled: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(unhandled)}`);
    }
  }

  // An execution that ends while holding (or waiting for) entity locks releases them, as Durable Functions does.
  const section = result.criticalSection;
  if (section && (finished || replaceHistory)) newMessages.push(...releaseMessages(section, input.instanceId, now));

  const localWork = newWorkItems.filter((w) => w.lockedBy !== undefined);
  const commit: EpisodeCommit = {
    instanceId: input.instanceId,
    executionId: input.executionId,
    expectedHistoryLength: input.expectedHistoryLength,
    append,
    ...(replaceHistory ? { replaceHistory, newExecutionId: nextExecutionId } : {}),
    runtimeStatus: result.runtimeStatus,
    ...(newInput === undefined ? {} : { input: newInput }),
    ...(outcome.status === 'Completed' && outcome.output !== undefined ? { output: outcome.output } : {}),
    ...(outcome.status === 'Terminated' && outcome.output !== undefined ? { output: outcome.output } : {}),
    ...(outcome.status === 'Failed' ? { failureDetails: outcome.failureDetails } : {}),
    ...(result.customStatus === undefined ? {} : { customStatus: result.customStatus }),
    consumedMessageIds: input.consumedMessageIds,
    completedWorkItems: input.completedWorkItems,
    newWorkItems,
    newMessages,
    newInstances,
    keepLock: localWork.length > 0,
    ...(finished ? { deletePendingMessages: true } : {}),
    // A terminated instance's activities are cancelled: queued ones never run, running ones' results are dropped.
    ...(outcome.status === 'Terminated' ? { deleteWorkItems: true } : {}),
  };
  return { commit, localWork, finished };
}

export function newExecutionId(): string {
  return randomUUID().replaceAll('-', '');
}

/** The message a finished sub-orchestration sends to its parent. */
function parentNotice(
  started: ExecutionStartedEvent | undefined,
  outcome: EpisodeResult['outcome'],
  now: string,
): NewMessage[] {
  const parent = started?.parentInstance;
  if (!parent) return [];
  const base = { eventId: -1, timestamp: now, taskScheduledId: parent.taskScheduledId };
  let event: HistoryEvent;
  if (outcome.status === 'Completed') {
    event = {
      ...base,
      eventType: 'SubOrchestrationInstanceCompleted',
      ...(outcome.output === undefined ? {} : { result: outcome.output }),
    };
  } else {
    const failureDetails =
      outcome.status === 'Failed'
        ? outcome.failureDetails
        : { errorType: 'TaskhubError', errorMessage: `The sub-orchestration '${started.instanceId}' was terminated.` };
    event = {
      ...base,
      eventType: 'SubOrchestrationInstanceFailed',
      reason: `Sub orchestrator function '${started.name}' failed: ${failureDetails.errorMessage}`,
      ...(failureDetails.stackTrace === undefined ? {} : { details: failureDetails.stackTrace }),
      failureDetails,
    };
  }
  return [{ instanceId: parent.instanceId, executionId: parent.executionId, event }];
}

function childInUse(name: string, instanceId: string, taskScheduledId: number, now: string): HistoryEvent {
  const failureDetails: FailureDetails = {
    errorType: 'OrchestrationAlreadyExistsException',
    errorMessage: `An orchestration with the instance id '${instanceId}' is already running: a sub-orchestration needs an id that is free or names a finished instance.`,
  };
  return {
    eventType: 'SubOrchestrationInstanceFailed',
    eventId: -1,
    timestamp: now,
    taskScheduledId,
    reason: `Sub orchestrator function '${name}' failed: ${failureDetails.errorMessage}`,
    failureDetails,
  };
}

function releaseMessages(section: CriticalSection, instanceId: string, now: string): NewMessage[] {
  const release = releaseRequest(section, instanceId);
  return section.entities.map((entity) => ({
    instanceId: entity,
    event: { eventType: 'EventRaised', eventId: -1, timestamp: now, name: ENTITY_REQUEST_EVENT, input: release },
  }));
}

/**
 * What an execution the runtime fails (its orchestrator is not registered, or the runtime broke) still owes others:
 * the failure notice to its parent orchestration, and the release of a critical section its history leaves open.
 */
export function failedExecutionMessages(
  instanceId: string,
  started: ExecutionStartedEvent | undefined,
  history: readonly HistoryEvent[],
  failureDetails: FailureDetails,
  now: string,
): NewMessage[] {
  const messages = parentNotice(started, { status: 'Failed', failureDetails }, now);
  const section = openSectionIn(history);
  if (section) messages.push(...releaseMessages(section, instanceId, now));
  return messages;
}
