// The built-in activity behind callHttp ('BuiltIn::HttpActivity'): one HTTP request with global fetch. Any answer,
// 4xx and 5xx included, is the result (the orchestrator decides); only a request that gets no answer fails the task.
import type { ActivityHandler, DurableHttpRequest, DurableHttpResponse } from '../core/context.js';
import { HTTP_ACTIVITY_NAME } from '../core/http-task.js';
import type { FunctionRegistry, Registered } from '../core/registry.js';

const BODYLESS = new Set(['GET', 'HEAD']);

export async function httpActivity(input: unknown): Promise<DurableHttpResponse> {
  const request = input as DurableHttpRequest;
  if (request.tokenSource) {
    // Azure's host fetches the token from the app's managed identity; outside Azure there is none to ask.
    throw new Error(
      `callHttp to ${request.uri} asks for a managed identity token (ManagedIdentityTokenSource for ` +
        `'${request.tokenSource.resource}'), which Taskhub cannot obtain: no Azure managed identity is available ` +
        'here. Send an Authorization header you obtain in an activity instead.',
    );
  }
  const method = request.method.toUpperCase();
  const response = await fetch(request.uri, {
    method,
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.content !== undefined && !BODYLESS.has(method) ? { body: request.content } : {}),
    // A 3xx is an answer for the orchestrator to see, as in Durable Functions.
    redirect: 'manual',
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { statusCode: response.status, headers, content: await response.text() };
}

const BUILT_IN: Registered<ActivityHandler> = { name: HTTP_ACTIVITY_NAME, handler: httpActivity };

/**
 * The app's activities plus the built-in HTTP activity, without adding it to the app's registry (which listings
 * show); an app's own activity of the same name wins.
 */
export function withBuiltInActivities(registry: FunctionRegistry): Pick<FunctionRegistry, 'getActivity'> {
  return {
    getActivity: (name) =>
      registry.getActivity(name) ?? (name.toLowerCase() === HTTP_ACTIVITY_NAME.toLowerCase() ? BUILT_IN : undefined),
  };
}
