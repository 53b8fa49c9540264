// The Azure Storage trigger service: queue and blob triggers of the loaded app, each function its own listener on
// the account its `connection` names. Importing this module registers the service.
import { registerTriggerService, type RunningTriggerService } from '../services.js';
import type { TriggerEnvironment, TriggerFunctionDefinition } from '../trigger-function.js';
import { BlobListener, parseBlobPathPattern } from './blob-trigger.js';
import { QueueListener } from './queue-trigger.js';

/**
 * Why `name` is not a valid Azure queue or blob container name, or undefined. Azure's rules for both: 3 to 63
 * characters, lowercase letters, digits and single hyphens, starting and ending with a letter or digit. A container
 * may also be one of the special `$root`, `$logs` and `$web`.
 */
export function storageNameProblem(kind: 'queue' | 'container', name: string): string | undefined {
  if (kind === 'container' && ['$root', '$logs', '$web'].includes(name)) return undefined;
  if (name.length < 3 || name.length > 63) return `it has ${String(name.length)} characters, not 3 to 63`;
  if (!/^[a-z0-9-]+$/.test(name)) return 'only lowercase letters, digits and hyphens are allowed';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'it must start and end with a letter or digit';
  if (name.includes('--')) return 'it has consecutive hyphens';
  return undefined;
}

/**
 * Why a storage trigger cannot be served, checked at registration (after `%SETTING%` resolution), as Azure refuses
 * to index it: a missing or invalid queue name (lowercased first, as the Functions host does; a name with `{…}`
 * binding expressions is left to invocation), an unparsable blob path or an invalid container name.
 */
function check(fn: TriggerFunctionDefinition): string | undefined {
  if (fn.trigger.type === 'queueTrigger') {
    const name = (fn.trigger as { queueName?: unknown }).queueName;
    if (typeof name !== 'string' || name === '') return 'its queue trigger has no queueName.';
    if (name.includes('{')) return undefined;
    const problem = storageNameProblem('queue', name.toLowerCase());
    return problem && `the queue name '${name}' is invalid: ${problem}.`;
  }
  const path = (fn.trigger as { path?: unknown }).path;
  if (typeof path !== 'string' || path === '') return 'its blob trigger has no path.';
  try {
    const { container } = parseBlobPathPattern(path, `function '${fn.name}'`);
    const problem = storageNameProblem('container', container);
    return problem && `the blob container name '${container}' is invalid: ${problem}.`;
  } catch (err) {
    return (err as Error).message;
  }
}

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
  check,
  start: (functions, env) => start(functions, env),
});
