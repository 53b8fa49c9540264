// The public surface of the pure orchestration core: the programming model, the replay engine and its contracts.
export type {
  ActivityContext,
  ActivityHandler,
  AnyOrchestrationHandler,
  AsyncOrchestrationHandler,
  CallHttpOptions,
  ContextLogger,
  DurableHttpRequest,
  DurableHttpResponse,
  DurableEntityContext,
  DurableOrchestrationContext,
  EntityContext,
  EntityHandler,
  EntityLock,
  LogLevel,
  LogMethod,
  LogSink,
  OrchestrationContext,
  OrchestrationGenerator,
  OrchestrationHandler,
  SettledTask,
  Task,
  TaskCombinators,
  TaskResults,
  TimerTask,
} from './context.js';
export { RetryOptions } from './retry-options.js';
export { EntityId } from './entity-id.js';
export {
  activityCallable,
  entity,
  isEntity,
  isOrchestrator,
  orchestrationCallable,
  orchestrator,
  type RegisteredActivity,
  type RegisteredOrchestration,
  type RegisteredTask,
} from './df-app.js';
export {
  createOrchestrationExecutor,
  type AnyOrchestrationExecutor,
  type AsyncOrchestrationExecutor,
  type OrchestrationExecutor,
  type OrchestrationExecutorOptions,
} from './replay.js';
export { rewindHistory, type RewindWork, type RewoundHistory } from './rewind.js';
export { checkReplay, replayHistory, type ReplayHistoryOptions, type ReplayReport } from './replayer.js';
export { HTTP_ACTIVITY_NAME } from './orchestration-context.js';
export { ManagedIdentityTokenSource } from './http-task.js';
export { DurableLock, LockingRulesViolationError, LockState } from './durable-lock.js';
export { failureDetailsOf, TaskFailedError } from './failure.js';
export { NON_DETERMINISTIC_ERROR_TYPE, NonDeterministicOrchestrationError, type Divergence } from './nondeterminism.js';
export { uuidV5 } from './guid.js';
export { isTaskhubError, TaskhubError, type TaskhubErrorCode } from './errors.js';
export { defaultRegistry, FunctionRegistry, type Registered } from './registry.js';
export type { EpisodeOutcome, EpisodeResult, OrchestratorAction } from './episode.js';
export {
  isTerminal,
  TERMINAL_STATUSES,
  type FailureDetails,
  type HistoryEvent,
  type HistoryEventType,
  type ParentInstance,
  type RuntimeStatus,
} from './history.js';
