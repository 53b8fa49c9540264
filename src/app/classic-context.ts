// The Node "v3 programming model" (function.json) context and request objects, so classic handlers
// `(context, req) => …` run unchanged: `context.bindings`, `context.res`, `context.log.*`, `context.done`.
import { HttpResponse, type HttpRequest } from './http-types.js';
import type { InvocationContext } from './invocation-context.js';

export interface FunctionJsonBinding {
  readonly type: string;
  readonly name: string;
  readonly direction?: 'in' | 'out' | 'inout';
  readonly [key: string]: unknown;
}

type ClassicLog = ((...args: unknown[]) => void) &
  Record<'error' | 'warn' | 'info' | 'verbose', (...args: unknown[]) => void>;

export interface ClassicContext {
  readonly invocationId: string;
  readonly executionContext: { invocationId: string; functionName: string; functionDirectory: string };
  readonly bindings: Record<string, unknown>;
  readonly bindingData: Record<string, unknown>;
  readonly bindingDefinitions: readonly FunctionJsonBinding[];
  readonly log: ClassicLog;
  req?: unknown;
  res?: unknown;
  done(err?: unknown, result?: unknown): void;
}

/** What a classic context needs from its invocation (an InvocationContext or an activity's context). */
export type InvocationLike = Pick<
  InvocationContext,
  'invocationId' | 'functionName' | 'info' | 'warn' | 'error' | 'debug'
>;

function classicLog(invocation: InvocationLike): ClassicLog {
  const log = ((...args: unknown[]) => invocation.info(...args)) as ClassicLog;
  log.error = (...args) => invocation.error(...args);
  log.warn = (...args) => invocation.warn(...args);
  log.info = (...args) => invocation.info(...args);
  log.verbose = (...args) => invocation.debug(...args);
  return log;
}

/**
 * Runs a classic handler. It may return a value (or a promise) or call `context.done(err, result)`; whichever comes
 * first decides, as in the v3 model.
 */
export async function invokeClassic(
  handler: (...args: unknown[]) => unknown,
  context: ClassicContext,
  args: readonly unknown[],
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: unknown, result: unknown): void => {
      if (settled) return;
      settled = true;
      if (err) reject(err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err)));
      else resolve(result);
    };
    context.done = (err?: unknown, result?: unknown) => settle(err, result);
    try {
      const returned = handler(context, ...args);
      if (returned instanceof Promise) {
        returned.then(
          (value: unknown) => settle(undefined, value),
          (err: unknown) => settle(err ?? 'error', undefined),
        );
      } else if (returned !== undefined) {
        settle(undefined, returned);
      }
      // A synchronous handler that returned nothing finishes by calling context.done, as the v3 model requires.
    } catch (err) {
      settle(err, undefined);
    }
  });
}

export function createClassicContext(
  invocation: InvocationLike,
  functionDirectory: string,
  bindings: readonly FunctionJsonBinding[],
  values: Record<string, unknown>,
  bindingData: Record<string, unknown> = {},
): ClassicContext {
  return {
    invocationId: invocation.invocationId,
    executionContext: {
      invocationId: invocation.invocationId,
      functionName: invocation.functionName,
      functionDirectory,
    },
    bindings: { ...values },
    bindingData: { invocationId: invocation.invocationId, ...bindingData },
    bindingDefinitions: bindings,
    log: classicLog(invocation),
    done: () => undefined,
  };
}

/** The v3 `req` object: plain headers and query, `body` parsed when it is JSON, `rawBody` as text. */
export async function classicRequest(request: HttpRequest): Promise<Record<string, unknown>> {
  const rawBody = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
  let body: unknown = rawBody === '' ? undefined : rawBody;
  if (rawBody !== '') {
    try {
      body = JSON.parse(rawBody);
    } catch {
      // Not JSON: v3 hands the text through as the body.
    }
  }
  return {
    method: request.method,
    url: request.url,
    originalUrl: request.url,
    headers: Object.fromEntries(request.headers),
    query: Object.fromEntries(request.query),
    params: { ...request.params },
    body,
    rawBody,
    get: (name: string) => request.headers.get(name) ?? undefined,
  };
}

interface ClassicResponse {
  status?: number | string;
  statusCode?: number | string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** v3 `context.res`: an object body becomes JSON, a string stays text; the default status is 200. */
export function fromClassicResponse(res: unknown): HttpResponse {
  if (res instanceof HttpResponse) return res;
  if (res === undefined || res === null) return new HttpResponse({ status: 204 });
  if (typeof res === 'string') return new HttpResponse({ status: 200, body: res });
  if (typeof res !== 'object') return new HttpResponse({ status: 200, body: JSON.stringify(res) });
  const { status, statusCode, body, headers } = res as ClassicResponse;
  const code = Number(status ?? statusCode ?? 200);
  if (body === undefined || body === null) return new HttpResponse({ status: code, headers });
  if (typeof body === 'string' || body instanceof Uint8Array) {
    return new HttpResponse({ status: code, body: body as string, headers });
  }
  return new HttpResponse({ status: code, jsonBody: body, headers });
}
