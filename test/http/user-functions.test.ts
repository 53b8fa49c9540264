// User HTTP functions: Azure route templates, methods, auth levels, the durable client binding, response shapes, and
// the built-in starter when the app defines none.
import { describe, expect, it } from 'vitest';
import { AppDefinition, withApp } from '../../src/app/app-definition.js';
import { app as azureApp, HttpResponse } from '../../src/app/azure-functions.js';
import { clientFromBinding, isDurableClientBinding } from '../../src/app/durable-http-client.js';
import type { InvocationContext } from '../../src/app/invocation-context.js';
import { createHttpApp } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { fakeHub } from './fake-hub.js';

const ORIGIN = 'http://localhost:7071';

async function host(register: () => void, options: { host?: string; keys?: string[] } = {}) {
  const definition = new AppDefinition();
  await withApp(definition, () => Promise.resolve(register()));
  const hub = fakeHub(['Hello']);
  const app = createHttpApp({ hub, app: definition, logger: createLogger({ level: 'silent' }), ...options });
  return { hub, app, definition };
}

describe('user HTTP functions', () => {
  it('matches {name} and {name?} templates case-insensitively and passes params', async () => {
    const { app } = await host(() => {
      azureApp.http('Items', {
        route: 'items/{id:int}/{part?}',
        methods: ['GET'],
        handler: (request) => ({ jsonBody: { params: request.params, q: request.query.get('q') } }),
      });
    });
    const r = await app.request(`${ORIGIN}/API/Items/42/detail?q=x`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ params: { id: '42', part: 'detail' }, q: 'x' });
    const r2 = await app.request(`${ORIGIN}/api/items/7`);
    expect(await r2.json()).toEqual({ params: { id: '7' }, q: null });
    expect((await app.request(`${ORIGIN}/api/items/notanumber`)).status).toBe(404);
  });

  it('405 with Allow for a method the function does not take', async () => {
    const { app } = await host(() => azureApp.get('Ping', () => new HttpResponse({ body: 'pong' })));
    expect(await (await app.request(`${ORIGIN}/api/Ping`)).text()).toBe('pong');
    const r = await app.request(`${ORIGIN}/api/Ping`, { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET');
  });

  it('reads JSON bodies and returns plain { status, jsonBody, headers } objects', async () => {
    const { app } = await host(() =>
      azureApp.http('Echo', {
        methods: ['POST'],
        handler: async (request) => ({ status: 201, jsonBody: await request.json(), headers: { 'x-a': 'b' } }),
      }),
    );
    const r = await app.request(`${ORIGIN}/api/Echo`, { method: 'POST', body: '{"a":1}' });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-a')).toBe('b');
    expect(await r.json()).toEqual({ a: 1 });
  });

  it('gives the durable client through extraInputs; createCheckStatusResponse points at the caller origin', async () => {
    const { app, hub } = await host(() =>
      azureApp.http('Start', {
        route: 'start/{name}',
        extraInputs: [{ type: 'durableClient', name: 'client' }],
        handler: async (request, context: InvocationContext) => {
          const binding = context.extraInputs.get('client');
          if (!isDurableClientBinding(binding)) throw new Error('no binding');
          const client = clientFromBinding(binding);
          const id = await client.startNew(request.params.name!, { input: 1 });
          return client.createCheckStatusResponse(request, id);
        },
      }),
    );
    const r = await app.request('http://example.test:9000/api/start/Hello', { method: 'POST' });
    expect(r.status).toBe(202);
    const body = (await r.json()) as { id: string; statusQueryGetUri: string };
    expect(body.statusQueryGetUri).toBe(
      `http://example.test:9000/runtime/webhooks/durabletask/instances/${body.id}?taskHub=FakeHub&connection=Storage`,
    );
    expect(r.headers.get('location')).toBe(body.statusQueryGetUri);
    expect(hub.instances.get(body.id)?.input).toBe(1);
  });

  it('a failing function is a 500 that names it', async () => {
    const { app } = await host(() =>
      azureApp.get('Boom', () => {
        throw new Error('kaput');
      }),
    );
    const r = await app.request(`${ORIGIN}/api/Boom`);
    expect(r.status).toBe(500);
    expect(JSON.stringify(await r.json())).toContain("'Boom' failed: kaput");
  });

  it('function auth level needs a key off loopback; anonymous does not', async () => {
    const { app } = await host(
      () => {
        azureApp.get('Open', () => ({ body: 'open' }));
        azureApp.http('Closed', { authLevel: 'function', handler: () => ({ body: 'closed' }) });
      },
      { host: '0.0.0.0', keys: ['k1'] },
    );
    expect((await app.request(`${ORIGIN}/api/Open`)).status).toBe(200);
    expect((await app.request(`${ORIGIN}/api/Closed`)).status).toBe(401);
    expect((await app.request(`${ORIGIN}/api/Closed?code=k1`)).status).toBe(200);
  });

  it('serves the built-in starter when no function owns orchestrators/…', async () => {
    const { app, hub } = await host(() => undefined);
    const r = await app.request(`${ORIGIN}/api/orchestrators/Hello/my-id`, { method: 'POST', body: '"x"' });
    expect(r.status).toBe(202);
    expect(hub.instances.get('my-id')?.input).toBe('x');
    expect((await app.request(`${ORIGIN}/api/orchestrators/Hello`)).status).toBe(405);
    expect((await app.request(`${ORIGIN}/api/orchestrators/Nope`, { method: 'POST' })).status).toBe(400);
    expect((await app.request(`${ORIGIN}/api/nothing-here`)).status).toBe(404);
  });
});
