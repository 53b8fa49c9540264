// Taskhub's public surface: the embedding API, the Durable Functions programming model (`df`), the DurableClient
// contract, the stores and the errors. Named exports only; PostgreSQL lives on the `taskhub/postgres` subpath.
export { openTaskHub } from './hub.js';
export type { OpenTaskHubOptions, TaskHub, WorkerOptions } from './hub-types.js';
export type { RetentionPolicy } from './retention/policy.js';

export * as df from './app/durable-functions.js';
export {
  defaultRegistry,
  EntityId,
  FunctionRegistry,
  isTaskhubError,
  RetryOptions,
  TaskhubError,
  type ActivityContext,
  type ActivityHandler,
  type AnyOrchestrationHandler,
  type AsyncOrchestrationHandler,
  type Divergence,
  type CallHttpOptions,
  type DurableEntityContext,
  type DurableHttpResponse,
  type DurableOrchestrationContext,
  type EntityContext,
  type EntityHandler,
  type EntityLock,
  type FailureDetails,
  type HistoryEvent,
  type HistoryEventType,
  type OrchestrationContext,
  type OrchestrationGenerator,
  type OrchestrationHandler,
  type ReplayHistoryOptions,
  type ReplayReport,
  type RuntimeStatus,
  type SettledTask,
  type Task,
  type TaskhubErrorCode,
  type TimerTask,
} from './core/index.js';

// Typed calls (docs/typed-calls.md): declarations with checked inputs and outputs, over the plain calls.
export {
  call,
  callActivity,
  callActivityWithRetry,
  callEntity,
  callSubOrchestrator,
  callSubOrchestratorWithRetry,
  defineActivities,
  defineActivity,
  defineEntity,
  defineEvent,
  defineOrchestration,
  getInput,
  getStatus,
  implement,
  raiseEvent,
  readEntityState,
  resultOf,
  signalEntity,
  startNew,
  waitForCompletion,
  waitForExternalEvent,
  whenAll,
  whenAny,
  type ActivityDeclaration,
  type CallableDeclaration,
  type EntityDeclaration,
  type EntityOperations,
  type EventDeclaration,
  type InputOf,
  type OrchestrationDeclaration,
  type OutputOf,
  type TypedCall,
  type TypedEntityId,
  type TypedOrchestrationStatus,
} from './typed/index.js';

// The replayers as taskhub/testing has them: they take an exported history file as `taskhub replay` does.
export { checkReplay, replayHistory, type ExportedHistory, type ReplayInput } from './testing/replay.js';

export { TaskHubClient } from './client/durable-client.js';
export type {
  DurableClient,
  DurableOrchestrationStatus,
  EntityMetadata,
  EntityPage,
  EntityQuery,
  EntityStateResponse,
  GetStatusOptions,
  HttpManagementPayload,
  OrchestrationFilter,
  PurgeHistoryResult,
  StartNewOptions,
  StatusPage,
  WaitForCompletionOptions,
} from './client/types.js';

export { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './store/sqlite/index.js';
export type { Store } from './store/store.js';
export { createLogger, type Logger } from './log.js';
