// The test hub's registry: the app's functions (a FunctionRegistry, by default the one df.app.* fills) seen through
// an overlay, so a test can register extra functions or replace activities by test doubles without touching the app's
// registry, which other tests share.
import type { ActivityContext, ActivityHandler, AnyOrchestrationHandler, EntityHandler } from '../core/context.js';
import { FunctionRegistry, type Registered } from '../core/registry.js';

/** A test double standing in for an activity: its calls, in order. */
export interface ActivityMock {
  /** The input of every call so far. */
  readonly calls: unknown[];
}

export class TestRegistry extends FunctionRegistry {
  readonly #base: FunctionRegistry;
  readonly #mocks = new Map<string, Registered<ActivityHandler>>();

  constructor(base: FunctionRegistry) {
    super();
    this.#base = base;
    this.versioning = base.versioning;
  }

  mockActivity(name: string, fn: (input: unknown, context: ActivityContext) => unknown): ActivityMock {
    const calls: unknown[] = [];
    const handler: ActivityHandler = (input, context) => {
      calls.push(input);
      return fn(input, context);
    };
    this.#mocks.set(name.toLowerCase(), { name, handler });
    return { calls };
  }

  override getOrchestration(name: string): Registered<AnyOrchestrationHandler> | undefined {
    return super.getOrchestration(name) ?? this.#base.getOrchestration(name);
  }
  override orchestrationVersions(name: string): Registered<AnyOrchestrationHandler>[] {
    const own = super.orchestrationVersions(name);
    return own.length > 0 ? own : this.#base.orchestrationVersions(name);
  }
  override getActivity(name: string): Registered<ActivityHandler> | undefined {
    return this.#mocks.get(name.toLowerCase()) ?? super.getActivity(name) ?? this.#base.getActivity(name);
  }
  override getEntity(name: string): Registered<EntityHandler> | undefined {
    return super.getEntity(name) ?? this.#base.getEntity(name);
  }

  override orchestrations(): Registered<AnyOrchestrationHandler>[] {
    return merge(super.orchestrations(), this.#base.orchestrations());
  }
  override activities(): Registered<ActivityHandler>[] {
    return merge([...this.#mocks.values(), ...super.activities()], this.#base.activities());
  }
  override entities(): Registered<EntityHandler>[] {
    return merge(super.entities(), this.#base.entities());
  }
}

function merge<T>(first: Registered<T>[], then: Registered<T>[]): Registered<T>[] {
  const seen = new Set(first.map((r) => r.name.toLowerCase()));
  return [...first, ...then.filter((r) => !seen.has(r.name.toLowerCase()))];
}
