// The management API's status codes, headers and JSON shapes (reference part D), and the bad-input rules: every
// rejected request leaves the hub untouched.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RuntimeStatus } from '../../src/core/history.js';
import { AppDefinition } from '../../src/app/app-definition.js';
import { createHttpApp } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { fakeHub, type FakeHub } from './fake-hub.js';

const BASE = 'http://localhost:7071/runtime/webhooks/durabletask';
let hub: FakeHub;
let app: ReturnType<typeof createHttpApp>;

beforeEach(() => {
  hub = fakeHub(['Hello']);
  app = createHttpApp({ hub, app: new AppDefinition(), logger: createLogger({ level: 'silent' }), maxBodyBytes: 1024 });
});

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const response = await app.request(`${BASE}${path}`, { method, body, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function put(id: string, runtimeStatus: RuntimeStatus) {
  hub.instances.set(id, {
    name: 'Hello',
    instanceId: id,
    runtimeStatus,
    createdTime: new Date('2024-05-01T12:00:00.123Z'),
  });
}

describe('start', () => {
  it('202 with the management payload, Location and Retry-After', async () => {
    const r = await call('POST', '/orchestrators/Hello/abc', '{"city":"Tokyo"}', {
      'content-type': 'application/json',
    });
    expect(r.status).toBe(202);
    const body = r.body as Record<string, string>;
    expect(body.id).toBe('abc');
    expect(body.statusQueryGetUri).toBe(`${BASE}/instances/abc?taskHub=FakeHub&connection=Storage`);
    expect(body.sendEventPostUri).toBe(
      `${BASE}/instances/abc/raiseEvent/{eventName}?taskHub=FakeHub&connection=Storage`,
    );
    expect(body.terminatePostUri).toBe(
      `${BASE}/instances/abc/terminate?reason={text}&taskHub=FakeHub&connection=Storage`,
    );
    expect(r.headers.get('location')).toBe(body.statusQueryGetUri);
    expect(r.headers.get('retry-after')).toBe('10');
    expect(hub.instances.get('abc')?.input).toEqual({ city: 'Tokyo' });
  });

  it('unknown function 400 naming it; malformed JSON 400; bad id 400; all without writing', async () => {
    const unknown = await call('POST', '/orchestrators/Nope');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('Nope');
    const bad = await call('POST', '/orchestrators/Hello', '{"city":');
    expect(bad.status).toBe(400);
    expect((bad.body as { code: string }).code).toBe('MALFORMED_JSON');
    expect(hub.writes).toEqual([]);
  });

  it('a running duplicate id is 409; a finished one is replaced', async () => {
    put('dup', 'Running');
    expect((await call('POST', '/orchestrators/Hello/dup')).status).toBe(409);
    put('dup', 'Completed');
    expect((await call('POST', '/orchestrators/Hello/dup')).status).toBe(202);
  });

  it('a body over the limit is 413 and writes nothing', async () => {
    const r = await call('POST', '/orchestrators/Hello', JSON.stringify({ big: 'x'.repeat(2000) }));
    expect(r.status).toBe(413);
    expect(JSON.stringify(r.body)).toContain('--max-body-bytes');
    expect(hub.writes).toEqual([]);
  });

  it('a wrong method is 405 with Allow', async () => {
    const r = await call('GET', '/orchestrators/Hello');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
  });
});

describe('status', () => {
  it('202 with Location and Retry-After while running; 200 when finished; 404 unknown', async () => {
    put('run', 'Running');
    const running = await call('GET', '/instances/run');
    expect(running.status).toBe(202);
    expect(running.headers.get('retry-after')).toBe('5');
    expect(running.headers.get('location')).toBe(`${BASE}/instances/run`);
    expect(running.body).toMatchObject({
      name: 'Hello',
      instanceId: 'run',
      runtimeStatus: 'Running',
      createdTime: '2024-05-01T12:00:00Z',
    });
    put('done', 'Completed');
    expect((await call('GET', '/instances/done')).status).toBe(200);
    expect((await call('GET', '/instances/missing')).status).toBe(404);
  });

  it('Failed is 200, or 500 with returnInternalServerErrorOnFailure', async () => {
    put('f', 'Failed');
    expect((await call('GET', '/instances/f')).status).toBe(200);
    expect((await call('GET', '/instances/f?returnInternalServerErrorOnFailure=true')).status).toBe(500);
  });
});

describe('list', () => {
  it('filters by status and pages with x-ms-continuation-token', async () => {
    for (let i = 0; i < 5; i++) put(`r${i}`, 'Running');
    put('c0', 'Completed');
    const first = await call('GET', '/instances?runtimeStatus=Running&top=3');
    expect(first.status).toBe(200);
    expect((first.body as unknown[]).length).toBe(3);
    const token = first.headers.get('x-ms-continuation-token');
    expect(token).toBeTruthy();
    const second = await call('GET', '/instances?runtimeStatus=Running&top=3', undefined, {
      'x-ms-continuation-token': token!,
    });
    expect((second.body as unknown[]).length).toBe(2);
    expect(second.headers.get('x-ms-continuation-token')).toBeNull();
    expect((await call('GET', '/instances?runtimeStatus=Bogus')).status).toBe(400);
  });
});

describe('events and control', () => {
  it('raiseEvent: 202, 404 unknown, 410 finished, 400 wrong content type or bad JSON', async () => {
    put('w', 'Running');
    const json = { 'content-type': 'application/json' };
    expect((await call('POST', '/instances/w/raiseEvent/Approval', '{"ok":true}', json)).status).toBe(202);
    expect((await call('POST', '/instances/nobody/raiseEvent/Approval', '{}', json)).status).toBe(404);
    expect(
      (await call('POST', '/instances/w/raiseEvent/Approval', 'yes', { 'content-type': 'text/plain' })).status,
    ).toBe(400);
    expect((await call('POST', '/instances/w/raiseEvent/Approval', '{bad', json)).status).toBe(400);
    put('old', 'Completed');
    expect((await call('POST', '/instances/old/raiseEvent/Approval', '{}', json)).status).toBe(410);
    expect(hub.writes).toEqual(['raise w Approval {"ok":true}']);
  });

  it('terminate, suspend, resume: 202; 404; 410 when finished', async () => {
    put('t', 'Running');
    expect((await call('POST', '/instances/t/suspend')).status).toBe(202);
    expect((await call('POST', '/instances/t/resume')).status).toBe(202);
    expect((await call('POST', '/instances/t/terminate?reason=enough')).status).toBe(202);
    expect(hub.writes).toContain('terminate t enough');
    expect((await call('POST', '/instances/t/terminate')).status).toBe(410);
    expect((await call('POST', '/instances/x/terminate')).status).toBe(404);
    expect((await call('GET', '/instances/t/terminate')).status).toBe(405);
  });

  it('restart gives a check-status response for the new id; unknown id is 400', async () => {
    put('r', 'Completed');
    const r = await call('POST', '/instances/r/restart');
    expect(r.status).toBe(202);
    expect((r.body as { id: string }).id).not.toBe('r');
    expect((await call('POST', '/instances/none/restart')).status).toBe(400);
  });
});

describe('purge', () => {
  it('one: 200 with instancesDeleted, 404 unknown, 409 while running', async () => {
    put('p', 'Completed');
    const r = await call('DELETE', '/instances/p');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ instancesDeleted: 1 });
    expect((await call('DELETE', '/instances/p')).status).toBe(404);
    put('live', 'Running');
    expect((await call('DELETE', '/instances/live')).status).toBe(409);
  });

  it('by filter: createdTimeFrom required; 404 when nothing matched', async () => {
    const missing = await call('DELETE', '/instances');
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain("Please provide value for 'createdTimeFrom' parameter.");
    put('a', 'Completed');
    put('b', 'Failed');
    put('c', 'Running');
    const r = await call('DELETE', '/instances?createdTimeFrom=2000-01-01T00:00:00Z');
    expect(r.body).toEqual({ instancesDeleted: 2 });
    expect((await call('DELETE', '/instances?createdTimeFrom=2000-01-01T00:00:00Z')).status).toBe(404);
  });
});

describe('keys', () => {
  it('bound elsewhere than loopback, the management API needs the key', async () => {
    const open = createHttpApp({
      hub,
      app: new AppDefinition(),
      host: '0.0.0.0',
      keys: ['s3cret'],
      logger: createLogger({ level: 'silent' }),
    });
    put('k', 'Running');
    expect((await open.request(`${BASE}/instances/k`)).status).toBe(401);
    expect((await open.request(`${BASE}/instances/k?code=s3cret`)).status).toBe(202);
    expect((await open.request(`${BASE}/instances/k`, { headers: { 'x-functions-key': 's3cret' } })).status).toBe(202);
    expect(() => createHttpApp({ hub, app: new AppDefinition(), host: '0.0.0.0' })).toThrow(/TASKHUB_KEY/);
  });
});
