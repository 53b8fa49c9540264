// Walks every route of docs/http-routes.md over real HTTP: off loopback each answers 401 without a key exactly when the
// table says a key is required, and never 401 with one; under --read-only the rows marked 403 answer 403 and the others
// do not. The table is parsed from the page, and every route the Hono app serves must be in it, so docs and code
// cannot drift apart.
import { serve, type ServerType } from '@hono/node-server';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppDefinition, withApp } from '../../src/app/app-definition.js';
import { app as azureApp } from '../../src/app/azure-functions.js';
import { app as dfApp } from '../../src/app/durable-functions.js';
import type { EntityContext } from '../../src/index.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { createHttpApp } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { ROOT } from '../e2e/host.js';

const KEY = 'route-walk-key';

interface RouteRow {
  readonly method: string;
  readonly path: string;
  readonly authLevel: string;
  readonly keyRequired: boolean;
  readonly readOnly: 'served' | '403';
}

/** The rows of the table under "## Routes" in docs/http-routes.md. */
function readTable(): RouteRow[] {
  const page = readFileSync(path.join(ROOT, 'docs/http-routes.md'), 'utf8');
  const section = page.split(/^## Routes$/m)[1]?.split(/^## /m)[0] ?? '';
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  const [header, , ...body] = lines.map((line) =>
    line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim().replace(/\\\*/g, '*')),
  );
  expect(header).toEqual(['Method', 'Path', 'Auth level', 'Key off loopback', '--read-only', 'What']);
  return body.map(([method, routePath, authLevel, key, readOnly]) => {
    expect(['GET', 'POST', 'DELETE', '*']).toContain(method);
    expect(['yes', 'no']).toContain(key);
    expect(['served', '403']).toContain(readOnly);
    return {
      method: method!,
      path: routePath!,
      authLevel: authLevel!,
      keyRequired: key === 'yes',
      readOnly: readOnly as RouteRow['readOnly'],
    };
  });
}

/** Hono's routes in the table's notation, middleware left out (a middleware takes `next`, a handler does not). */
function servedRoutes(app: Hono): { method: string; path: string }[] {
  return app.routes
    .filter((route) => route.handler.length < 2)
    .map((route) => ({
      method: route.method === 'ALL' ? '*' : route.method,
      path: route.path === '/*' ? '/{path}' : route.path.replace(/:(\w+)(\?)?/g, '{$1$2}'),
    }));
}

const ROUTE_BY_AUTH_LEVEL: Record<string, string> = { anonymous: 'open', function: 'fn', admin: 'adm' };
let walkCounter = 0;

/** A concrete request for a row: placeholders filled so that, given the key, the route does its work. */
function requestFor(row: RouteRow): { method: string; path: string } {
  const values: Record<string, () => string> = {
    functionName: () => 'Hello',
    instanceId: () => 'existing',
    'instanceId?': () => `walk-${++walkCounter}`,
    eventName: () => 'approval',
    'eventName?': () => 'approval',
    operation: () => 'raiseEvent',
    name: () => 'Counter',
    'name?': () => 'Counter',
    key: () => 'k1',
    op: () => 'suspend',
    file: () => 'missing.js',
    route: () => ROUTE_BY_AUTH_LEVEL[row.authLevel] ?? 'unknown-auth-level',
    path: () => 'nothing-serves-this',
  };
  const filled = row.path.replace(/\{([\w?]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (!value) throw new Error(`No walk value for {${name}} in ${row.path}`);
    return value();
  });
  // `*`: a method the row's siblings do not take (405); for app functions, one they declare (POST), so they run.
  const method = row.method !== '*' ? row.method : row.path.includes('{route}') ? 'POST' : 'PUT';
  return { method, path: filled };
}

interface Served {
  readonly app: Hono;
  readonly url: string;
  close(): Promise<void>;
}

let hub: TaskHub;
let definition: AppDefinition;
const closing = new AbortController();
const servers: Served[] = [];

/** The host as `--host 0.0.0.0` builds it (keys required), served on loopback so the test reaches it over HTTP. */
async function serveOffLoopback(readOnly: boolean): Promise<Served> {
  const app = createHttpApp({
    hub,
    app: definition,
    host: '0.0.0.0',
    keys: [KEY],
    readOnly,
    logger: createLogger({ level: 'silent' }),
    closeSignal: closing.signal,
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const served: Served = {
    app,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
  servers.push(served);
  return served;
}

async function call(server: Served, row: RouteRow, key: 'none' | 'query' | 'header'): Promise<number> {
  const { method, path: routePath } = requestFor(row);
  const url = new URL(routePath, server.url);
  if (key === 'query') url.searchParams.set('code', KEY);
  const response = await fetch(url, {
    method,
    headers: key === 'header' ? { 'x-functions-key': KEY } : {},
    redirect: 'manual',
  });
  // The live feed never ends by itself; the status is all the walk needs.
  await response.body?.cancel();
  return response.status;
}

beforeAll(async () => {
  definition = new AppDefinition();
  await withApp(definition, () => {
    dfApp.orchestration('Hello', function* () {
      yield* [];
      return 'hello';
    });
    dfApp.entity('Counter', (context: EntityContext<number>) => context.df.setState(1));
    for (const [authLevel, route] of Object.entries(ROUTE_BY_AUTH_LEVEL)) {
      azureApp.http(`Fn_${route}`, {
        route,
        authLevel: authLevel as 'anonymous' | 'function' | 'admin',
        handler: () => ({ jsonBody: { ran: route } }),
      });
    }
    return Promise.resolve();
  });
  hub = await openTaskHub({ store: ':memory:', worker: false, registry: definition.registry });
  await hub.client.startNew('Hello', { instanceId: 'existing' });
});

afterAll(async () => {
  closing.abort();
  await Promise.all(servers.map((s) => s.close()));
  await hub.close();
});

describe('docs/http-routes.md', () => {
  const table = readTable();

  it('lists every route the Hono app serves; its other rows are served under the app route prefix', async () => {
    const { app } = await serveOffLoopback(false);
    const listed = new Set(table.map((row) => `${row.method} ${row.path}`));
    const served = servedRoutes(app).map((route) => `${route.method} ${route.path}`);
    expect(served.filter((route) => !listed.has(route))).toEqual([]);
    // Rows that are no Hono route of their own are served by the `/{path}` fallback: the app's route prefix.
    const notHono = [...listed].filter((row) => !served.includes(row));
    for (const row of notHono) expect(row).toMatch(/^\S+ \/api\//);
    expect(table.length).toBeGreaterThan(30);
  });

  it('off loopback: 401 without a key where the table says so, never 401 with the key', async () => {
    const server = await serveOffLoopback(false);
    for (const row of table) {
      const what = `${row.method} ${row.path} (${row.authLevel})`;
      const withoutKey = await call(server, row, 'none');
      if (row.keyRequired) expect(withoutKey, what).toBe(401);
      else expect(withoutKey, what).not.toBe(401);
      for (const key of ['query', 'header'] as const) {
        const status = await call(server, row, key);
        expect(status, `${what} with the key as ${key}`).not.toBe(401);
        expect(status, `${what} with the key as ${key}`).toBeLessThan(500);
      }
    }
  });

  it('--read-only: 403 where the table says so (after the key check), served elsewhere', async () => {
    const server = await serveOffLoopback(true);
    for (const row of table) {
      const what = `${row.method} ${row.path} (${row.authLevel})`;
      if (row.keyRequired) expect(await call(server, row, 'none'), `${what} without a key`).toBe(401);
      const status = await call(server, row, 'header');
      if (row.readOnly === '403') expect(status, what).toBe(403);
      else expect([403, 401], what).not.toContain(status);
    }
  });
});
