// What `import * as df from 'durable-functions'` gives an Azure app run by Taskhub: the 3.x registration API
// (`df.app.*`, `df.trigger`, `df.input`, `df.getClient`), the 2.x classic wrappers (`df.orchestrator`, `df.entity`) and
// the value classes. Registrations go to the current app definition; the programming model itself is core's.
import { checkOrchestrator } from '../core/df-app.js';
import { TaskhubError } from '../core/errors.js';
import '../worker/async-context.js';
import {
  activityCallable,
  entity,
  EntityId,
  orchestrationCallable,
  orchestrator,
  DurableLock,
  LockingRulesViolationError,
  LockState,
  ManagedIdentityTokenSource,
  RetryOptions,
  TaskFailedError,
  type ActivityContext,
  type AnyOrchestrationHandler,
  type EntityHandler,
} from '../core/index.js';
import { currentApp, type AppDefinition, type ExceptionPropertiesProvider } from './app-definition.js';
import { EXCEPTION_PROPERTIES } from '../core/failure.js';
import { app as azureApp, recordUnserved, type HttpFunctionOptions } from './azure-functions.js';
import { invokeWithHooks, type FunctionHandler } from './azure/hooks.js';
import { trigger as azureTrigger, type BindingOptions } from './azure/bindings.js';
import { isServedTriggerType } from './triggers/services.js';
import { activityWithStorageBindings } from './bindings/invoke.js';
import { recordStorageBindings } from './bindings/storage.js';
import {
  clientFromBinding,
  isDurableClientBinding,
  isDurableClientInput,
  type DurableHttpClient,
} from './durable-http-client.js';
import { DummyEntityContext, DummyOrchestrationContext } from './durable-testing.js';
import type { HttpHandler } from './app-definition.js';
import type { HttpRequest } from './http-types.js';
import type { FunctionInput, FunctionOutput, FunctionTrigger, InvocationContext } from './invocation-context.js';

export type {
  ActivityContext,
  AnyOrchestrationHandler,
  AsyncOrchestrationHandler,
  CallHttpOptions,
  DurableEntityContext,
  DurableHttpResponse,
  EntityContext,
  EntityHandler,
  EntityLock,
  OrchestrationContext,
  OrchestrationHandler,
  RegisteredActivity,
  RegisteredOrchestration,
  Task,
  TimerTask,
} from '../core/index.js';
export type {
  DurableOrchestrationStatus,
  HttpManagementPayload,
  OrchestrationFilter,
  PurgeHistoryResult,
  StartNewOptions,
  GetStatusOptions,
  TaskHubOptions,
  WaitForCompletionOptions,
} from '../client/types.js';
export type { DurableHttpClient as DurableClient, WaitForCompletionHttpOptions } from './durable-http-client.js';

export {
  DurableLock,
  EntityId,
  LockingRulesViolationError,
  LockState,
  ManagedIdentityTokenSource,
  RetryOptions,
  TaskFailedError,
};

/**
 * An activity function. Declared with method syntax so that, as with Azure's own `input: any`, a handler typed
 * `(input: string) => …` is accepted without casts.
 */
export type ActivityHandler<TInput = unknown> = {
  handler(input: TInput, context: ActivityContext): unknown;
}['handler'];

/** Durable Functions' runtime statuses, as the string enum apps compare against. */
export const OrchestrationRuntimeStatus = {
  Running: 'Running',
  Completed: 'Completed',
  ContinuedAsNew: 'ContinuedAsNew',
  Failed: 'Failed',
  Canceled: 'Canceled',
  Terminated: 'Terminated',
  Pending: 'Pending',
  Suspended: 'Suspended',
} as const;
export type OrchestrationRuntimeStatus = (typeof OrchestrationRuntimeStatus)[keyof typeof OrchestrationRuntimeStatus];

/** `{ entityExists, entityState }`, what readEntityState answers. */
export class EntityStateResponse<T = unknown> {
  constructor(
    readonly entityExists: boolean,
    readonly entityState?: T,
  ) {}
}

export const trigger = {
  orchestration: (): FunctionTrigger => ({ type: 'orchestrationTrigger', name: 'context' }),
  activity: (): FunctionTrigger => ({ type: 'activityTrigger', name: 'input' }),
  entity: (): FunctionTrigger => ({ type: 'entityTrigger', name: 'context' }),
  client: (): FunctionTrigger => ({ type: 'durableClient', name: 'starter' }),
};

let clientInputs = 0;
export const input = {
  durableClient: (): FunctionInput => ({ type: 'durableClient', name: `durableClient${++clientInputs}` }),
};

/**
 * The durable client of an invocation: from its `durableClient` extra input (3.x), or from a classic context's
 * orchestrationClient / durableClient binding (2.x `context.bindings`).
 */
export function getClient(context: InvocationContext | { bindings?: Record<string, unknown> }): DurableHttpClient {
  if ('extraInputs' in context && 'options' in context) {
    const binding = context.options.extraInputs.find(isDurableClientInput);
    if (!binding) {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        'Could not find a registered durable client input binding. Add `extraInputs: [df.input.durableClient()]` ' +
          'to the function options.',
      );
    }
    const value = context.extraInputs.get(binding);
    if (isDurableClientBinding(value)) return clientFromBinding(value);
  }
  const bindings = (context as { bindings?: Record<string, unknown> }).bindings ?? {};
  const value = Object.values(bindings).find(isDurableClientBinding);
  if (value) return clientFromBinding(value);
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    'Could not find a durable client binding on this context: give the function an orchestrationClient or ' +
      'durableClient input binding (function.json) or `extraInputs: [df.input.durableClient()]`.',
  );
}

type HandlerOrOptions<H> = H | ({ handler: H } & Record<string, unknown>);

/** One wrapper per (app, handler): registering the same activity twice stays the no-op it always was. */
const hookedActivities = new WeakMap<AppDefinition, WeakMap<ActivityHandler, ActivityHandler>>();

/**
 * The app's preInvocation/postInvocation hooks run around activities too, as the Functions host runs them around
 * every function. An activity's context has the InvocationContext members the hooks read.
 */
function withHooks(definition: AppDefinition, handler: ActivityHandler): ActivityHandler {
  let wrappers = hookedActivities.get(definition);
  if (!wrappers) {
    wrappers = new WeakMap();
    hookedActivities.set(definition, wrappers);
  }
  let hooked = wrappers.get(handler);
  if (!hooked) {
    const withProperties = wrapActivityHandler(handler, definition);
    hooked = (input, context) =>
      invokeWithHooks(definition, context as unknown as InvocationContext, withProperties as FunctionHandler, [input]);
    wrappers.set(handler, hooked);
  }
  return hooked;
}

/**
 * durable-functions 3.5's `app.wrapActivityHandler`: the handler, with the app's ExceptionPropertiesProvider consulted
 * when it throws, so the properties reach the orchestrator in `failureDetails.properties`. Costs nothing while the
 * app has no provider (the handler's own result, no promise of ours); a provider that throws is ignored, as in
 * durable-functions, so it never masks the original failure.
 */
function wrapActivityHandler<H extends ActivityHandler>(handler: H, definition = currentApp()): H {
  const attach = (err: unknown): unknown => {
    const provider = definition.exceptionPropertiesProvider;
    let properties: Record<string, unknown> | undefined;
    try {
      properties = provider?.getExceptionProperties(err) ?? undefined;
    } catch {
      // As durable-functions: a faulty provider never replaces the error the activity threw.
    }
    if (properties === undefined || properties === null || typeof properties !== 'object') return err;
    const error = err instanceof Error ? err : new Error(typeof err === 'string' ? err : String(err));
    Object.defineProperty(error, EXCEPTION_PROPERTIES, { value: properties, configurable: true });
    return error;
  };
  const wrapped = (input: unknown, context: ActivityContext): unknown => {
    if (!definition.exceptionPropertiesProvider) return handler(input, context);
    try {
      const result = handler(input, context);
      return result instanceof Promise
        ? result.catch((err: unknown) => {
            throw attach(err);
          })
        : result;
    } catch (err) {
      throw attach(err);
    }
  };
  return wrapped as H;
}

function handlerOf<H>(name: string, kind: string, value: HandlerOrOptions<H>): H {
  const handler = typeof value === 'function' ? value : (value as { handler?: H } | undefined)?.handler;
  if (typeof handler !== 'function') {
    throw new TaskhubError('INVALID_ARGUMENT', `df.app.${kind}('${name}', …) needs a handler function.`);
  }
  return handler;
}

type ClientHandler<T> = (triggerInput: T, client: DurableHttpClient, context: InvocationContext) => unknown;

function withClientInput(extraInputs: readonly FunctionInput[] | undefined): FunctionInput[] {
  const inputs = [...(extraInputs ?? [])];
  if (!inputs.some(isDurableClientInput)) {
    inputs.push(input.durableClient());
  }
  return inputs;
}

export const app = {
  /**
   * Registers an orchestrator: a generator (`function*`) or an async function; an `async function*` is refused with
   * what to write instead. A Taskhub extension: `{ version: '2.0', handler }` registers the code of one version,
   * beside the other versions of the same name; each instance runs on the code of the version it was created with.
   * The callable returned starts sub-orchestrations of that version.
   */
  orchestration(name: string, handlerOrOptions: HandlerOrOptions<AnyOrchestrationHandler>) {
    const handler = handlerOf(name, 'orchestration', handlerOrOptions);
    checkOrchestrator(handler, `df.app.orchestration('${name}', …)`, name);
    const version = typeof handlerOrOptions === 'function' ? undefined : handlerOrOptions.version;
    if (version !== undefined && typeof version !== 'string') {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        `df.app.orchestration('${name}', { version, handler }) needs version to be a string (e.g. '2.0'), not ` +
          `${JSON.stringify(version)}.`,
      );
    }
    currentApp().registry.registerOrchestration(name, handler, version);
    return orchestrationCallable(name, version);
  },
  activity<TInput = unknown>(name: string, options: { handler: ActivityHandler<TInput> } & Record<string, unknown>) {
    const handler: ActivityHandler = handlerOf<ActivityHandler<TInput>>(name, 'activity', options);
    const definition = currentApp();
    const declared = options as { extraInputs?: FunctionInput[]; extraOutputs?: FunctionOutput[] };
    const bindings = { name, extraInputs: declared.extraInputs ?? [], extraOutputs: declared.extraOutputs ?? [] };
    recordStorageBindings(definition, [...bindings.extraInputs, ...bindings.extraOutputs]);
    definition.registry.registerActivity(
      name,
      activityWithStorageBindings(bindings, () => definition.root, withHooks(definition, handler)),
    );
    return activityCallable(name);
  },
  entity<TState = unknown>(name: string, handlerOrOptions: HandlerOrOptions<EntityHandler<TState>>): void {
    currentApp().registry.registerEntity(name, handlerOf(name, 'entity', handlerOrOptions));
  },
  /** durable-functions 3.5: one provider per app (a later call replaces it, undefined removes it). */
  setExceptionPropertiesProvider(provider: ExceptionPropertiesProvider | undefined): void {
    if (provider !== undefined && typeof provider?.getExceptionProperties !== 'function') {
      throw new TypeError(
        'setExceptionPropertiesProvider expects an object with a getExceptionProperties(error) method.',
      );
    }
    currentApp().exceptionPropertiesProvider = provider;
  },
  wrapActivityHandler<H extends ActivityHandler>(handler: H): H {
    return wrapActivityHandler(handler);
  },
  client: {
    http(name: string, options: Omit<HttpFunctionOptions, 'handler'> & { handler: ClientHandler<HttpRequest> }): void {
      const { handler, ...rest } = options;
      const wrapped: HttpHandler = (request, context) => handler(request, getClient(context), context);
      azureApp.http(name, { ...rest, extraInputs: withClientInput(rest.extraInputs), handler: wrapped });
    },
    generic(
      name: string,
      options: { trigger: FunctionTrigger; handler: ClientHandler<unknown> } & Record<string, unknown>,
    ) {
      const type = String(options.trigger?.type);
      if (type === 'httpTrigger') {
        app.client.http(name, { ...(options.trigger as object), handler: options.handler });
        return;
      }
      if (!isServedTriggerType(type)) {
        recordUnserved(name, type);
        return;
      }
      const { handler, extraInputs, ...rest } = options as typeof options & { extraInputs?: FunctionInput[] };
      azureApp.generic(name, {
        ...rest,
        trigger: options.trigger,
        extraInputs: withClientInput(extraInputs),
        handler: (triggerInput: unknown, context: InvocationContext) =>
          handler(triggerInput, getClient(context), context),
      });
    },
    timer: clientVia(azureTrigger.timer),
    storageBlob: clientVia(azureTrigger.storageBlob),
    storageQueue: clientVia(azureTrigger.storageQueue),
    serviceBusQueue: clientVia(azureTrigger.serviceBusQueue),
    serviceBusTopic: clientVia(azureTrigger.serviceBusTopic),
    eventHub: clientVia(azureTrigger.eventHub),
    eventGrid: clientVia(azureTrigger.eventGrid),
    cosmosDB: clientVia(azureTrigger.cosmosDB),
  },
};

/**
 * `df.app.client.timer(name, { schedule, handler })` and its kin: the trigger built from the options beside the
 * handler, as `app.timer` builds it. Served when a Taskhub trigger service serves the type; else listed, not served.
 */
function clientVia(makeTrigger: (options: BindingOptions) => FunctionTrigger) {
  return (functionName: string, options: { handler: ClientHandler<unknown> } & Record<string, unknown>): void => {
    const { handler, return: ret, extraInputs, extraOutputs, retry, ...triggerOptions } = options;
    app.client.generic(functionName, {
      trigger: makeTrigger(triggerOptions),
      handler,
      ...(ret === undefined ? {} : { return: ret }),
      ...(extraInputs === undefined ? {} : { extraInputs }),
      ...(extraOutputs === undefined ? {} : { extraOutputs }),
      ...(retry === undefined ? {} : { retry }),
    });
  };
}

/** 2.x classic wrappers: `module.exports = df.orchestrator(function* (context) { … })`, `df.entity(fn)`. */
export { orchestrator, entity };
/** durable-functions 3.x unit-test contexts. */
export { DummyEntityContext, DummyOrchestrationContext };

const durableFunctions = {
  app,
  trigger,
  input,
  getClient,
  orchestrator,
  entity,
  RetryOptions,
  EntityId,
  ManagedIdentityTokenSource,
  DurableLock,
  LockState,
  LockingRulesViolationError,
  EntityStateResponse,
  OrchestrationRuntimeStatus,
  DummyOrchestrationContext,
  DummyEntityContext,
  TaskFailedError,
};
export default durableFunctions;
