// The DurableClient contract, with Durable Functions' names: both the 3.x option objects and the 2.x positional forms.
import type { EntityId } from '../core/entity-id.js';
import type { FailureDetails, HistoryEvent, RuntimeStatus } from '../core/history.js';

export type OrchestrationRuntimeStatusName = RuntimeStatus;

/** What getStatus returns (DurableOrchestrationStatus). */
export interface DurableOrchestrationStatus {
  readonly name: string;
  readonly instanceId: string;
  readonly createdTime: Date;
  readonly lastUpdatedTime: Date;
  /** Parsed JSON; null when showInput is false. */
  readonly input: unknown;
  /** Parsed JSON: the output (Completed), the failure message/details (Failed), the reason (Terminated); else null. */
  readonly output: unknown;
  readonly runtimeStatus: RuntimeStatus;
  readonly customStatus?: unknown;
  /** Failed instances: the stored failure (error type, message, stack, details), beyond the message text in `output`. */
  readonly failureDetails?: FailureDetails;
  /** Durable Functions' rendering of the history (reference part D), only with showHistory. */
  readonly history?: readonly Record<string, unknown>[];
  /** The orchestration version the instance was created with; absent for none. */
  readonly version?: string;
}

export interface StartNewOptions<TInput = unknown> {
  readonly instanceId?: string;
  readonly input?: TInput;
  /**
   * The orchestration version of the new instance (durable-functions 3.5). Default: host.json `defaultVersion`, else
   * (a Taskhub extension) the newest version of the orchestration registered side by side, else none.
   */
  readonly version?: string;
}

export interface GetStatusOptions {
  readonly showHistory?: boolean;
  readonly showHistoryOutput?: boolean;
  readonly showInput?: boolean;
}

export interface OrchestrationFilter {
  readonly createdTimeFrom?: Date;
  readonly createdTimeTo?: Date;
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly instanceIdPrefix?: string;
  /** Only instances created with exactly this version ('' for instances without one). A Taskhub extension. */
  readonly version?: string;
  readonly pageSize?: number;
  readonly continuationToken?: string;
  readonly showInput?: boolean;
}

export interface StatusPage {
  readonly instances: DurableOrchestrationStatus[];
  readonly continuationToken?: string;
}

export interface PurgeHistoryResult {
  readonly instancesDeleted: number;
}

export interface WaitForCompletionOptions {
  readonly timeoutInMilliseconds?: number;
  readonly retryIntervalInMilliseconds?: number;
}

export interface TaskHubOptions {
  readonly taskHubName?: string;
  readonly connectionName?: string;
}

/** The URLs Durable Functions hands out for managing one instance. */
export interface HttpManagementPayload {
  readonly id: string;
  readonly statusQueryGetUri: string;
  readonly sendEventPostUri: string;
  readonly terminatePostUri: string;
  readonly rewindPostUri: string;
  readonly purgeHistoryDeleteUri: string;
  readonly restartPostUri: string;
  readonly suspendPostUri: string;
  readonly resumePostUri: string;
}

/** What readEntityState answers (durable-functions' EntityStateResponse). */
export interface EntityStateResponse<T = unknown> {
  readonly entityExists: boolean;
  readonly entityState?: T;
}

/** Filter of listEntities (Durable Functions' entity query). */
export interface EntityQuery {
  /** Only entities of this name (case-insensitive). */
  readonly entityName?: string;
  /** Include each entity's state (default false). */
  readonly fetchState?: boolean;
  readonly lastOperationTimeFrom?: Date;
  readonly lastOperationTimeTo?: Date;
  /** Page size (default 100); a page may hold fewer, check the token. */
  readonly pageSize?: number;
  readonly continuationToken?: string;
}

export interface EntityMetadata {
  readonly entityId: EntityId;
  readonly lastOperationTime: Date;
  /** Decoded state, with fetchState only. */
  readonly state?: unknown;
}

export interface EntityPage {
  readonly entities: EntityMetadata[];
  readonly continuationToken?: string;
}

/** Drives orchestrations: the same methods as durable-functions' DurableClient, working directly on a task hub. */
export interface DurableClient {
  readonly taskHubName: string;

  startNew(orchestratorName: string, options?: StartNewOptions): Promise<string>;
  /** 2.x positional form. */
  startNew(orchestratorName: string, instanceId?: string, input?: unknown): Promise<string>;

  /** Throws TaskhubError INSTANCE_NOT_FOUND when the instance does not exist. */
  getStatus(instanceId: string, options?: GetStatusOptions): Promise<DurableOrchestrationStatus>;
  getStatus(
    instanceId: string,
    showHistory?: boolean,
    showHistoryOutput?: boolean,
    showInput?: boolean,
  ): Promise<DurableOrchestrationStatus>;
  getStatusAll(): Promise<DurableOrchestrationStatus[]>;
  getStatusBy(filter: OrchestrationFilter): Promise<DurableOrchestrationStatus[]>;
  /** 2.x positional form. */
  getStatusBy(
    createdTimeFrom?: Date,
    createdTimeTo?: Date,
    runtimeStatus?: RuntimeStatus[],
  ): Promise<DurableOrchestrationStatus[]>;
  /** One page of a query, with a continuation token for the next. */
  listInstances(filter: OrchestrationFilter): Promise<StatusPage>;

  /** Throws INSTANCE_NOT_FOUND for an unknown instance, INSTANCE_FINISHED for a finished one. */
  raiseEvent(instanceId: string, eventName: string, eventData?: unknown, options?: TaskHubOptions): Promise<void>;
  terminate(instanceId: string, reason?: string): Promise<void>;
  suspend(instanceId: string, reason?: string): Promise<void>;
  resume(instanceId: string, reason?: string): Promise<void>;
  /** Only Failed instances can be rewound (INSTANCE_FINISHED otherwise). */
  rewind(instanceId: string, reason?: string): Promise<void>;
  /** Starts the orchestration again with its original input; returns the (new or same) instance id. */
  restart(instanceId: string, restartWithNewInstanceId?: boolean): Promise<string>;

  purgeInstanceHistory(instanceId: string): Promise<PurgeHistoryResult>;
  purgeInstanceHistoryBy(filter: OrchestrationFilter): Promise<PurgeHistoryResult>;

  /** Resolves with the final status once the instance is terminal; throws TIMEOUT after the timeout. */
  waitForCompletion(instanceId: string, options?: WaitForCompletionOptions): Promise<DurableOrchestrationStatus>;

  /** Raw stored history (for export and debugging). */
  getHistory(instanceId: string): Promise<HistoryEvent[]>;

  /** Send a one-way operation to an entity, creating it if needed (operation '' when none is given). */
  signalEntity(entityId: EntityId, operationName?: string, operationContent?: unknown): Promise<void>;
  /** The entity's current state, as last committed. */
  readEntityState<T = unknown>(entityId: EntityId): Promise<EntityStateResponse<T>>;
  /** Existing entities, one page at a time (entities are not listed by the orchestration queries). */
  listEntities(query?: EntityQuery): Promise<EntityPage>;
}
