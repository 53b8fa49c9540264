// Taskhub's history events, statuses and failures to and from their TaskHubSidecarService messages. The two models
// are the same Durable Task model (event names, sequence ids, taskScheduledId), so every conversion is one to one.
import { isTerminal, type FailureDetails, type HistoryEvent, type RuntimeStatus } from '../core/history.js';
import type { InstanceRecord } from '../store/store.js';
import type * as pb from './proto-types.js';

export function toTimestamp(iso: string): pb.Timestamp {
  const ms = Date.parse(iso);
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

export function fromTimestamp(ts: pb.Maybe<pb.Timestamp>): string | undefined {
  if (!ts) return undefined;
  const ms = Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1_000_000);
  return new Date(ms).toISOString();
}

export function str(value: string | undefined): pb.StringValue | null {
  return value === undefined ? null : { value };
}

/** `{ [key]: value }`, or nothing when the value is undefined (optional fields stay absent, never undefined). */
export function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

export function unwrap(value: pb.Maybe<pb.StringValue>): string | undefined {
  return value ? value.value : undefined;
}

const STATUS_TO_PB: Record<RuntimeStatus, pb.OrchestrationStatus> = {
  Running: 'ORCHESTRATION_STATUS_RUNNING',
  Completed: 'ORCHESTRATION_STATUS_COMPLETED',
  ContinuedAsNew: 'ORCHESTRATION_STATUS_CONTINUED_AS_NEW',
  Failed: 'ORCHESTRATION_STATUS_FAILED',
  Canceled: 'ORCHESTRATION_STATUS_CANCELED',
  Terminated: 'ORCHESTRATION_STATUS_TERMINATED',
  Pending: 'ORCHESTRATION_STATUS_PENDING',
  Suspended: 'ORCHESTRATION_STATUS_SUSPENDED',
};

export function toPbStatus(status: RuntimeStatus): pb.OrchestrationStatus {
  return STATUS_TO_PB[status];
}

export function fromPbStatus(status: pb.OrchestrationStatus | number): RuntimeStatus {
  const name = typeof status === 'number' ? Object.values(STATUS_TO_PB)[status] : status;
  for (const [runtime, proto] of Object.entries(STATUS_TO_PB)) if (proto === name) return runtime as RuntimeStatus;
  throw new RangeError(`Unknown orchestration status ${String(status)}.`);
}

export function toPbFailure(f: FailureDetails | undefined): pb.TaskFailureDetails | null {
  if (!f) return null;
  return {
    errorType: f.errorType,
    errorMessage: f.errorMessage,
    stackTrace: str(f.stackTrace),
    innerFailure: toPbFailure(f.innerFailure),
    isNonRetriable: f.isNonRetriable ?? false,
  };
}

export function fromPbFailure(f: pb.Maybe<pb.TaskFailureDetails>): FailureDetails {
  if (!f) return { errorType: 'Error', errorMessage: 'The worker reported a failure without details.' };
  const stackTrace = unwrap(f.stackTrace);
  const inner = f.innerFailure ? fromPbFailure(f.innerFailure) : undefined;
  return {
    errorType: f.errorType || 'Error',
    errorMessage: f.errorMessage,
    ...(stackTrace === undefined ? {} : { stackTrace }),
    ...(inner === undefined ? {} : { innerFailure: inner }),
    ...(f.isNonRetriable ? { isNonRetriable: true } : {}),
  };
}

/** A Taskhub history event as the SDKs see it in an OrchestratorRequest or a history stream. */
export function toPbEvent(e: HistoryEvent): pb.HistoryEvent {
  const base = { eventId: e.eventId, timestamp: toTimestamp(e.timestamp) };
  switch (e.eventType) {
    case 'ExecutionStarted':
      return {
        ...base,
        executionStarted: {
          name: e.name,
          version: str(e.version),
          input: str(e.input),
          orchestrationInstance: { instanceId: e.instanceId, executionId: str(e.executionId) },
          parentInstance: e.parentInstance
            ? {
                taskScheduledId: e.parentInstance.taskScheduledId,
                name: str(e.parentInstance.name),
                orchestrationInstance: {
                  instanceId: e.parentInstance.instanceId,
                  executionId: str(e.parentInstance.executionId),
                },
              }
            : null,
          scheduledStartTimestamp: e.scheduledStartTime ? toTimestamp(e.scheduledStartTime) : null,
        },
      };
    case 'ExecutionCompleted':
      return {
        ...base,
        executionCompleted: {
          orchestrationStatus: toPbStatus(e.orchestrationStatus),
          result: str(e.result),
          failureDetails: toPbFailure(e.failureDetails),
        },
      };
    case 'ExecutionTerminated':
      return { ...base, executionTerminated: { input: str(e.input), recurse: false } };
    case 'TaskScheduled':
      return { ...base, taskScheduled: { name: e.name, input: str(e.input) } };
    case 'TaskCompleted':
      return { ...base, taskCompleted: { taskScheduledId: e.taskScheduledId, result: str(e.result) } };
    case 'TaskFailed':
      return {
        ...base,
        taskFailed: { taskScheduledId: e.taskScheduledId, failureDetails: toPbFailure(e.failureDetails) },
      };
    case 'SubOrchestrationInstanceCreated':
      return {
        ...base,
        subOrchestrationInstanceCreated: { instanceId: e.instanceId, name: e.name, input: str(e.input) },
      };
    case 'SubOrchestrationInstanceCompleted':
      return {
        ...base,
        subOrchestrationInstanceCompleted: { taskScheduledId: e.taskScheduledId, result: str(e.result) },
      };
    case 'SubOrchestrationInstanceFailed':
      return {
        ...base,
        subOrchestrationInstanceFailed: {
          taskScheduledId: e.taskScheduledId,
          failureDetails: toPbFailure(e.failureDetails),
        },
      };
    case 'TimerCreated':
      return { ...base, timerCreated: { fireAt: toTimestamp(e.fireAt) } };
    case 'TimerFired':
      return { ...base, timerFired: { fireAt: toTimestamp(e.fireAt), timerId: e.timerId } };
    case 'OrchestratorStarted':
      return { ...base, orchestratorStarted: {} };
    case 'OrchestratorCompleted':
      return { ...base, orchestratorCompleted: {} };
    case 'EventSent':
      return { ...base, eventSent: { instanceId: e.instanceId, name: e.name, input: str(e.input) } };
    case 'EventRaised':
      return { ...base, eventRaised: { name: e.name, input: str(e.input) } };
    case 'ContinueAsNew':
      return { ...base, continueAsNew: { input: str(e.result) } };
    case 'GenericEvent':
      return { ...base, genericEvent: { data: str(e.data) } };
    case 'ExecutionSuspended':
      return { ...base, executionSuspended: { input: str(e.reason) } };
    case 'ExecutionResumed':
      return { ...base, executionResumed: { input: str(e.reason) } };
    case 'ExecutionRewound':
      return { ...base, executionRewound: { reason: str(e.reason) } };
    default: {
      const unhandled: never = e;
      throw new Error(`unhandled history event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The row of an instance as an OrchestrationState; inputs and outputs only when asked for. */
export function toOrchestrationState(r: InstanceRecord, withPayloads: boolean): pb.OrchestrationState {
  const terminal = isTerminal(r.runtimeStatus);
  return {
    instanceId: r.instanceId,
    name: r.name,
    orchestrationStatus: toPbStatus(r.runtimeStatus),
    createdTimestamp: toTimestamp(r.createdTime),
    lastUpdatedTimestamp: toTimestamp(r.lastUpdatedTime),
    input: withPayloads ? str(r.input) : null,
    output: withPayloads ? str(r.output) : null,
    customStatus: str(r.customStatus),
    failureDetails: toPbFailure(r.failureDetails),
    executionId: str(r.executionId),
    completedTimestamp: terminal ? toTimestamp(r.lastUpdatedTime) : null,
    parentInstanceId: str(r.parentInstanceId),
    tags: r.tags ?? {},
  };
}
