// `app.*` of @azure/functions 4.x. HTTP functions are served by the host; a function whose trigger Taskhub cannot
// serve (timer, queue, Cosmos DB, MCP …) is recorded in the app's `unservedFunctions`, so the app loads, serves the
// rest, and `taskhub start` lists what it leaves out.
import { resolveSettingExpressions } from '../settings.js';
import { TaskhubError } from '../../core/errors.js';
import { currentApp, type AuthLevel, type HttpHandler } from '../app-definition.js';
import type { FunctionInput, FunctionOutput, FunctionTrigger } from '../invocation-context.js';
import { output, trigger, type BindingOptions } from './bindings.js';
import { hook } from './hooks.js';
import { isServedTriggerType } from '../triggers/services.js';
import type { TriggerHandler } from '../triggers/trigger-function.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'PATCH' | 'PUT' | 'OPTIONS' | 'TRACE' | 'CONNECT';

/** What every registration takes besides its trigger's own options. */
export interface FunctionOptions {
  // Handlers of other triggers take other inputs; Taskhub only calls the HTTP ones.
  readonly handler: HttpHandler | ((...args: never[]) => unknown);
  readonly trigger?: FunctionTrigger;
  readonly return?: FunctionOutput;
  readonly extraInputs?: readonly FunctionInput[];
  readonly extraOutputs?: readonly FunctionOutput[];
  readonly retry?: unknown;
}

export interface HttpFunctionOptions extends FunctionOptions {
  readonly handler: HttpHandler;
  readonly methods?: readonly HttpMethod[] | readonly string[];
  readonly authLevel?: AuthLevel;
  readonly route?: string;
}
export type HttpMethodFunctionOptions = Omit<HttpFunctionOptions, 'methods'>;

/** `app.timer`, `app.storageQueue` …: the trigger's options sit beside the handler, as in Azure. */
export type TriggerFunctionOptions = FunctionOptions & BindingOptions;

export interface GenericFunctionOptions extends FunctionOptions {
  readonly trigger: FunctionTrigger;
}

/** Records a function Taskhub will not serve; `taskhub start` lists it with its trigger type. */
export function recordUnserved(name: string, triggerType: string): void {
  currentApp().unservedFunctions.push({ name, trigger: triggerType });
}

/** Splits a registration into its generic form: the trigger built from the options that are not common ones. */
function toGeneric(
  options: TriggerFunctionOptions,
  makeTrigger: (triggerOptions: BindingOptions) => FunctionTrigger,
): GenericFunctionOptions {
  const { handler, return: ret, trigger: given, extraInputs, extraOutputs, retry, ...triggerOptions } = options;
  return { trigger: given ?? makeTrigger(triggerOptions), return: ret, retry, extraInputs, extraOutputs, handler };
}

function generic(name: string, options: GenericFunctionOptions): void {
  const type = String(options?.trigger?.type);
  if (type !== 'httpTrigger' && isServedTriggerType(type)) {
    registerTriggered(name, type, options);
    return;
  }
  if (type !== 'httpTrigger') {
    recordUnserved(name, type);
    return;
  }
  if (typeof options.handler !== 'function') {
    throw new TaskhubError('INVALID_ARGUMENT', `app.http('${name}', …) needs a handler function.`);
  }
  // `%NAME%` in the trigger's options names an app setting, as in function.json; a missing one puts the function in
  // error, as the Functions host does, and the rest of the app is served.
  let resolved: FunctionTrigger;
  try {
    resolved = resolveSettingExpressions(options.trigger, `function '${name}'`);
  } catch (err) {
    currentApp().unservedFunctions.push({ name, trigger: type, reason: (err as Error).message });
    return;
  }
  const t = resolved as { methods?: readonly string[]; authLevel?: AuthLevel; route?: string };
  const methods = (t.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase());
  currentApp().addHttpFunction({
    name,
    methods,
    authLevel: t.authLevel ?? 'anonymous',
    route: t.route ?? name,
    trigger: resolved,
    extraInputs: options.extraInputs ?? [],
    extraOutputs: options.extraOutputs ?? [],
    handler: options.handler as HttpHandler,
  });
}

/** A function on a trigger one of Taskhub's trigger services serves (timer, storage queue, blob …). */
function registerTriggered(name: string, type: string, options: GenericFunctionOptions): void {
  if (typeof options.handler !== 'function') {
    throw new TaskhubError('INVALID_ARGUMENT', `The ${type} function '${name}' needs a handler function.`);
  }
  const definition = currentApp();
  // As for HTTP functions: a missing setting puts this function in error, and the rest of the app is served.
  let resolved: FunctionTrigger;
  try {
    resolved = resolveSettingExpressions(options.trigger, `function '${name}'`);
  } catch (err) {
    definition.unservedFunctions.push({ name, trigger: type, reason: (err as Error).message });
    return;
  }
  definition.addTriggerFunction({
    name,
    trigger: resolved,
    extraInputs: options.extraInputs ?? [],
    extraOutputs: options.extraOutputs ?? [],
    ...(options.return ? { return: options.return } : {}),
    handler: options.handler as TriggerHandler,
    model: 'code-first',
    directory: definition.root ?? process.cwd(),
  });
}

function http(name: string, options: HttpFunctionOptions): void {
  generic(name, toGeneric({ ...options, return: options.return ?? output.http({}) }, trigger.http));
}

function methodShortcut(method: HttpMethod) {
  return (name: string, handlerOrOptions: HttpHandler | HttpMethodFunctionOptions): void => {
    const options = typeof handlerOrOptions === 'function' ? { handler: handlerOrOptions } : handlerOrOptions;
    http(name, { ...options, methods: [method] });
  };
}

function via(makeTrigger: (options: BindingOptions) => FunctionTrigger) {
  return (name: string, options: TriggerFunctionOptions): void => generic(name, toGeneric(options, makeTrigger));
}

export const app = {
  http,
  get: methodShortcut('GET'),
  put: methodShortcut('PUT'),
  post: methodShortcut('POST'),
  patch: methodShortcut('PATCH'),
  deleteRequest: methodShortcut('DELETE'),
  generic,
  timer: via(trigger.timer),
  storageBlob: via(trigger.storageBlob),
  storageQueue: via(trigger.storageQueue),
  serviceBusQueue: via(trigger.serviceBusQueue),
  serviceBusTopic: via(trigger.serviceBusTopic),
  eventHub: via(trigger.eventHub),
  eventGrid: via(trigger.eventGrid),
  connectorTrigger: via(trigger.connectorTrigger),
  cosmosDB: via(trigger.cosmosDB),
  warmup: via(trigger.warmup),
  sql: via(trigger.sql),
  mySql: via(trigger.mySql),
  webPubSub: via(trigger.webPubSub),
  mcpTool: via(trigger.mcpTool),
  mcpResource: via(trigger.mcpResource),
  mcpPrompt: via(trigger.mcpPrompt),
  /** Options such as `enableHttpStream` change nothing here: bodies are buffered with a size limit. */
  setup(_options: Record<string, unknown>): void {},
  hook,
};
