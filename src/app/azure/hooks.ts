// `app.hook.*` of @azure/functions 4.x: app start and terminate hooks, and hooks around every invocation, with the
// context classes the real library passes them. Hooks register into the app being loaded; the host runs them
// (`startApp` after load, `terminateApp` on drain, `invokeWithHooks` around each function invocation).
import { currentApp, type AppDefinition } from '../app-definition.js';
import type { AppHooks } from './app-hooks.js';
import { InvocationContext } from '../invocation-context.js';

/** A function as the host calls it: trigger input(s), then the context. */
export type FunctionHandler = (...args: unknown[]) => unknown;

class ReadOnlyError extends TypeError {
  constructor(property: string) {
    super(`Cannot assign to read only property '${property}'`);
  }
}

export interface HookContextInit {
  hookData?: Record<string, unknown>;
}

/** What every hook receives: `hookData` is shared by the hooks of one app (start, terminate) or one invocation. */
export class HookContext {
  readonly #hookData: Record<string, unknown>;
  constructor(init: HookContextInit = {}) {
    this.#hookData = init.hookData ?? {};
  }
  get hookData(): Record<string, unknown> {
    return this.#hookData;
  }
  set hookData(_value: Record<string, unknown>) {
    throw new ReadOnlyError('hookData');
  }
}

export class AppStartContext extends HookContext {}
export class AppTerminateContext extends HookContext {}

export interface InvocationHookContextInit extends HookContextInit {
  invocationContext?: InvocationContext;
  inputs?: unknown[];
}

export class InvocationHookContext extends HookContext {
  readonly #invocationContext: InvocationContext;
  #inputs: unknown[];
  constructor(init: InvocationHookContextInit = {}) {
    super(init);
    this.#invocationContext = init.invocationContext ?? new InvocationContext();
    this.#inputs = init.inputs ?? [];
  }
  get invocationContext(): InvocationContext {
    return this.#invocationContext;
  }
  set invocationContext(_value: InvocationContext) {
    throw new ReadOnlyError('invocationContext');
  }
  /** The trigger input (and any other arguments before the context); a preInvocation hook may replace them. */
  get inputs(): unknown[] {
    return this.#inputs;
  }
  set inputs(value: unknown[]) {
    this.#inputs = value;
  }
}

export interface PreInvocationContextInit extends InvocationHookContextInit {
  functionCallback?: FunctionHandler;
}

export class PreInvocationContext extends InvocationHookContext {
  #functionHandler: FunctionHandler;
  constructor(init: PreInvocationContextInit = {}) {
    super(init);
    this.#functionHandler = init.functionCallback ?? ((): void => {});
  }
  /** The function about to run; a hook may replace it (to wrap it, for instance). */
  get functionHandler(): FunctionHandler {
    return this.#functionHandler;
  }
  set functionHandler(value: FunctionHandler) {
    this.#functionHandler = value;
  }
}

export interface PostInvocationContextInit extends InvocationHookContextInit {
  result?: unknown;
  error?: unknown;
}

export class PostInvocationContext extends InvocationHookContext {
  /** What the function returned; a hook may replace it. */
  result: unknown;
  /** What the function threw; a hook may replace it, or clear it to make the invocation succeed with `result`. */
  error: unknown;
  constructor(init: PostInvocationContextInit = {}) {
    super(init);
    this.result = init.result;
    this.error = init.error;
  }
}

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type LogCategory = 'user' | 'system' | 'customMetric';

export interface LogHookContextInit extends HookContextInit {
  level?: LogLevel;
  message?: string;
  category?: LogCategory;
  invocationContext?: InvocationContext;
}

export class LogHookContext extends HookContext {
  level: LogLevel;
  message: string;
  readonly category: LogCategory;
  readonly invocationContext: InvocationContext | undefined;
  constructor(init: LogHookContextInit = {}) {
    super(init);
    this.level = init.level ?? 'information';
    this.message = init.message ?? 'unknown';
    this.category = init.category ?? 'user';
    this.invocationContext = init.invocationContext;
  }
}

/** What registering a hook returns: `dispose()` removes it. */
export class Disposable {
  static from(...disposables: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const d of disposables) if (typeof d?.dispose === 'function') d.dispose();
    });
  }
  #callOnDispose: (() => unknown) | undefined;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  dispose(): unknown {
    const call = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return call?.();
  }
}

function register<K extends Exclude<keyof AppHooks, 'appHookData'>>(kind: K) {
  return (handler: AppHooks[K][number]): Disposable => {
    const list = currentApp().hooks[kind] as AppHooks[K][number][];
    list.push(handler);
    return new Disposable(() => {
      const at = list.indexOf(handler);
      if (at >= 0) list.splice(at, 1);
    });
  };
}

export const hook = {
  appStart: register('appStart'),
  appTerminate: register('appTerminate'),
  preInvocation: register('preInvocation'),
  postInvocation: register('postInvocation'),
  log: register('log'),
};

/** Runs the app's appStart hooks, in order; the host calls it once the app is loaded, before serving. */
export async function startApp(app: AppDefinition): Promise<void> {
  for (const handler of [...app.hooks.appStart]) {
    await handler(new AppStartContext({ hookData: app.hooks.appHookData }));
  }
}

/** Runs the app's appTerminate hooks, in order; the host calls it when the worker drains, before it exits. */
export async function terminateApp(app: AppDefinition): Promise<void> {
  for (const handler of [...app.hooks.appTerminate]) {
    await handler(new AppTerminateContext({ hookData: app.hooks.appHookData }));
  }
}

/**
 * Invokes a function as the Functions host does: preInvocation hooks may replace its inputs and handler, the handler
 * gets `(...inputs, context)`, postInvocation hooks see and may replace its result or error. Returns the result, or
 * throws the error that remains.
 */
export function invokeWithHooks(
  app: AppDefinition,
  context: InvocationContext,
  handler: FunctionHandler,
  inputs: unknown[],
): unknown {
  const { preInvocation, postInvocation } = app.hooks;
  // No hooks (the usual case): the handler's own result as it is, with no promise of ours around it.
  if (preInvocation.length === 0 && postInvocation.length === 0) return handler(...inputs, context);
  return invokeHooked(app, context, handler, inputs);
}

async function invokeHooked(
  app: AppDefinition,
  context: InvocationContext,
  handler: FunctionHandler,
  inputs: unknown[],
): Promise<unknown> {
  const { preInvocation, postInvocation } = app.hooks;
  const hookData: Record<string, unknown> = {};
  const pre = new PreInvocationContext({ hookData, invocationContext: context, inputs, functionCallback: handler });
  for (const run of [...preInvocation]) await run(pre);
  const post = new PostInvocationContext({ hookData, invocationContext: context, inputs: pre.inputs });
  try {
    post.result = await pre.functionHandler(...pre.inputs, context);
  } catch (err) {
    post.error = err;
  }
  for (const run of [...postInvocation]) await run(post);
  // The hook may leave any value here: it is rethrown as it is, as the Functions host does.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  if (post.error !== undefined && post.error !== null) throw post.error;
  return post.result;
}
