// What a loaded app defines: durable functions (in a FunctionRegistry) and HTTP functions, plus host.json settings.
// `df.app.*` and `app.http` register into the *current* definition, which is the module-level default unless the
// loader is importing an app into a definition of its own (tests load several apps in one process).
import type { RetentionPolicy } from '../retention/policy.js';
import { defaultRegistry, FunctionRegistry } from '../core/registry.js';
import { TaskhubError } from '../core/errors.js';
import { AppHooks } from './azure/app-hooks.js';
import type { HttpRequest } from './http-types.js';
import type { FunctionInput, FunctionOutput, FunctionTrigger, InvocationContext } from './invocation-context.js';
import { unservableReason } from './triggers/services.js';
import type { TriggerFunctionDefinition } from './triggers/trigger-function.js';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/** A handler in the 4.x shape; classic handlers are adapted to it by the loader. */
export type HttpHandler = (request: HttpRequest, context: InvocationContext) => unknown;

export interface HttpFunctionDefinition {
  readonly name: string;
  /** Upper-case method names; empty means every method. */
  readonly methods: readonly string[];
  readonly authLevel: AuthLevel;
  /** Azure route template relative to the route prefix (`orchestrators/{functionName}/{instanceId?}`). */
  readonly route: string;
  readonly trigger: FunctionTrigger;
  readonly extraInputs: readonly FunctionInput[];
  /** Declared extra outputs (`context.extraOutputs.set` reports the ones Taskhub does not deliver). */
  readonly extraOutputs?: readonly FunctionOutput[];
  readonly handler: HttpHandler;
}

/** A function the app defines that Taskhub does not serve, with its trigger type. */
export interface UnservedFunction {
  readonly name: string;
  readonly trigger: string;
  /**
   * Why, when the function is in error rather than on a trigger Taskhub does not serve: an invalid timer schedule,
   * a binding naming a missing app setting … (the Functions host's "function is in error").
   */
  readonly reason?: string;
}

/** durable-functions 3.5: gives custom properties for an error an activity threw (undefined: none). */
export interface ExceptionPropertiesProvider {
  getExceptionProperties(error: unknown): Record<string, unknown> | undefined;
}

export class AppDefinition {
  readonly registry: FunctionRegistry;
  readonly httpFunctions: HttpFunctionDefinition[] = [];
  /** The app folder, once the loader knows it (relative binding paths resolve here). */
  root: string | undefined;
  /** host.json `extensions.http.routePrefix` (default 'api'; '' serves user routes at the root). */
  routePrefix = 'api';
  /** host.json `extensions.durableTask.hubName`, when the app names its hub. */
  hubName: string | undefined;
  /** host.json `functionTimeout` in ms, when set (activities and HTTP functions). */
  functionTimeoutMs: number | undefined;
  /** host.json `extensions.durableTask.maxDeliveryCount`, when set. */
  maxDeliveryCount: number | undefined;
  /** host.json `extensions.durableTask.retention`, when set. */
  retention: RetentionPolicy | undefined;
  /**
   * Functions the app defines that Taskhub does not serve (a trigger type it cannot run here, or `error`: the function
   * is in error, e.g. a binding names a missing app setting): the app loads anyway and `taskhub start` lists each of
   * them, with its trigger type.
   */
  readonly unservedFunctions: UnservedFunction[] = [];
  /** Functions on a trigger a Taskhub trigger service serves (timer, storage queue, blob …; see src/app/triggers). */
  readonly triggerFunctions: TriggerFunctionDefinition[] = [];
  /** `app.hook.*` registrations: the host runs them at start, on drain and around invocations. */
  readonly hooks = new AppHooks();
  /** `df.app.setExceptionPropertiesProvider`: custom properties for the failure details of a throwing activity. */
  exceptionPropertiesProvider: ExceptionPropertiesProvider | undefined;

  constructor(registry: FunctionRegistry = new FunctionRegistry()) {
    this.registry = registry;
  }

  addHttpFunction(definition: HttpFunctionDefinition): void {
    const name = definition.name.toLowerCase();
    if (this.httpFunctions.some((f) => f.name.toLowerCase() === name)) {
      throw new TaskhubError('INVALID_ARGUMENT', `The HTTP function '${definition.name}' is already registered.`);
    }
    this.httpFunctions.push(definition);
  }

  addTriggerFunction(definition: TriggerFunctionDefinition): void {
    const name = definition.name.toLowerCase();
    if (this.triggerFunctions.some((f) => f.name.toLowerCase() === name)) {
      throw new TaskhubError('INVALID_ARGUMENT', `The function '${definition.name}' is already registered.`);
    }
    const reason = unservableReason(definition);
    if (reason !== undefined) {
      this.unservedFunctions.push({ name: definition.name, trigger: definition.trigger.type, reason });
      return;
    }
    this.triggerFunctions.push(definition);
  }
}

/** The definition that `df.app.*` and `app.http` fill when no loader scope is active; its registry is the one
 * openTaskHub runs by default. */
export const defaultApp = new AppDefinition(defaultRegistry);
export { defaultRegistry };

let current = defaultApp;
let scopeChain: Promise<unknown> = Promise.resolve();

export function currentApp(): AppDefinition {
  return current;
}

/**
 * Runs `load` with `app` as the registration target. Loads are serialized: module code runs while `load` is pending,
 * so two overlapping loads would otherwise register into each other's definitions.
 */
export function withApp<T>(app: AppDefinition, load: () => Promise<T>): Promise<T> {
  const run = scopeChain.then(async () => {
    const previous = current;
    current = app;
    try {
      return await load();
    } finally {
      current = previous;
    }
  });
  scopeChain = run.catch(() => undefined);
  return run;
}
