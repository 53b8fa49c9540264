// Serves the app's own HTTP functions: route templates under the route prefix, methods, auth levels, a fetch-style
// HttpRequest and an InvocationContext whose durable client inputs carry this hub's client. When the app defines no
// starter, POST {prefix}/orchestrators/{functionName}[/{instanceId}] starts orchestrations, as in Durable Functions.
import type { Context } from 'hono';
import { randomUUID } from 'node:crypto';
import type { AppDefinition, HttpFunctionDefinition } from '../app/app-definition.js';
import { createDurableClientBinding, isDurableClientInput } from '../app/durable-http-client.js';
import { HttpRequest, HttpResponse, type Cookie, type HttpResponseInit } from '../app/http-types.js';
import { invokeWithHooks, type FunctionHandler } from '../app/azure/hooks.js';
import { invokeWithStorageBindings } from '../app/bindings/invoke.js';
import { InvocationContext } from '../app/invocation-context.js';
import { isTaskhubError } from '../core/errors.js';
import { logExecuted, logExecuting } from '../log.js';
import { storeFailureKind } from '../store/store-failure.js';
import { checkKey, refuseWrites } from './auth.js';
import { HttpError, methodNotAllowed } from './errors.js';
import { urlOptionsFor, type HostContext } from './host-context.js';
import { startFromRequest } from './management-api.js';
import { readBody } from './request-body.js';
import { compileRoute, matchRoute, type CompiledRoute } from './routes.js';
import { withRequestTrace } from '../telemetry/trace-context.js';

interface ServedFunction {
  readonly definition: HttpFunctionDefinition;
  readonly route: CompiledRoute;
}

export interface UserFunctionRouter {
  /** Answers the request, or returns undefined when no function (nor the built-in starter) owns its path. */
  handle(c: Context): Promise<Response | undefined>;
}

export function userFunctionRouter(host: HostContext, app: AppDefinition): UserFunctionRouter {
  const served: ServedFunction[] = app.httpFunctions
    .map((definition) => ({ definition, route: compileRoute(app.routePrefix, definition.route) }))
    .sort((a, b) => b.route.specificity - a.route.specificity);
  const starter = compileRoute(app.routePrefix, 'orchestrators/{functionName}/{instanceId?}');
  // One warning per undelivered output binding for as long as this router serves the app.
  const warnedOutputs = new Set<string>();

  return {
    async handle(c) {
      const pathname = new URL(c.req.url).pathname;
      const matches = served
        .map((fn) => ({ fn, params: matchRoute(fn.route, pathname) }))
        .filter((m): m is { fn: ServedFunction; params: Record<string, string> } => m.params !== undefined);
      if (matches.length > 0) {
        const method = c.req.method.toUpperCase();
        const chosen = matches.find(({ fn }) => allows(fn.definition, method));
        if (!chosen) {
          // Only a caller with the key learns which methods a keyed function takes.
          if (matches.some(({ fn }) => fn.definition.authLevel !== 'anonymous')) checkKey(c.req.raw, host.keys);
          throw methodNotAllowed(method, [...new Set(matches.flatMap(({ fn }) => fn.definition.methods))]);
        }
        return invoke(c, host, app, chosen.fn.definition, chosen.params, warnedOutputs);
      }
      const params = matchRoute(starter, pathname);
      if (params?.functionName === undefined) return undefined;
      // The starter creates instances as the management API's start route does, so it obeys the same rules.
      checkKey(c.req.raw, host.keys);
      if (host.readOnly) refuseWrites(c.req.raw);
      if (c.req.method !== 'POST') throw methodNotAllowed(c.req.method, ['POST']);
      return startFromRequest(c, host, params.functionName, params.instanceId);
    },
  };
}

function allows(definition: HttpFunctionDefinition, method: string): boolean {
  return definition.methods.length === 0 || definition.methods.includes(method);
}

async function invoke(
  c: Context,
  host: HostContext,
  app: AppDefinition,
  definition: HttpFunctionDefinition,
  params: Record<string, string>,
  warnedOutputs: Set<string>,
): Promise<Response> {
  if (definition.authLevel !== 'anonymous') checkKey(c.req.raw, host.keys);
  const raw = c.req.raw;
  const bytes = await readBody(raw, host.maxBodyBytes);
  const request = new HttpRequest({
    method: raw.method,
    url: raw.url,
    headers: raw.headers,
    params,
    body: bytes.byteLength > 0 ? { bytes } : undefined,
  });

  const inputValues: Record<string, unknown> = {};
  for (const input of definition.extraInputs) {
    if (isDurableClientInput(input)) {
      inputValues[input.name] = createDurableClientBinding(host.hub.client, urlOptionsFor(host, raw));
    }
  }
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: definition.name,
    logger: host.logger,
    triggerMetadata: {
      ...params,
      query: Object.fromEntries(request.query),
      headers: Object.fromEntries(request.headers),
    },
    options: {
      trigger: definition.trigger,
      extraInputs: definition.extraInputs,
      extraOutputs: definition.extraOutputs ?? [],
    },
    inputValues,
    warnedOutputs,
  });

  const invocation = { functionName: definition.name, id: context.invocationId };
  const startedAt = performance.now();
  logExecuting(host.logger, invocation, () => `${raw.method} ${new URL(raw.url).pathname}`);
  let result: unknown;
  try {
    // preInvocation / postInvocation hooks run around the handler, as the Functions host runs them.
    // Blob inputs are read before the hooks and the handler, blob and queue outputs delivered after them.
    // Under the caller's traceparent: an orchestration the function starts joins the caller's trace.
    result = await withRequestTrace(raw.headers, () =>
      invokeWithStorageBindings(definition, context, httpBindingData(params, request, bytes), app.root, () =>
        invokeWithHooks(app, context, definition.handler as FunctionHandler, [request]),
      ),
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logExecuted(host.logger, invocation, performance.now() - startedAt, { err, message });
    // Request errors (the HTTP layer's, or the durable client's: unknown orchestrator, duplicate id …) keep their
    // status codes, a store outage is a 503 or 507; any other failure of the function is a 500, as on Azure.
    if (err instanceof HttpError || isTaskhubError(err) || storeFailureKind(err)) throw err;
    return c.json(
      {
        Message: `The function '${definition.name}' failed: ${err instanceof Error ? err.message : String(err)}`,
        code: 'FUNCTION_FAILED',
      },
      500,
    );
  }
  logExecuted(host.logger, invocation, performance.now() - startedAt);
  return toResponse(result);
}

/** What `{name}` in a blob path or queue name of an HTTP function reads: route params, `query.x`, JSON body fields. */
function httpBindingData(
  params: Record<string, string>,
  request: HttpRequest,
  bytes: Uint8Array,
): Record<string, unknown> {
  let body: unknown;
  if (bytes.byteLength > 0 && (bytes[0] === 0x7b || bytes[0] === 0x20 || bytes[0] === 0x0a)) {
    try {
      body = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      // Not JSON: no body fields.
    }
  }
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  return { ...fields, ...params, query: Object.fromEntries(request.query) };
}

/** A handler may return an HttpResponse, a plain `{ status, jsonBody, body, headers, cookies }`, or nothing. */
export function toResponse(result: unknown): Response {
  let response: HttpResponse;
  if (result instanceof HttpResponse) response = result;
  else if (result === undefined || result === null) response = new HttpResponse({ status: 200 });
  else if (typeof result === 'object') response = new HttpResponse(plainInit(result));
  else response = new HttpResponse({ status: 200, body: typeof result === 'string' ? result : JSON.stringify(result) });
  const out = response.toResponse();
  for (const cookie of response.cookies) out.headers.append('Set-Cookie', serializeCookie(cookie));
  return out;
}

/** Azure also accepts a plain object as `body`; it is sent as JSON. */
function plainInit(init: HttpResponseInit): HttpResponseInit {
  const body: unknown = init.body;
  const isPlainObject =
    typeof body === 'object' &&
    body !== null &&
    (Object.getPrototypeOf(body) === Object.prototype || Array.isArray(body));
  return isPlainObject && init.jsonBody === undefined ? { ...init, body: undefined, jsonBody: body } : init;
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}
