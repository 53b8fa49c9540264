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
