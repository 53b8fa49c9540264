// The trigger services Taskhub serves. Each import registers its service (registerTriggerService); importing this
// module before an app loads makes their trigger types served.
import './timer/timer-service.js';
import './storage/index.js';

export { isServedTriggerType, startTriggerServices, registerTriggerService, unservableReason } from './services.js';
export type { TriggerService, RunningTriggerService } from './services.js';
export { invokeTriggerFunction } from './trigger-function.js';
export type {
  TriggerEnvironment,
  TriggerFunctionDefinition,
  TriggerHandler,
  TriggerInvocationResult,
} from './trigger-function.js';
