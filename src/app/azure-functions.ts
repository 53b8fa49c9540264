// What `import { app, HttpRequest, HttpResponse, InvocationContext } from '@azure/functions'` gives an app run by
// Taskhub: HTTP functions are served by the host; triggers Taskhub cannot serve fail at load, naming the trigger and
// the function, so an app never half-runs.
import { TaskhubError } from '../core/errors.js';
import { currentApp, type AuthLevel, type HttpHandler } from './app-definition.js';
import { HttpRequest, HttpResponse } from './http-types.js';
import {
  InvocationContext,
  type FunctionInput,
  type FunctionOutput,
  type FunctionTrigger,
} from './invocation-context.js';

export { HttpRequest, HttpResponse, InvocationContext };
export type { HttpRequestInit, HttpResponseInit, Cookie, HttpRequestUser } from './http-types.js';
export type { FunctionInput, FunctionOutput, FunctionTrigger } from './invocation-context.js';
export type { AuthLevel, HttpHandler } from './app-definition.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'PATCH' | 'PUT' | 'OPTIONS' | 'TRACE' | 'CONNECT';
export type HttpMethodFunctionOptions = Omit<HttpFunctionOptions, 'methods'>;

export interface HttpFunctionOptions {
  readonly handler: HttpHandler;
  readonly methods?: readonly HttpMethod[] | readonly string[];
  readonly authLevel?: AuthLevel;
  readonly route?: string;
  readonly extraInputs?: readonly FunctionInput[];
  readonly extraOutputs?: readonly FunctionOutput[];
  readonly trigger?: FunctionTrigger;
  readonly return?: FunctionOutput;
}

export const SUPPORTED_TRIGGERS = 'httpTrigger, orchestrationTrigger, activityTrigger and entityTrigger';

/** The load-time error for a trigger Taskhub cannot serve. */
export function unsupportedTrigger(trigger: string, functionName: string): TaskhubError {
  return new TaskhubError(
    'NOT_SUPPORTED',
    `The function '${functionName}' uses a ${trigger} trigger, which Taskhub does not support ` +
      `(it serves ${SUPPORTED_TRIGGERS}). Remove the function or run it on Azure Functions.`,
  );
}

let inputCounter = 0;
function withName<T extends { type: string; name?: string }>(binding: T): T & { name: string } {
  return { ...binding, name: binding.name ?? `${binding.type}Input${++inputCounter}` };
}

function http(name: string, options: HttpFunctionOptions): void {
  if (typeof options?.handler !== 'function') {
    throw new TaskhubError('INVALID_ARGUMENT', `app.http('${name}', …) needs a handler function.`);
  }
  const methods = (options.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase());
  const authLevel = options.authLevel ?? 'anonymous';
  const route = options.route ?? name;
  currentApp().addHttpFunction({
    name,
    methods,
    authLevel,
    route,
    trigger: options.trigger ?? { type: 'httpTrigger', name: 'request', methods, authLevel, route },
    extraInputs: (options.extraInputs ?? []).map((input) => withName(input)),
    handler: options.handler,
  });
}

function methodShortcut(method: HttpMethod) {
  return (name: string, handlerOrOptions: HttpHandler | HttpMethodFunctionOptions): void => {
    const options = typeof handlerOrOptions === 'function' ? { handler: handlerOrOptions } : handlerOrOptions;
    http(name, { ...options, methods: [method] });
  };
}

function unsupported(trigger: string) {
  return (name: string): never => {
    throw unsupportedTrigger(trigger, name);
  };
}

function generic(
  name: string,
  options: { trigger: FunctionTrigger; handler: HttpHandler } & Record<string, unknown>,
): void {
  if (options.trigger?.type === 'httpTrigger') {
    const t = options.trigger as { methods?: string[]; authLevel?: AuthLevel; route?: string };
    http(name, { ...options, methods: t.methods, authLevel: t.authLevel, route: t.route });
    return;
  }
  throw unsupportedTrigger(String(options.trigger?.type), name);
}

export const app = {
  http,
  get: methodShortcut('GET'),
  post: methodShortcut('POST'),
  put: methodShortcut('PUT'),
  patch: methodShortcut('PATCH'),
  deleteRequest: methodShortcut('DELETE'),
  generic,
  timer: unsupported('timer'),
  storageBlob: unsupported('storageBlob'),
  storageQueue: unsupported('storageQueue'),
  serviceBusQueue: unsupported('serviceBusQueue'),
  serviceBusTopic: unsupported('serviceBusTopic'),
  eventHub: unsupported('eventHub'),
  eventGrid: unsupported('eventGrid'),
  cosmosDB: unsupported('cosmosDB'),
  warmup: unsupported('warmup'),
  sql: unsupported('sql'),
  mySql: unsupported('mySql'),
  webPubSub: unsupported('webPubSub'),
  /** Options such as `enableHttpStream` change nothing here: bodies are buffered with a size limit. */
  setup(_options: Record<string, unknown>): void {},
  hook: {
    appStart: (_handler: unknown): void => {},
    appTerminate: (_handler: unknown): void => {},
    preInvocation: (_handler: unknown): void => {},
    postInvocation: (_handler: unknown): void => {},
  },
};

export const input = {
  generic: (options: { type: string; name?: string } & Record<string, unknown>): FunctionInput => withName(options),
};
export const output = {
  generic: (options: { type: string; name?: string } & Record<string, unknown>): FunctionOutput => withName(options),
  http: (options: Record<string, unknown> = {}): FunctionOutput => withName({ ...options, type: 'http' }),
};
export const trigger = {
  generic: (options: { type: string; name?: string } & Record<string, unknown>): FunctionTrigger => withName(options),
  http: (options: Record<string, unknown> = {}): FunctionTrigger => withName({ ...options, type: 'httpTrigger' }),
};

const azureFunctions = { app, input, output, trigger, HttpRequest, HttpResponse, InvocationContext };
export default azureFunctions;
