// Entity identity: a (name, key) pair whose scheduler id `@<lowercased name>@<key>` is the entity's instance id.
import { TaskhubError } from './errors.js';

export class EntityId {
  readonly name: string;
  readonly key: string;

  constructor(name: string, key: string) {
    if (typeof name !== 'string' || name === '') {
      throw new TaskhubError('INVALID_ARGUMENT', 'An EntityId needs a non-empty entity name.');
    }
    if (typeof key !== 'string' || key === '') {
      throw new TaskhubError('INVALID_ARGUMENT', 'An EntityId needs a non-empty entity key.');
    }
    this.name = name;
    this.key = key;
  }

  /** The scheduler id, e.g. `@counter@myCounter`: entity names are case-insensitive, keys are not. */
  toString(): string {
    return `@${this.name.toLowerCase()}@${this.key}`;
  }

  /** Parses a scheduler id (`@name@key`; the key may itself contain '@'). */
  static fromSchedulerId(schedulerId: string): EntityId {
    const second = schedulerId.indexOf('@', 1);
    if (!schedulerId.startsWith('@') || second < 0) {
      throw new TaskhubError('INVALID_ARGUMENT', `'${schedulerId}' is not an entity scheduler id (@name@key).`);
    }
    return new EntityId(schedulerId.slice(1, second), schedulerId.slice(second + 1));
  }
}

/**
 * An EntityId from an EntityId or from its plain JSON form `{ name, key }` (how one arrives through any input or
 * payload), as durable-functions reads only those two fields; undefined for anything else.
 */
export function asEntityId(value: unknown): EntityId | undefined {
  if (value instanceof EntityId) return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, key } = value as { name?: unknown; key?: unknown };
  return typeof name === 'string' && name !== '' && typeof key === 'string' && key !== ''
    ? new EntityId(name, key)
    : undefined;
}
