// The DurableEntityContext of one entity operation: reads and writes the entity's state as JSON text, so a failed
// operation is rolled back by restoring the text it started from, and records the result and the outgoing signals.
import type { DurableEntityContext } from './context.js';
import { asEntityId, EntityId } from './entity-id.js';
import { TaskhubError } from './errors.js';
import { toJson } from './failure.js';
import { parseJson } from './task.js';

/** A signal an operation sends, held until the operation succeeds. */
export interface PendingSignal {
  readonly target: string;
  readonly op: string;
  readonly input?: string;
}

export class EntityOperationContext<TState = unknown> implements DurableEntityContext<TState> {
  readonly isNewlyConstructed: boolean;
  /** JSON text of the state as this operation leaves it; undefined when the entity has none. */
  stateText: string | undefined;
  exists: boolean;
  resultText: string | undefined;
  destruct = false;
  readonly signals: PendingSignal[] = [];

  constructor(
    readonly entityId: EntityId,
    readonly operationName: string,
    readonly inputText: string | undefined,
    exists: boolean,
    stateText: string | undefined,
  ) {
    this.exists = exists;
    this.stateText = exists ? stateText : undefined;
    this.isNewlyConstructed = !exists;
  }

  get entityName(): string {
    return this.entityId.name;
  }
  get entityKey(): string {
    return this.entityId.key;
  }

  getState(initializer?: () => TState): TState | undefined {
    if (this.stateText !== undefined) return parseJson(this.stateText) as TState;
    return initializer ? initializer() : undefined;
  }

  setState(state: TState): void {
    this.stateText = toJson(state);
    this.exists = true;
    this.destruct = false;
  }

  getInput<TInput = unknown>(): TInput | undefined {
    return parseJson(this.inputText) as TInput | undefined;
  }

  return(value: unknown): void {
    this.resultText = toJson(value);
  }

  destructOnExit(): void {
    this.destruct = true;
  }

  signalEntity(entityIdLike: EntityId, operationName: string, operationInput?: unknown): void {
    const entityId = asEntityId(entityIdLike);
    if (!entityId) throw new TypeError('signalEntity needs an EntityId (or its JSON form { name, key }).');
    if (typeof operationName !== 'string') {
      throw new TaskhubError('INVALID_ARGUMENT', 'signalEntity needs an operation name (a string).');
    }
    const input = toJson(operationInput);
    this.signals.push({ target: entityId.toString(), op: operationName, ...(input === undefined ? {} : { input }) });
  }
}
