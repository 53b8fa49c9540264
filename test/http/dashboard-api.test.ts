// The dashboard's API on a real SQLite store: name and custom-status filters, orders with keyset paging, counts per
// status, bulk actions, the live feed, keys and --read-only.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppDefinition } from '../../src/app/app-definition.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { createHttpApp } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

let hub: TaskHub;

beforeEach(async () => {
  hub = await openTaskHub({ store: ':memory:', worker: false });
  const rows: [string, string, string, string | null][] = [
    ['a-1', 'Pipeline', 'Running', '{"stage":"awaiting approval"}'],
    ['a-2', 'Pipeline', 'Completed', null],
    ['b-1', 'Quick', 'Completed', '"done"'],
    ['b-2', 'Quick', 'Failed', null],
    ['c-1', 'Pipeline', 'Running', '{"stage":"fan-out"}'],
  ];
  for (const [i, [id, name]] of rows.entries()) {
    const time = `2024-05-01T12:00:0${i}.000Z`;
    await hub.store.createInstance({
      instanceId: id,
      executionId: `e-${id}`,
      name,
      createdTime: time,
      startEvent: {
        eventType: 'ExecutionStarted',
        eventId: -1,
        timestamp: time,
        name,
        instanceId: id,
        executionId: 'e',
      },
    });
  }
  const db = (hub.store as SqliteStore).db;
  for (const [id, , status, custom] of rows) {
    db.prepare('UPDATE instances SET runtime_status = ?, custom_status = ? WHERE instance_id = ?').run(
      status,
      custom,
      id,
    );
  }
});
afterEach(() => hub.close());

function app(options: { readOnly?: boolean; keys?: string[]; host?: string } = {}) {
  return createHttpApp({ hub, app: new AppDefinition(), logger: createLogger({ level: 'silent' }), ...options });
}

async function get(path: string, a = app()): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await a.request(`http://localhost${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const ids = (body: Record<string, unknown>) => (body.instances as { instanceId: string }[]).map((i) => i.instanceId);

describe('dashboard API', () => {
  it('filters by name and custom status text, and counts per status with the status filter left out', async () => {
    expect(ids((await get('/dashboard/api/instances?name=PIPE')).body)).toEqual(['a-1', 'a-2', 'c-1']);
    expect(ids((await get('/dashboard/api/instances?customStatus=Approval')).body)).toEqual(['a-1']);
    expect(ids((await get('/dashboard/api/instances?name=pipe&runtimeStatus=Running')).body)).toEqual(['a-1', 'c-1']);
    const counts = await get('/dashboard/api/counts?name=pipe&runtimeStatus=Running');
    expect(counts.body.counts).toEqual({ Running: 2, Completed: 1 });
  });

  it('orders by any column and pages by keyset', async () => {
    const first = await get('/dashboard/api/instances?orderBy=name&desc=true&top=2');
    expect(ids(first.body)).toEqual(['b-2', 'b-1']);
    const token = encodeURIComponent(String(first.body.continuationToken));
    const second = await get(`/dashboard/api/instances?orderBy=name&desc=true&top=2&continuation=${token}`);
    expect(ids(second.body)).toEqual(['c-1', 'a-2']);
    expect((await get('/dashboard/api/instances?orderBy=bogus')).status).toBe(400);
  });

  it('runs a bulk action on the filtered set', async () => {
    const response = await app().request(
      'http://localhost/dashboard/api/bulk/terminate?name=pipe&runtimeStatus=Running',
      {
        method: 'POST',
        body: '{"reason":"cleanup"}',
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(await response.json()).toMatchObject({ matched: 2, succeeded: 2, failedCount: 0 });
  });

  it('acts on a filter only in the statuses the operation applies to, and counts the ones it leaves alone', async () => {
    const post = (query: string) =>
      app().request(`http://localhost/dashboard/api/bulk/suspend?${query}`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
    // name=pipe matches a-1 and c-1 (Running) and a-2 (Completed): suspend applies to the two Running ones.
    expect(await (await post('name=pipe&dryRun=true')).json()).toMatchObject({
      matched: 2,
      leftAlone: 1,
      succeeded: 0,
    });
    expect(await (await post('name=pipe')).json()).toMatchObject({
      matched: 2,
      leftAlone: 1,
      succeeded: 2,
      failedCount: 0,
    });
  });

  it('refuses a bulk action with a query parameter it does not know, acting on nothing', async () => {
    const response = await app().request(
      'http://localhost/dashboard/api/bulk/terminate?runtimeStatus=Running&prefx=a-',
      {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Unknown query parameter 'prefx'; a bulk action takes name, runtimeStatus");
    expect(ids((await get('/dashboard/api/instances?name=pipe&runtimeStatus=Running')).body)).toEqual(['a-1', 'c-1']);
    // Nothing was asked of them either: no terminate message waits for a-1.
    expect((await hub.client.getStatus('a-1')).runtimeStatus).toBe('Running');
  });

  it('returns the stored record and history of one instance', async () => {
    const { status, body } = await get('/dashboard/api/instances/a-1');
    expect(status).toBe(200);
    expect(body.instance).toMatchObject({ instanceId: 'a-1', name: 'Pipeline' });
    expect((await get('/dashboard/api/instances/nope')).status).toBe(404);
  });

  it('answers 403 to every mutating request when read-only, on the dashboard and the management API', async () => {
    const a = app({ readOnly: true });
    const bulk = await a.request('http://localhost/dashboard/api/bulk/purge', { method: 'POST' });
    expect(bulk.status).toBe(403);
    const terminate = await a.request('http://localhost/runtime/webhooks/durabletask/instances/a-1/terminate', {
      method: 'POST',
    });
    expect(terminate.status).toBe(403);
    expect((await get('/dashboard/api/instances', a)).status).toBe(200);
    expect((await get('/dashboard/api/info', a)).body.readOnly).toBe(true);
  });

  it('asks for a key off loopback, like the management API; the page itself is public', async () => {
    const a = app({ host: '0.0.0.0', keys: ['s3cret'] });
    expect((await a.request('http://localhost/dashboard/api/instances')).status).toBe(401);
    expect((await a.request('http://localhost/dashboard/api/instances?code=s3cret')).status).toBe(200);
    expect((await a.request('http://localhost/')).status).toBe(200);
  });

  it('pushes changed instances over server-sent events', async () => {
    const closing = new AbortController();
    const a = createHttpApp({
      hub,
      app: new AppDefinition(),
      logger: createLogger({ level: 'silent' }),
      closeSignal: closing.signal,
    });
    const response = await a.request('http://localhost/dashboard/api/events');
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    let text = '';
    const read = async (until: string) => {
      while (!text.includes(until)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read('event: ready');
    await new Promise((r) => setTimeout(r, 20));
    await hub.client.terminate('c-1', 'stop');
    (hub.store as SqliteStore).db
      .prepare("UPDATE instances SET runtime_status = 'Terminated', last_updated_time = ? WHERE instance_id = 'c-1'")
      .run(new Date(Date.now() + 1000).toISOString());
    await read('"c-1"');
    expect(text).toContain('event: instances');
    closing.abort();
    await reader.cancel();
  });
});
