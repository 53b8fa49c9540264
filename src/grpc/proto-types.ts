// The decoded shape of the TaskHubSidecarService messages Taskhub reads and writes, as @grpc/proto-loader gives them
// with LOADER_OPTIONS (proto.ts): message fields may be null, wrappers are { value }, enums are their names. Field
// names and numbers are the .proto's; only the fields Taskhub uses are listed.

export type Maybe<T> = T | null | undefined;
export interface StringValue {
  readonly value: string;
}
export interface Int32Value {
  readonly value: number;
}
export interface BoolValue {
  readonly value: boolean;
}
export interface Timestamp {
  readonly seconds: number | string;
  readonly nanos: number;
}
export interface Duration {
  readonly seconds: number | string;
  readonly nanos: number;
}

export type OrchestrationStatus =
  | 'ORCHESTRATION_STATUS_RUNNING'
  | 'ORCHESTRATION_STATUS_COMPLETED'
  | 'ORCHESTRATION_STATUS_CONTINUED_AS_NEW'
  | 'ORCHESTRATION_STATUS_FAILED'
  | 'ORCHESTRATION_STATUS_CANCELED'
  | 'ORCHESTRATION_STATUS_TERMINATED'
  | 'ORCHESTRATION_STATUS_PENDING'
  | 'ORCHESTRATION_STATUS_SUSPENDED';

export interface TaskFailureDetails {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace?: Maybe<StringValue>;
  readonly innerFailure?: Maybe<TaskFailureDetails>;
  readonly isNonRetriable?: boolean;
}

export interface OrchestrationInstance {
  readonly instanceId: string;
  readonly executionId?: Maybe<StringValue>;
}

export interface ParentInstanceInfo {
  readonly taskScheduledId: number;
  readonly name?: Maybe<StringValue>;
  readonly version?: Maybe<StringValue>;
  readonly orchestrationInstance?: Maybe<OrchestrationInstance>;
}

interface Input {
  readonly input?: Maybe<StringValue>;
}
interface Result {
  readonly result?: Maybe<StringValue>;
}

/** HistoryEvent: one of the event fields is set; `eventType` names it (proto-loader's oneof virtual field). */
export interface HistoryEvent {
  readonly eventId: number;
  readonly timestamp?: Maybe<Timestamp>;
  readonly eventType?: string;
  readonly executionStarted?: Maybe<
    Input & {
      readonly name: string;
      readonly version?: Maybe<StringValue>;
      readonly orchestrationInstance?: Maybe<OrchestrationInstance>;
      readonly parentInstance?: Maybe<ParentInstanceInfo>;
      readonly scheduledStartTimestamp?: Maybe<Timestamp>;
    }
  >;
  readonly executionCompleted?: Maybe<
    Result & {
      readonly orchestrationStatus: OrchestrationStatus;
      readonly failureDetails?: Maybe<TaskFailureDetails>;
    }
  >;
  readonly executionTerminated?: Maybe<Input & { readonly recurse?: boolean }>;
  readonly taskScheduled?: Maybe<Input & { readonly name: string; readonly version?: Maybe<StringValue> }>;
  readonly taskCompleted?: Maybe<Result & { readonly taskScheduledId: number }>;
  readonly taskFailed?: Maybe<{
    readonly taskScheduledId: number;
    readonly failureDetails?: Maybe<TaskFailureDetails>;
  }>;
  readonly subOrchestrationInstanceCreated?: Maybe<
    Input & { readonly instanceId: string; readonly name: string; readonly version?: Maybe<StringValue> }
  >;
  readonly subOrchestrationInstanceCompleted?: Maybe<Result & { readonly taskScheduledId: number }>;
  readonly subOrchestrationInstanceFailed?: Maybe<{
    readonly taskScheduledId: number;
    readonly failureDetails?: Maybe<TaskFailureDetails>;
  }>;
  readonly timerCreated?: Maybe<{ readonly fireAt?: Maybe<Timestamp> }>;
  readonly timerFired?: Maybe<{ readonly fireAt?: Maybe<Timestamp>; readonly timerId: number }>;
  readonly orchestratorStarted?: Maybe<object>;
  readonly orchestratorCompleted?: Maybe<object>;
  readonly eventSent?: Maybe<Input & { readonly instanceId: string; readonly name: string }>;
  readonly eventRaised?: Maybe<Input & { readonly name: string }>;
  readonly genericEvent?: Maybe<{ readonly data?: Maybe<StringValue> }>;
  readonly continueAsNew?: Maybe<Input>;
  readonly executionSuspended?: Maybe<Input>;
  readonly executionResumed?: Maybe<Input>;
  readonly executionRewound?: Maybe<{ readonly reason?: Maybe<StringValue> }>;
  readonly entityOperationSignaled?: Maybe<EntityOperationEvent>;
  readonly entityOperationCalled?: Maybe<EntityOperationEvent>;
  readonly entityLockRequested?: Maybe<EntityLockRequestedEvent>;
  readonly entityUnlockSent?: Maybe<EntityUnlockSentEvent>;
  readonly entityLockGranted?: Maybe<{ readonly criticalSectionId: string }>;
  readonly entityOperationCompleted?: Maybe<{ readonly requestId: string; readonly output?: Maybe<StringValue> }>;
  readonly entityOperationFailed?: Maybe<{
    readonly requestId: string;
    readonly failureDetails?: Maybe<TaskFailureDetails>;
  }>;
}

export interface EntityLockRequestedEvent {
  readonly criticalSectionId: string;
  /** Entity instance ids ('@name@key'), sorted by the SDK. */
  readonly lockSet: string[];
  readonly position: number;
  readonly parentInstanceId?: Maybe<StringValue>;
}

export interface EntityUnlockSentEvent {
  readonly criticalSectionId: string;
  readonly parentInstanceId?: Maybe<StringValue>;
  readonly targetInstanceId?: Maybe<StringValue>;
}

export interface EntityOperationEvent {
  readonly requestId: string;
  readonly operation: string;
  readonly scheduledTime?: Maybe<Timestamp>;
  readonly input?: Maybe<StringValue>;
  readonly targetInstanceId?: Maybe<StringValue>;
}

export interface OrchestratorAction {
  readonly id: number;
  readonly orchestratorActionType?: string;
  readonly scheduleTask?: Maybe<Input & { readonly name: string }>;
  readonly createSubOrchestration?: Maybe<Input & { readonly instanceId: string; readonly name: string }>;
  readonly createTimer?: Maybe<{ readonly fireAt?: Maybe<Timestamp> }>;
  readonly sendEvent?: Maybe<{
    readonly instance?: Maybe<OrchestrationInstance>;
    readonly name: string;
    readonly data?: Maybe<StringValue>;
  }>;
  readonly completeOrchestration?: Maybe<
    Result & {
      readonly orchestrationStatus: OrchestrationStatus;
      readonly details?: Maybe<StringValue>;
      readonly carryoverEvents?: readonly HistoryEvent[];
      readonly failureDetails?: Maybe<TaskFailureDetails>;
    }
  >;
  readonly terminateOrchestration?: Maybe<{
    readonly instanceId: string;
    readonly reason?: Maybe<StringValue>;
    readonly recurse?: boolean;
  }>;
  readonly sendEntityMessage?: Maybe<{
    readonly entityOperationSignaled?: Maybe<EntityOperationEvent>;
    readonly entityOperationCalled?: Maybe<EntityOperationEvent>;
    readonly entityLockRequested?: Maybe<EntityLockRequestedEvent>;
    readonly entityUnlockSent?: Maybe<EntityUnlockSentEvent>;
  }>;
  readonly rewindOrchestration?: Maybe<object>;
}

export interface OrchestratorRequest {
  readonly instanceId: string;
  readonly executionId?: Maybe<StringValue>;
  readonly pastEvents: readonly HistoryEvent[];
  readonly newEvents: readonly HistoryEvent[];
}

export interface OrchestratorResponse {
  readonly instanceId: string;
  readonly actions: readonly OrchestratorAction[];
  readonly customStatus?: Maybe<StringValue>;
  readonly completionToken: string;
}

export interface ActivityRequest extends Input {
  readonly name: string;
  readonly orchestrationInstance?: Maybe<OrchestrationInstance>;
  readonly taskId: number;
}

export interface ActivityResponse extends Result {
  readonly instanceId: string;
  readonly taskId: number;
  readonly failureDetails?: Maybe<TaskFailureDetails>;
  readonly completionToken: string;
}

export interface WorkItem {
  readonly orchestratorRequest?: OrchestratorRequest;
  readonly activityRequest?: ActivityRequest;
  readonly entityRequest?: EntityBatchRequest;
  readonly healthPing?: object;
  readonly completionToken: string;
}

export interface GetWorkItemsRequest {
  readonly maxConcurrentOrchestrationWorkItems: number;
  readonly maxConcurrentActivityWorkItems: number;
  readonly maxConcurrentEntityWorkItems: number;
}

export interface CompletionTokenRequest {
  readonly completionToken: string;
}

export interface OrchestrationState {
  readonly instanceId: string;
  readonly name: string;
  readonly orchestrationStatus: OrchestrationStatus;
  readonly createdTimestamp?: Maybe<Timestamp>;
  readonly lastUpdatedTimestamp?: Maybe<Timestamp>;
  readonly input?: Maybe<StringValue>;
  readonly output?: Maybe<StringValue>;
  readonly customStatus?: Maybe<StringValue>;
  readonly failureDetails?: Maybe<TaskFailureDetails>;
  readonly executionId?: Maybe<StringValue>;
  readonly completedTimestamp?: Maybe<Timestamp>;
  readonly parentInstanceId?: Maybe<StringValue>;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface CreateInstanceRequest extends Input {
  readonly instanceId: string;
  readonly name: string;
  readonly version?: Maybe<StringValue>;
  readonly scheduledStartTimestamp?: Maybe<Timestamp>;
  readonly orchestrationIdReusePolicy?: Maybe<{ readonly replaceableStatus: readonly OrchestrationStatus[] }>;
  readonly executionId?: Maybe<StringValue>;
  readonly tags?: Maybe<Readonly<Record<string, string>>>;
}

export interface GetInstanceRequest {
  readonly instanceId: string;
  readonly getInputsAndOutputs: boolean;
}

export interface GetInstanceResponse {
  readonly exists: boolean;
  readonly orchestrationState?: OrchestrationState | null;
}

export interface InstanceQuery {
  readonly runtimeStatus: readonly OrchestrationStatus[];
  readonly createdTimeFrom?: Maybe<Timestamp>;
  readonly createdTimeTo?: Maybe<Timestamp>;
  readonly maxInstanceCount: number;
  readonly continuationToken?: Maybe<StringValue>;
  readonly instanceIdPrefix?: Maybe<StringValue>;
  readonly fetchInputsAndOutputs: boolean;
}

export interface PurgeInstancesRequest {
  readonly request?: string;
  readonly instanceId?: string;
  readonly purgeInstanceFilter?: Maybe<{
    readonly createdTimeFrom?: Maybe<Timestamp>;
    readonly createdTimeTo?: Maybe<Timestamp>;
    readonly runtimeStatus: readonly OrchestrationStatus[];
  }>;
  readonly instanceBatch?: Maybe<{ readonly instanceIds: readonly string[] }>;
  readonly recursive: boolean;
}

export interface SignalEntityRequest extends Input {
  readonly instanceId: string;
  readonly name: string;
  readonly requestId: string;
  readonly scheduledTime?: Maybe<Timestamp>;
}

export interface EntityMetadata {
  readonly instanceId: string;
  readonly lastModifiedTime?: Maybe<Timestamp>;
  readonly backlogQueueSize: number;
  readonly lockedBy?: Maybe<StringValue>;
  readonly serializedState?: Maybe<StringValue>;
}

export interface OperationRequest {
  readonly operation: string;
  readonly requestId: string;
  readonly input?: Maybe<StringValue>;
}

export interface EntityBatchRequest {
  readonly instanceId: string;
  readonly entityState?: Maybe<StringValue>;
  readonly operations: readonly OperationRequest[];
}

export interface OperationResult {
  readonly success?: Maybe<{ readonly result?: Maybe<StringValue> }>;
  readonly failure?: Maybe<{ readonly failureDetails?: Maybe<TaskFailureDetails> }>;
}

export interface OperationAction {
  readonly id: number;
  readonly sendSignal?: Maybe<{
    readonly instanceId: string;
    readonly name: string;
    readonly input?: Maybe<StringValue>;
    readonly scheduledTime?: Maybe<Timestamp>;
  }>;
  readonly startNewOrchestration?: Maybe<{
    readonly instanceId: string;
    readonly name: string;
    readonly input?: Maybe<StringValue>;
    readonly scheduledTime?: Maybe<Timestamp>;
  }>;
}

export interface EntityBatchResult {
  readonly results: readonly OperationResult[];
  readonly actions: readonly OperationAction[];
  readonly entityState?: Maybe<StringValue>;
  readonly failureDetails?: Maybe<TaskFailureDetails>;
  readonly completionToken: string;
}

export interface CleanEntityStorageRequest {
  readonly continuationToken?: Maybe<StringValue>;
  readonly removeEmptyEntities: boolean;
  readonly releaseOrphanedLocks: boolean;
}
