// Instance ids follow Durable Functions' rules, so an id that works here also works on Azure and in URLs.
import { randomUUID } from 'node:crypto';
import { TaskhubError } from '../core/errors.js';

export const MAX_INSTANCE_ID_LENGTH = 256;

/** A new random instance id in Durable Functions' form: a UUID without dashes (32 hex characters). */
export function newInstanceId(): string {
  return randomUUID().replaceAll('-', '');
}

/** Throws TaskhubError INVALID_INSTANCE_ID saying what is wrong with the id. */
export function validateInstanceId(instanceId: unknown): asserts instanceId is string {
  const invalid = (why: string): never => {
    throw new TaskhubError('INVALID_INSTANCE_ID', `Invalid instance ID ${JSON.stringify(instanceId)}: ${why}`);
  };
  if (typeof instanceId !== 'string') return invalid('an instance ID must be a string.');
  if (instanceId.length === 0) return invalid('a non-empty instance ID value is required.');
  if (instanceId.length > MAX_INSTANCE_ID_LENGTH) {
    return invalid(`instance ID lengths must not exceed ${MAX_INSTANCE_ID_LENGTH} characters.`);
  }
  // '@' starts entity scheduler ids (`@name@key`); an orchestration must never be mistaken for one.
  if (instanceId.startsWith('@')) return invalid("orchestration instance IDs must not start with '@'.");
  // These characters break the status URLs and the key encoding of the Azure backends.
  // eslint-disable-next-line no-control-regex
  if (/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(instanceId)) {
    return invalid('instance IDs must not contain /, \\, #, ?, or control characters.');
  }
}
