// The function registry: what an app defines (orchestrations, activities, entities), looked up case-insensitively by
// name as Azure Functions does. Definitions only; no runtime state lives here.
import type { ActivityHandler, AnyOrchestrationHandler, EntityHandler } from './context.js';
import { TaskhubError } from './errors.js';

export interface Registered<THandler> {
  /** The name as the app spelled it. */
  readonly name: string;
  readonly handler: THandler;
}

export class FunctionRegistry {
  readonly #orchestrations = new Map<string, Registered<AnyOrchestrationHandler>>();
  readonly #activities = new Map<string, Registered<ActivityHandler>>();
  readonly #entities = new Map<string, Registered<EntityHandler>>();

  registerOrchestration(name: string, handler: AnyOrchestrationHandler): void {
    add(this.#orchestrations, 'orchestration', name, handler);
  }
  registerActivity(name: string, handler: ActivityHandler): void {
    add(this.#activities, 'activity', name, handler);
  }
  registerEntity(name: string, handler: EntityHandler): void {
    add(this.#entities, 'entity', name, handler);
  }

  getOrchestration(name: string): Registered<AnyOrchestrationHandler> | undefined {
    return this.#orchestrations.get(name.toLowerCase());
  }
  getActivity(name: string): Registered<ActivityHandler> | undefined {
    return this.#activities.get(name.toLowerCase());
  }
  getEntity(name: string): Registered<EntityHandler> | undefined {
    return this.#entities.get(name.toLowerCase());
  }

  orchestrations(): Registered<AnyOrchestrationHandler>[] {
    return [...this.#orchestrations.values()];
  }
  activities(): Registered<ActivityHandler>[] {
    return [...this.#activities.values()];
  }
  entities(): Registered<EntityHandler>[] {
    return [...this.#entities.values()];
  }
}

function add<T>(map: Map<string, Registered<T>>, kind: string, name: string, handler: T): void {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TaskhubError('INVALID_ARGUMENT', `An ${kind} needs a non-empty name.`);
  }
  const key = name.toLowerCase();
  const existing = map.get(key);
  if (existing && existing.handler !== handler) {
    throw new TaskhubError('INVALID_ARGUMENT', `The ${kind} '${name}' is already registered (as '${existing.name}').`);
  }
  map.set(key, { name, handler });
}

/**
 * The registry that `df.app.*`, `df.orchestrator` and function.json loading fill, as Azure apps expect a module-level
 * `app`. It holds definitions only; every task hub gets it explicitly (or another registry) when opened.
 */
export const defaultRegistry = new FunctionRegistry();
