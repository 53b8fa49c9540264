// History-event helpers of the replay engine: which events are messages, and the events that record actions and
// the end of an execution.
import type { EpisodeOutcome, OrchestratorAction } from './episode.js';
import type { HistoryEvent, HistoryEventType } from './history.js';
import type { ScheduledEvent } from './nondeterminism.js';

/** Completion messages: each names the sequence id of the action it completes. */
export type CompletionEvent = Extract<
  HistoryEvent,
  {
    eventType:
      | 'TaskCompleted'
      | 'TaskFailed'
      | 'SubOrchestrationInstanceCompleted'
      | 'SubOrchestrationInstanceFailed'
      | 'TimerFired';
  }
>;

/** What execute() accepts as new events: messages delivered to an instance. */
export const MESSAGE_TYPES: readonly HistoryEventType[] = [
  'ExecutionStarted',
  'TaskCompleted',
  'TaskFailed',
  'SubOrchestrationInstanceCompleted',
  'SubOrchestrationInstanceFailed',
  'TimerFired',
  'EventRaised',
  'ExecutionTerminated',
  'ExecutionSuspended',
  'ExecutionResumed',
  'GenericEvent',
];
const messageTypes = new Set(MESSAGE_TYPES);

export function isMessage(event: HistoryEvent): boolean {
  return messageTypes.has(event.eventType);
}

/** The history event that records an action (its eventId is the action's sequence id). */
export function actionEvent(action: OrchestratorAction, timestamp: string): HistoryEvent {
  const eventId = action.sequenceId;
  const input = action.kind === 'CreateTimer' || action.input === undefined ? {} : { input: action.input };
  const attempts =
    'maxAttempts' in action && action.maxAttempts !== undefined ? { maxAttempts: action.maxAttempts } : {};
  switch (action.kind) {
    case 'ScheduleTask':
      return { eventType: 'TaskScheduled', eventId, timestamp, name: action.name, ...input, ...attempts };
    case 'CreateTimer':
      return { eventType: 'TimerCreated', eventId, timestamp, fireAt: action.fireAt };
    case 'CreateSubOrchestration':
      return {
        eventType: 'SubOrchestrationInstanceCreated',
        eventId,
        timestamp,
        name: action.name,
        instanceId: action.instanceId,
        ...input,
        ...(action.version === undefined ? {} : { version: action.version }),
        ...attempts,
      };
    case 'SendEvent':
      return { eventType: 'EventSent', eventId, timestamp, instanceId: action.instanceId, name: action.name, ...input };
    default: {
      const unhandled: never = action;
      throw new Error(`unhandled action ${JSON.stringify(unhandled)}`);
    }
  }
}

/** ExecutionCompleted (Completed, Failed, Terminated) or ContinueAsNew for an execution that ended. */
export function endEvent(
  outcome: Exclude<EpisodeOutcome, { status: 'Running' | 'Suspended' }>,
  timestamp: string,
): HistoryEvent {
  const base = { eventId: -1, timestamp };
  switch (outcome.status) {
    case 'Completed':
    case 'Terminated':
      return {
        ...base,
        eventType: 'ExecutionCompleted',
        orchestrationStatus: outcome.status,
        ...(outcome.output === undefined ? {} : { result: outcome.output }),
      };
    case 'Failed':
      return {
        ...base,
        eventType: 'ExecutionCompleted',
        orchestrationStatus: 'Failed',
        failureDetails: outcome.failureDetails,
      };
    case 'ContinuedAsNew':
      return { ...base, eventType: 'ContinueAsNew', ...(outcome.input === undefined ? {} : { result: outcome.input }) };
    default: {
      const unhandled: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(unhandled)}`);
    }
  }
}

export function isGenerator(value: unknown): value is Generator<unknown, unknown, unknown> {
  const g = value as { next?: unknown; throw?: unknown } | null | undefined;
  return typeof g === 'object' && g !== null && typeof g.next === 'function' && typeof g.throw === 'function';
}

export function isPromiseLike(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** durable-functions' message, with a hint for the fire-and-forget APIs that return undefined. */
export function constraintViolation(value: unknown): TypeError {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const hint =
    value === undefined
      ? ' signalEntity and continueAsNew return nothing and must not be yielded.'
      : Array.isArray(value)
        ? ' To wait for several tasks, yield context.df.Task.all(tasks) or context.df.Task.any(tasks).'
        : '';
  return new TypeError(
    `Durable Functions programming constraint violation: Orchestration yielded data of type ${type}. Only tasks ` +
      `from context.df (callActivity, createTimer, waitForExternalEvent, Task.all ...) can be yielded.${hint}`,
  );
}

/** What a completion completes; a completion must match the kind of the recorded action. */
export type CompletionKind = 'task' | 'timer' | 'subOrchestration';

export function recordedKind(event: ScheduledEvent): CompletionKind | undefined {
  switch (event.eventType) {
    case 'TaskScheduled':
      return 'task';
    case 'TimerCreated':
      return 'timer';
    case 'SubOrchestrationInstanceCreated':
      return 'subOrchestration';
    case 'EventSent':
      return undefined;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled scheduled event ${JSON.stringify(unhandled)}`);
    }
  }
}

export function completionKindOf(kind: Exclude<OrchestratorAction['kind'], 'SendEvent'>): CompletionKind {
  return kind === 'ScheduleTask' ? 'task' : kind === 'CreateTimer' ? 'timer' : 'subOrchestration';
}
