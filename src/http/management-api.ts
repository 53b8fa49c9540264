// Durable Functions' management API under /runtime/webhooks/durabletask (reference part D): the same routes, status
// codes, headers and JSON shapes, so tools written for Azure work against this host. Every route validates its whole
// request before it calls the client, so a rejected request writes nothing.
import { Hono, type Context } from 'hono';
import { toStatusJson } from '../client/status-view.js';
import { readWaitingFor } from '../client/waiting-for.js';
import type { OrchestrationFilter } from '../client/types.js';
import { isTaskhubError } from '../core/errors.js';
import { isTerminal, RUNTIME_STATUSES, type RuntimeStatus } from '../core/history.js';
import { checkKey, refuseWrites } from './auth.js';
import { doctorRoutes } from './doctor-api.js';
import { entityRoutes } from './entity-api.js';
import { HttpError, methodNotAllowed } from './errors.js';
import { readBody, parseJsonBody } from './request-body.js';
import { readJsonInput, secondsParam, selfUrlFor, waitOrCheckStatus, type HostContext } from './host-context.js';
import { withRequestTrace } from '../telemetry/trace-context.js';

export function bool(c: Context, name: string, fallback: boolean): boolean {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  if (/^true$/i.test(raw)) return true;
  if (/^false$/i.test(raw)) return false;
  throw new HttpError(400, 'INVALID_ARGUMENT', `'${name}' must be true or false, not '${raw}'.`);
}

export function date(c: Context, name: string): Date | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  const value = new Date(raw);
  if (Number.isNaN(value.getTime())) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `'${name}' must be an ISO 8601 time, not '${raw}'.`);
  }
  return value;
}

/** `runtimeStatus=Running,Pending` or repeated; names match case-insensitively. */
export function statuses(c: Context): RuntimeStatus[] | undefined {
  const raw = (c.req.queries('runtimeStatus') ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  if (raw.filter((v) => v !== '').length === 0) return undefined;
  return raw
    .filter((v) => v !== '')
    .map((value) => {
      const found = RUNTIME_STATUSES.find((s) => s.toLowerCase() === value.toLowerCase());
      if (!found) {
        throw new HttpError(
          400,
          'INVALID_ARGUMENT',
          `Unknown runtimeStatus '${value}'; use one of ${RUNTIME_STATUSES.join(', ')}.`,
        );
      }
      return found;
    });
}

export function param(c: Context, name: string): string {
  const value = c.req.param(name);
  if (value === undefined) throw new HttpError(400, 'INVALID_ARGUMENT', `Missing route parameter '${name}'.`);
  return value;
}

/** `version=2.0`: instances created with exactly that version; `version=` (empty): those without one. */
export function versionFilter(c: Context): { version?: string } {
  const version = c.req.query('version');
  return version === undefined ? {} : { version };
}

/**
 * Starts an orchestration from an HTTP request: the management API's route and the built-in starter share it (each
 * checks the key and --read-only first, the same way).
 */
export async function startFromRequest(
  c: Context,
  host: HostContext,
  functionName: string,
  instanceId: string | undefined,
): Promise<Response> {
  const timeout = secondsParam(c, 'timeout');
  const polling = secondsParam(c, 'pollingInterval');
  const input = await readJsonInput(host, c.req.raw, 'orchestration input');
  await host.startAdmission?.admit();
  // A Taskhub extension (Azure's starter takes no version): `?version=2.0`; else the app's default.
  const version = c.req.query('version') || undefined;
  // A caller's W3C traceparent makes the new instance part of the caller's trace.
  const id = await withRequestTrace(c.req.raw.headers, () =>
    host.hub.client.startNew(functionName, { instanceId, input, ...(version ? { version } : {}) }),
  );
  return waitOrCheckStatus(c, host, id, timeout, polling);
}

export function managementApi(host: HostContext): Hono {
  const api = new Hono();

  api.use('*', async (c, next) => {
    checkKey(c.req.raw, host.keys);
    if (host.readOnly) refuseWrites(c.req.raw);
    const taskHub = c.req.query('taskHub');
    if (taskHub && taskHub.toLowerCase() !== host.hub.name.toLowerCase()) {
      throw new HttpError(
        400,
        'UNKNOWN_TASK_HUB',
        `This host serves task hub '${host.hub.name}', not '${taskHub}'. Drop the taskHub parameter or fix it.`,
      );
    }
    await next();
  });

  const start = (c: Context) => startFromRequest(c, host, param(c, 'functionName'), c.req.param('instanceId'));
  api.post('/orchestrators/:functionName/:instanceId?', start);
  api.all('/orchestrators/:functionName/:instanceId?', (c) => {
    throw methodNotAllowed(c.req.method, ['POST']);
  });

  api.get('/instances', async (c) => {
    const filter: OrchestrationFilter = {
      createdTimeFrom: date(c, 'createdTimeFrom'),
      createdTimeTo: date(c, 'createdTimeTo'),
      runtimeStatus: statuses(c),
      instanceIdPrefix: c.req.query('instanceIdPrefix') || undefined,
      ...versionFilter(c),
      showInput: bool(c, 'showInput', true),
      pageSize: topParam(c),
      continuationToken: c.req.header('x-ms-continuation-token') || undefined,
    };
    const page = await host.hub.client.listInstances(filter);
    const headers: Record<string, string> = {};
    if (page.continuationToken) headers['x-ms-continuation-token'] = page.continuationToken;
    return c.json(page.instances.map(toStatusJson), 200, headers);
  });

  api.delete('/instances', async (c) => {
    const createdTimeFrom = date(c, 'createdTimeFrom');
    if (!createdTimeFrom) {
      throw new HttpError(400, 'INVALID_ARGUMENT', "Please provide value for 'createdTimeFrom' parameter.");
    }
    const result = await host.hub.client.purgeInstanceHistoryBy({
      createdTimeFrom,
      createdTimeTo: date(c, 'createdTimeTo') ?? new Date(),
      runtimeStatus: statuses(c),
      instanceIdPrefix: c.req.query('instanceIdPrefix') || undefined,
    });
    return c.json(result, result.instancesDeleted === 0 ? 404 : 200);
  });
  api.all('/instances', (c) => {
    throw methodNotAllowed(c.req.method, ['GET', 'DELETE']);
  });

  api.get('/instances/:instanceId', async (c) => {
    const status = await host.hub.client.getStatus(param(c, 'instanceId'), {
      showHistory: bool(c, 'showHistory', false),
      showHistoryOutput: bool(c, 'showHistoryOutput', false),
      showInput: bool(c, 'showInput', true),
    });
    // Taskhub extension: `showWaitingFor=true` adds what the instance waits for; Azure's payload is left as it is.
    const body = bool(c, 'showWaitingFor', false)
      ? {
          ...toStatusJson(status),
          waitingFor: await readWaitingFor(host.hub.store, status.instanceId, status.runtimeStatus, {
            registry: host.hub.registry,
            name: status.name,
            version: status.version,
          }),
        }
      : toStatusJson(status);
    switch (status.runtimeStatus) {
      case 'Completed':
      case 'Terminated':
      case 'Canceled':
        return c.json(body, 200);
      case 'Failed':
        return c.json(body, bool(c, 'returnInternalServerErrorOnFailure', false) ? 500 : 200);
      default:
        return c.json(body, 202, { Location: selfUrlFor(host, c.req.raw), 'Retry-After': '5' });
    }
  });

  api.delete('/instances/:instanceId', async (c) => {
    const instanceId = param(c, 'instanceId');
    const status = await host.hub.client.getStatus(instanceId, { showInput: false });
    if (!isTerminal(status.runtimeStatus)) {
      throw new HttpError(
        409,
        'INSTANCE_RUNNING',
        `Instance '${instanceId}' is ${status.runtimeStatus}; terminate it or wait for it to finish before purging.`,
      );
    }
    const result = await host.hub.client.purgeInstanceHistory(instanceId);
    return c.json(result, result.instancesDeleted === 0 ? 404 : 200);
  });
  api.all('/instances/:instanceId', (c) => {
    throw methodNotAllowed(c.req.method, ['GET', 'DELETE']);
  });

  api.post('/instances/:instanceId/raiseEvent/:eventName', async (c) => {
    const contentType = c.req.header('content-type') ?? '';
    const bytes = await readBody(c.req.raw, host.maxBodyBytes);
    if (bytes.byteLength > 0 && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
      throw new HttpError(
        400,
        'UNSUPPORTED_CONTENT_TYPE',
        `Send the event data as JSON with 'Content-Type: application/json' (got '${contentType || 'none'}').`,
      );
    }
    const data = parseJsonBody(bytes, 'event data');
    await host.hub.client.raiseEvent(param(c, 'instanceId'), param(c, 'eventName'), data);
    return c.body(null, 202);
  });

  const control = (op: 'terminate' | 'suspend' | 'resume' | 'rewind') => async (c: Context) => {
    const reason = c.req.query('reason');
    await readBody(c.req.raw, host.maxBodyBytes);
    await host.hub.client[op](param(c, 'instanceId'), reason);
    return c.body(null, 202);
  };
  for (const op of ['terminate', 'suspend', 'resume', 'rewind'] as const) {
    api.post(`/instances/:instanceId/${op}`, control(op));
  }

  api.post('/instances/:instanceId/restart', async (c) => {
    const newId = bool(c, 'restartWithNewInstanceId', true);
    const timeout = secondsParam(c, 'timeout');
    const polling = secondsParam(c, 'pollingInterval');
    let id: string;
    try {
      id = await host.hub.client.restart(param(c, 'instanceId'), newId);
    } catch (err) {
      if (isTaskhubError(err, 'INSTANCE_NOT_FOUND')) {
        throw new HttpError(400, 'INSTANCE_NOT_FOUND', 'InstanceId does not match a valid orchestration instance.');
      }
      throw err;
    }
    return waitOrCheckStatus(c, host, id, timeout, polling);
  });

  api.all('/instances/:instanceId/:operation/:eventName?', (c) => {
    const operation = c.req.param('operation') ?? '';
    const known = ['raiseEvent', 'terminate', 'suspend', 'resume', 'rewind', 'restart'];
    if (operation === 'raiseEvent' && c.req.method === 'POST') {
      throw new HttpError(
        400,
        'INVALID_ARGUMENT',
        'Name the event: POST …/instances/{instanceId}/raiseEvent/{eventName}.',
      );
    }
    if (known.includes(operation)) throw methodNotAllowed(c.req.method, ['POST']);
    throw new HttpError(404, 'NOT_FOUND', `No management operation '${operation}'; use one of ${known.join(', ')}.`);
  });

  entityRoutes(api, host);
  doctorRoutes(api, host);
  return api;
}

function topParam(c: Context): number | undefined {
  const raw = c.req.query('top');
  if (raw === undefined || raw === '') return undefined;
  const top = Number(raw);
  if (!Number.isInteger(top) || top <= 0) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `'top' must be a positive whole number, not '${raw}'.`);
  }
  return top;
}
