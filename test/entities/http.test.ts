// The entity routes of the management API against a real task hub on SQLite: signal (JSON and raw text bodies),
// DELETE, read, list, and Durable Functions' status codes.
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { errorAnswer } from '../../src/http/errors.js';
import { managementApi } from '../../src/http/management-api.js';
import { createLogger } from '../../src/log.js';
import { openTestHub, type TestHub } from '../worker/helpers.js';
import { counter } from './counter-entity.js';
import type { EntityContext } from '../../src/core/context.js';

const hubs: TestHub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.close();
});

async function api() {
  const hub = await openTestHub((r) => {
    r.registerEntity('Counter', counter);
    r.registerEntity('Echo', (ctx: EntityContext<unknown>) => ctx.df.setState(ctx.df.getInput()));
  });
  hubs.push(hub);
  const app = new Hono();
  app.onError((err, c) => {
    const answer = errorAnswer(err);
    return c.json(answer.body, answer.status as 400, answer.headers);
  });
  app.route(
    '/runtime/webhooks/durabletask',
    managementApi({
      hub,
      maxBodyBytes: 1024 * 1024,
      keys: [],
      readOnly: false,
      logger: createLogger({ level: 'silent' }),
    }),
  );
  const call = (method: string, path: string, body?: string, contentType?: string) =>
    app.request(`http://localhost/runtime/webhooks/durabletask${path}`, {
      method,
      ...(body === undefined ? {} : { body }),
      ...(contentType ? { headers: { 'content-type': contentType } } : {}),
    });
  const until = async (path: string, ok: (status: number, body: unknown) => boolean) => {
    for (let i = 0; i < 500; i++) {
      const res = await call('GET', path);
      const body = res.status === 200 ? await res.json() : undefined;
      if (ok(res.status, body)) return { status: res.status, body };
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`gave up waiting on ${path}`);
  };
  return { call, until };
}

describe('entity HTTP API', () => {
  it('signals a counter with ?op=, reads it, lists it, deletes it', async () => {
    const { call, until } = await api();
    expect((await call('GET', '/entities/Counter/c1')).status).toBe(404);
    expect((await call('POST', '/entities/Counter/c1?op=add', '5', 'application/json')).status).toBe(202);
    expect((await call('POST', '/entities/counter/c1?op=add', '2', 'application/json')).status).toBe(202);
    expect(await until('/entities/Counter/c1', (s, b) => s === 200 && b === 7)).toEqual({ status: 200, body: 7 });

    const list = await call('GET', '/entities/Counter?fetchState=true');
    expect(list.status).toBe(200);
    const entities = (await list.json()) as { entityId: { name: string; key: string }; state: unknown }[];
    expect(entities.map((e) => [e.entityId, e.state])).toEqual([[{ name: 'counter', key: 'c1' }, 7]]);
    expect(((await (await call('GET', '/entities')).json()) as unknown[]).length).toBe(1);

    expect((await call('DELETE', '/entities/Counter/c1')).status).toBe(202);
    await until('/entities/Counter/c1', (s) => s === 404);
  });

  it('passes a non-JSON body on as a string; refuses unknown entities and bad JSON', async () => {
    const { call, until } = await api();
    expect((await call('POST', '/entities/Echo/e1?op=set', 'plain text', 'text/plain')).status).toBe(202);
    expect((await until('/entities/Echo/e1', (s) => s === 200)).body).toBe('plain text');
    expect((await call('POST', '/entities/Nope/k?op=x')).status).toBe(404);
    expect((await call('POST', '/entities/Echo/e1?op=set', '{bad', 'application/json')).status).toBe(400);
    expect((await call('PUT', '/entities/Echo/e1')).status).toBe(405);
  });
});
