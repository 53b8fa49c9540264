// Durable Functions' entity routes of the management API (reference part D): signal (POST, DELETE signals 'delete'),
// read, and list, under /runtime/webhooks/durabletask/entities. Mounted by management-api.ts.
import type { Context, Hono } from 'hono';
import { EntityId } from '../core/entity-id.js';
import { HttpError, methodNotAllowed } from './errors.js';
import type { HostContext } from './host-context.js';
import { parseJsonBody, readBody } from './request-body.js';

export function entityRoutes(api: Hono, host: HostContext): void {
  const client = () => host.hub.client;

  api.post('/entities/:name/:key', async (c) => {
    const id = entityIdOf(c, host);
    const bytes = await readBody(c.req.raw, host.maxBodyBytes);
    // JSON when declared so, otherwise the raw text: Durable Functions' rule for signal bodies.
    const isJson = /^application\/([\w.+-]+\+)?json\b/i.test(c.req.header('content-type') ?? '');
    const text = new TextDecoder().decode(bytes);
    const input = isJson ? parseJsonBody(bytes, 'operation input') : text === '' ? undefined : text;
    await client().signalEntity(id, c.req.query('op') ?? '', input);
    return c.body(null, 202);
  });

  api.delete('/entities/:name/:key', async (c) => {
    await client().signalEntity(entityIdOf(c, host), 'delete');
    return c.body(null, 202);
  });

  api.get('/entities/:name/:key', async (c) => {
    const state = await client().readEntityState(entityIdOf(c, host, false));
    if (!state.entityExists) {
      throw new HttpError(
        404,
        'ENTITY_NOT_FOUND',
        `No entity '${c.req.param('name')}' with key '${c.req.param('key')}'.`,
      );
    }
    return c.json(state.entityState ?? null, 200);
  });

  api.all('/entities/:name/:key', (c) => {
    throw methodNotAllowed(c.req.method, ['GET', 'POST', 'DELETE']);
  });

  api.get('/entities/:name?', async (c) => {
    const name = c.req.param('name');
    const page = await client().listEntities({
      ...(name ? { entityName: name } : {}),
      fetchState: /^true$/i.test(c.req.query('fetchState') ?? ''),
      ...timeFilter(c, 'lastOperationTimeFrom'),
      ...timeFilter(c, 'lastOperationTimeTo'),
      pageSize: top(c),
      ...(c.req.header('x-ms-continuation-token')
        ? { continuationToken: c.req.header('x-ms-continuation-token') }
        : {}),
    });
    const headers: Record<string, string> = {};
    if (page.continuationToken) headers['x-ms-continuation-token'] = page.continuationToken;
    const body = page.entities.map((e) => ({
      entityId: { name: e.entityId.name, key: e.entityId.key },
      lastOperationTime: e.lastOperationTime.toISOString(),
      ...('state' in e ? { state: e.state ?? null } : {}),
    }));
    return c.json(body, 200, headers);
  });
}

/** The route's entity id; signals to an entity name the app does not define are refused (404), as Azure does. */
function entityIdOf(c: Context, host: HostContext, mustBeDefined = true): EntityId {
  const name = c.req.param('name') ?? '';
  const key = c.req.param('key') ?? '';
  if (mustBeDefined && !host.hub.registry.getEntity(name)) {
    throw new HttpError(404, 'UNKNOWN_FUNCTION', `No entity function named '${name}' is defined in this app.`);
  }
  if (name === '' || key === '') {
    throw new HttpError(400, 'INVALID_ARGUMENT', 'An entity needs a non-empty name and key: …/entities/{name}/{key}.');
  }
  return new EntityId(name, key);
}

function timeFilter(c: Context, name: 'lastOperationTimeFrom' | 'lastOperationTimeTo'): Partial<Record<string, Date>> {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return {};
  const value = new Date(raw);
  if (Number.isNaN(value.getTime())) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `'${name}' must be an ISO 8601 time, not '${raw}'.`);
  }
  return { [name]: value };
}

function top(c: Context): number {
  const raw = c.req.query('top');
  if (raw === undefined || raw === '') return 100;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `'top' must be a positive whole number, not '${raw}'.`);
  }
  return value;
}
