// The Azure Storage trigger service: queue and blob triggers of the loaded app, each function its own listener on
// the account its `connection` names. Importing this module registers the service.
import { registerTriggerService, type RunningTriggerService } from '../services.js';
import type { TriggerEnvironment, TriggerFunctionDefinition } from '../trigger-function.js';
import { BlobListener } from './blob-trigger.js';
import { QueueListener } from './queue-trigger.js';

function start(
  functions: readonly TriggerFunctionDefinition[],
  env: TriggerEnvironment,
): Promise<RunningTriggerService> {
  const listeners: (QueueListener | BlobListener)[] = [];
  for (const fn of functions) {
    try {
      listeners.push(fn.trigger.type === 'queueTrigger' ? new QueueListener(env, fn) : new BlobListener(env, fn));
    } catch (err) {
      // One function's bad binding (no queueName, an identity-based connection …) leaves the others served.
      env.logger.error({ err, function: fn.name }, `the ${fn.trigger.type} function '${fn.name}' is not served`);
    }
  }
  for (const listener of listeners) listener.start();
  return Promise.resolve({
    async close() {
      await Promise.allSettled(listeners.map((l) => l.close()));
    },
  });
}

registerTriggerService({
  triggerTypes: ['queueTrigger', 'blobTrigger'],
  start: (functions, env) => start(functions, env),
});
