// The client's public surface: the DurableClient implementation, its helpers for the HTTP layer, and its contract.
export { TaskHubClient, type TaskHubClientOptions } from './durable-client.js';
export { CompletionWaiter } from './completion-waiter.js';
export { renderHistory, renderFailure, type HistoryViewOptions, type RenderedHistoryEvent } from './history-view.js';
export { toOrchestrationStatus, toStatusJson, toSecondPrecision, type StatusJson } from './status-view.js';
export { newInstanceId, validateInstanceId, MAX_INSTANCE_ID_LENGTH } from './instance-id.js';
export type {
  DurableClient,
  DurableOrchestrationStatus,
  GetStatusOptions,
  HttpManagementPayload,
  OrchestrationFilter,
  OrchestrationRuntimeStatusName,
  PurgeHistoryResult,
  StartNewOptions,
  StatusPage,
  TaskHubOptions,
  WaitForCompletionOptions,
} from './types.js';
