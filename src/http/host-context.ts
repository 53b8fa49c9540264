// What every HTTP handler of one host shares: the task hub, limits, keys, the logger; and the answers several routes
// give alike (the check-status response, the wait-for-completion variant).
import type { Context } from 'hono';
import type { DurableOrchestrationStatus } from '../client/types.js';
import { toStatusJson } from '../client/status-view.js';
import { isTaskhubError } from '../core/errors.js';
import type { TaskHub } from '../hub-types.js';
import type { Logger } from '../log.js';
import type { StartAdmission } from './start-admission.js';
import { managementPayload, type ManagementUrlOptions } from '../app/management-urls.js';
import { presentedKey } from './auth.js';
import { HttpError } from './errors.js';
import { parseJsonBody, readBody } from './request-body.js';

export interface HostContext {
  readonly hub: TaskHub;
  readonly maxBodyBytes: number;
  /** Accepted keys; empty when the host is bound to loopback. */
  readonly keys: readonly string[];
  /** --read-only: every mutating request of the management API, the dashboard API and the starter gets 403. */
  readonly readOnly: boolean;
  /** Base of the URLs handed out (no trailing slash), when configured; else they follow the request. */
  readonly publicUrl?: string;
  readonly logger: Logger;
  /** host.json's maxDeliveryCount of the app served, when set: doctor's delivery threshold by default. */
  readonly maxDeliveryCount?: number;
  /** Paces starts to what the workers take (`taskhub start`); absent, starts are never held. */
  readonly startAdmission?: StartAdmission;
}

/**
 * URLs handed out for a request: at the configured public URL, else at the origin the caller used; carrying the key
 * the caller presented, and only that one.
 */
export function urlOptionsFor(host: HostContext, request: Request): ManagementUrlOptions {
  return {
    origin: host.publicUrl ?? new URL(request.url).origin,
    originIsPublic: host.publicUrl !== undefined,
    taskHubName: host.hub.name,
    code: presentedKey(request, host.keys),
  };
}

/** The request's own URL as the caller should reach it again (a Location header pointing back at itself). */
export function selfUrlFor(host: HostContext, request: Request): string {
  if (host.publicUrl === undefined) return request.url;
  const url = new URL(request.url);
  return `${host.publicUrl}${url.pathname}${url.search}`;
}

export function checkStatusResponse(c: Context, host: HostContext, instanceId: string): Response {
  const payload = managementPayload(urlOptionsFor(host, c.req.raw), instanceId);
  return c.json(payload, 202, { Location: payload.statusQueryGetUri, 'Retry-After': '10' });
}

/** Reads the body as a JSON input (empty means none), enforcing the size limit. */
export async function readJsonInput(host: HostContext, request: Request, what: string): Promise<unknown> {
  return parseJsonBody(await readBody(request, host.maxBodyBytes), what);
}

/** A query parameter holding seconds, as `timeout` and `pollingInterval` do. */
export function secondsParam(c: Context, name: string): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `'${name}' must be a number of seconds, not '${raw}'.`);
  }
  return seconds;
}

/**
 * The `timeout` variant of start and restart: 200 with the output when the instance completes in time, 200 with
 * the status for Failed/Terminated/Canceled, else the usual 202 check-status response.
 */
export async function waitOrCheckStatus(
  c: Context,
  host: HostContext,
  instanceId: string,
  timeoutSeconds: number | undefined,
  pollingSeconds: number | undefined,
): Promise<Response> {
  if (timeoutSeconds === undefined) return checkStatusResponse(c, host, instanceId);
  let status: DurableOrchestrationStatus;
  try {
    status = await host.hub.client.waitForCompletion(instanceId, {
      timeoutInMilliseconds: timeoutSeconds * 1000,
      retryIntervalInMilliseconds: Math.max(10, (pollingSeconds ?? 1) * 1000),
    });
  } catch (err) {
    if (isTaskhubError(err, 'TIMEOUT')) return checkStatusResponse(c, host, instanceId);
    throw err;
  }
  if (status.runtimeStatus === 'Completed') return c.json(status.output ?? null, 200);
  return c.json(toStatusJson(status), 200);
}
