// History events: the append-only record of an orchestration instance, with Durable Functions' names and fields.
// Payloads (input, result) are JSON text, serialized once where they are produced and never re-encoded.

/** Failure details stored in history, so an error reaches the orchestrator and the status API intact. */
export interface FailureDetails {
  /** Error class name, e.g. "Error", "TypeError". */
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace?: string;
  /** JSON text of extra data attached to the error (`error.details`), if any. */
  readonly details?: string;
  readonly innerFailure?: FailureDetails;
  readonly isNonRetriable?: boolean;
  /** Custom properties of the error (durable-functions 3.5's ExceptionPropertiesProvider; FailureDetails.Properties). */
  readonly properties?: Readonly<Record<string, unknown>>;
}

export interface ParentInstance {
  readonly name: string;
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskScheduledId: number;
}

/**
 * The W3C trace context an instance's spans hang under (DurableTask's ParentTraceContext): the span that started it
 * (a client's `create_orchestration`, or the parent orchestration's call of a sub-orchestration).
 */
export interface TraceContext {
  /** W3C `traceparent`: `00-<trace id>-<span id>-<flags>`. */
  readonly traceParent: string;
  /** W3C `tracestate`, when there is one. */
  readonly traceState?: string;
}

interface Base {
  /** Sequence number for events created by orchestrator actions; -1 otherwise. */
  readonly eventId: number;
  /** ISO 8601 UTC with milliseconds. */
  readonly timestamp: string;
}

export interface ExecutionStartedEvent extends Base {
  readonly eventType: 'ExecutionStarted';
  readonly name: string;
  readonly instanceId: string;
  readonly executionId: string;
  readonly input?: string;
  readonly version?: string;
  readonly parentInstance?: ParentInstance;
  readonly scheduledStartTime?: string;
  /** Events carried over by continueAsNew(input, preserveUnprocessedEvents=true). */
  readonly carryoverEvents?: readonly EventRaisedEvent[];
  /** Where the instance's spans join their trace (OpenTelemetry); absent when it was started with no trace. */
  readonly parentTraceContext?: TraceContext;
  /** Taskhub extension: the instance this one was restarted from (client.restart with a new instance id). */
  readonly restartedFrom?: string;
}
export interface ExecutionCompletedEvent extends Base {
  readonly eventType: 'ExecutionCompleted';
  /** 'Terminated' records a terminate request (after the ExecutionTerminated event), with the reason as result. */
  readonly orchestrationStatus: 'Completed' | 'Failed' | 'Terminated';
  readonly result?: string;
  readonly failureDetails?: FailureDetails;
}
export interface ExecutionTerminatedEvent extends Base {
  readonly eventType: 'ExecutionTerminated';
  /** JSON text of the reason. */
  readonly input?: string;
}
export interface TaskScheduledEvent extends Base {
  readonly eventType: 'TaskScheduled';
  readonly name: string;
  readonly input?: string;
  /** Taskhub extension: the retry policy's maxNumberOfAttempts, when a retry policy made this call. */
  readonly maxAttempts?: number;
}
export interface TaskCompletedEvent extends Base {
  readonly eventType: 'TaskCompleted';
  readonly taskScheduledId: number;
  readonly result?: string;
}
export interface TaskFailedEvent extends Base {
  readonly eventType: 'TaskFailed';
  readonly taskScheduledId: number;
  readonly reason: string;
  readonly details?: string;
  readonly failureDetails: FailureDetails;
}
export interface SubOrchestrationInstanceCreatedEvent extends Base {
  readonly eventType: 'SubOrchestrationInstanceCreated';
  readonly name: string;
  readonly instanceId: string;
  readonly input?: string;
  /** The version the orchestration asked for (callSubOrchestrator's version argument), when it named one. */
  readonly version?: string;
  /** Taskhub extension: the retry policy's maxNumberOfAttempts, when a retry policy made this call. */
  readonly maxAttempts?: number;
}
export interface SubOrchestrationInstanceCompletedEvent extends Base {
  readonly eventType: 'SubOrchestrationInstanceCompleted';
  readonly taskScheduledId: number;
  readonly result?: string;
}
export interface SubOrchestrationInstanceFailedEvent extends Base {
  readonly eventType: 'SubOrchestrationInstanceFailed';
  readonly taskScheduledId: number;
  readonly reason: string;
  readonly details?: string;
  readonly failureDetails: FailureDetails;
}
export interface TimerCreatedEvent extends Base {
  readonly eventType: 'TimerCreated';
  readonly fireAt: string;
}
export interface TimerFiredEvent extends Base {
  readonly eventType: 'TimerFired';
  readonly timerId: number;
  readonly fireAt: string;
}
export interface OrchestratorStartedEvent extends Base {
  readonly eventType: 'OrchestratorStarted';
}
export interface OrchestratorCompletedEvent extends Base {
  readonly eventType: 'OrchestratorCompleted';
}
export interface EventSentEvent extends Base {
  readonly eventType: 'EventSent';
  /** Target instance id (for entities the scheduler id `@name@key`). */
  readonly instanceId: string;
  readonly name: string;
  readonly input?: string;
}
export interface EventRaisedEvent extends Base {
  readonly eventType: 'EventRaised';
  readonly name: string;
  readonly input?: string;
}
export interface ContinueAsNewEvent extends Base {
  readonly eventType: 'ContinueAsNew';
  /** JSON text of the new input. */
  readonly result?: string;
}
export interface GenericEvent extends Base {
  readonly eventType: 'GenericEvent';
  readonly data?: string;
}
export interface ExecutionSuspendedEvent extends Base {
  readonly eventType: 'ExecutionSuspended';
  readonly reason?: string;
}
export interface ExecutionResumedEvent extends Base {
  readonly eventType: 'ExecutionResumed';
  readonly reason?: string;
}
/** A rewind request: failed tasks are forgotten so they run again. */
export interface ExecutionRewoundEvent extends Base {
  readonly eventType: 'ExecutionRewound';
  readonly reason?: string;
}

export type HistoryEvent =
  | ExecutionStartedEvent
  | ExecutionCompletedEvent
  | ExecutionTerminatedEvent
  | TaskScheduledEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | SubOrchestrationInstanceCreatedEvent
  | SubOrchestrationInstanceCompletedEvent
  | SubOrchestrationInstanceFailedEvent
  | TimerCreatedEvent
  | TimerFiredEvent
  | OrchestratorStartedEvent
  | OrchestratorCompletedEvent
  | EventSentEvent
  | EventRaisedEvent
  | ContinueAsNewEvent
  | GenericEvent
  | ExecutionSuspendedEvent
  | ExecutionResumedEvent
  | ExecutionRewoundEvent;

export type HistoryEventType = HistoryEvent['eventType'];

/** Runtime statuses with Durable Functions' names. */
export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Canceled' | 'Terminated' | 'Suspended';

/** Every runtime status, in Durable Functions' order (OrchestrationRuntimeStatus). */
export const RUNTIME_STATUSES: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Canceled',
  'Terminated',
  'Suspended',
];

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

/** TERMINAL_STATUSES as an SQL list, `('Completed','Failed','Terminated','Canceled')`, for both stores' queries. */
export const TERMINAL_SQL = `(${TERMINAL_STATUSES.map((t) => `'${t}'`).join(',')})`;

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
