// The built-in starter obeys the management API's key and --read-only rules; URLs handed out carry the key the caller
// presented and no other; --public-url replaces the request's Host header in every URL handed out.
import { describe, expect, it } from 'vitest';
import { AppDefinition, withApp } from '../../src/app/app-definition.js';
import { app as azureApp } from '../../src/app/azure-functions.js';
import { clientFromBinding, isDurableClientBinding } from '../../src/app/durable-http-client.js';
import type { InvocationContext } from '../../src/app/invocation-context.js';
import { createHttpApp, type HttpHostOptions } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { fakeHub } from './fake-hub.js';

const ORIGIN = 'http://localhost:7071';
const WEBHOOK = `${ORIGIN}/runtime/webhooks/durabletask`;
const OPEN = { host: '0.0.0.0', keys: ['first-key', 'second-key'] };

/** A host whose app has an anonymous starter function using the durable client, plus the built-in starter. */
async function host(options: Partial<HttpHostOptions> = {}) {
  const definition = new AppDefinition();
  await withApp(definition, () =>
    Promise.resolve(
      azureApp.http('MyStart', {
        route: 'my-start/{name}',
        methods: ['POST'],
        extraInputs: [{ type: 'durableClient', name: 'client' }],
        handler: async (request, context: InvocationContext) => {
          const binding = context.extraInputs.get('client');
          if (!isDurableClientBinding(binding)) throw new Error('no binding');
          const client = clientFromBinding(binding);
          const id = await client.startNew(request.params.name!);
          const response = client.createCheckStatusResponse(request, id);
          const body = (await response.json()) as Record<string, string>;
          return {
            status: 202,
            jsonBody: { ...body, payload: client.createHttpManagementPayload(id), binding: { ...binding } },
          };
        },
      }),
    ),
  );
  const hub = fakeHub(['Hello']);
  const app = createHttpApp({ hub, app: definition, logger: createLogger({ level: 'silent' }), ...options });
  const post = async (url: string, headers: Record<string, string> = {}) => {
    const response = await app.request(url, { method: 'POST', headers });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  return { hub, app, post };
}

/** Every URL-looking string in an answer. */
function urlsIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^"\s]+/g)].map((m) => m[0]);
}

/** The URLs of an answer that carry a query (all but the binding's bare `baseUrl`). */
function urlsWithQuery(text: string): string[] {
  return urlsIn(text).filter((url) => new URL(url).search !== '');
}

describe('the built-in starter on a non-loopback bind', () => {
  it('401 without a key, with the same JSON as the management API, and starts nothing', async () => {
    const { hub, post } = await host(OPEN);
    const starter = await post(`${ORIGIN}/api/orchestrators/Hello`);
    const management = await post(`${WEBHOOK}/orchestrators/Hello`);
    expect(starter.status).toBe(401);
    expect(management.status).toBe(401);
    expect(JSON.parse(starter.text)).toEqual(JSON.parse(management.text));
    expect(JSON.parse(starter.text)).toMatchObject({ code: 'KEY_REQUIRED' });
    expect(starter.text).not.toContain('first-key');
    expect((await post(`${ORIGIN}/api/orchestrators/Hello?code=wrong`)).status).toBe(401);
    expect(hub.writes).toEqual([]);
  });

  it('a wrong method is still 401 before 405, as on the management API', async () => {
    const { app } = await host(OPEN);
    expect((await app.request(`${ORIGIN}/api/orchestrators/Hello`)).status).toBe(401);
    expect((await app.request(`${ORIGIN}/api/orchestrators/Hello?code=first-key`)).status).toBe(405);
  });

  it('with a key: 202, and every URL carries the key presented, never another one', async () => {
    const { hub, post } = await host(OPEN);
    const byQuery = await post(`${ORIGIN}/api/orchestrators/Hello/q1?code=second-key`);
    expect(byQuery.status).toBe(202);
    const urls = urlsIn(byQuery.text);
    expect(urls.length).toBeGreaterThan(5);
    for (const url of urls) expect(new URL(url).searchParams.getAll('code')).toEqual(['second-key']);
    expect(byQuery.text).not.toContain('first-key');
    expect(byQuery.headers.get('location')).toContain('code=second-key');

    const byHeader = await post(`${ORIGIN}/api/orchestrators/Hello/h1`, { 'x-functions-key': 'second-key' });
    expect(byHeader.status).toBe(202);
    for (const url of urlsIn(byHeader.text)) expect(new URL(url).searchParams.getAll('code')).toEqual(['second-key']);
    expect(byHeader.text).not.toContain('first-key');
    expect([...hub.instances.keys()]).toEqual(['q1', 'h1']);
  });

  it("the management API's own start route echoes the presented key too", async () => {
    const { post } = await host(OPEN);
    const r = await post(`${WEBHOOK}/orchestrators/Hello`, { 'x-functions-key': 'second-key' });
    expect(r.status).toBe(202);
    for (const url of urlsWithQuery(r.text)) expect(new URL(url).searchParams.getAll('code')).toEqual(['second-key']);
    expect(r.text).not.toContain('first-key');
  });
});

describe('URLs from the durable client binding of an anonymous function', () => {
  it('carry no code= when the caller presented no key', async () => {
    const { post } = await host(OPEN);
    const r = await post(`${ORIGIN}/api/my-start/Hello`);
    expect(r.status).toBe(202);
    expect(urlsIn(r.text).length).toBeGreaterThan(10);
    expect(r.text).not.toContain('code=');
    expect(r.text).not.toContain('first-key');
    expect(r.headers.get('location')).toBeNull();
    const body = JSON.parse(r.text) as { binding: { requiredQueryStringParameters: string } };
    expect(body.binding.requiredQueryStringParameters).toBe('');
  });

  it('carry the key the caller presented, and only that one', async () => {
    const { post } = await host(OPEN);
    const r = await post(`${ORIGIN}/api/my-start/Hello?code=second-key`);
    expect(r.status).toBe(202);
    for (const url of urlsWithQuery(r.text)) expect(new URL(url).searchParams.getAll('code')).toEqual(['second-key']);
    expect(r.text).not.toContain('first-key');
    const body = JSON.parse(r.text) as { binding: { requiredQueryStringParameters: string } };
    expect(body.binding.requiredQueryStringParameters).toBe('code=second-key');
  });

  it('carry no code= for a wrong key (the function is anonymous, so it still runs)', async () => {
    const { post } = await host(OPEN);
    const r = await post(`${ORIGIN}/api/my-start/Hello?code=guess`);
    expect(r.status).toBe(202);
    for (const url of urlsIn(r.text)) expect(new URL(url).searchParams.has('code')).toBe(false);
  });

  it('on loopback, where keys do not apply, carry no code= at all', async () => {
    const { post } = await host({ keys: ['first-key'] });
    for (const url of [`${ORIGIN}/api/my-start/Hello`, `${ORIGIN}/api/orchestrators/Hello`]) {
      const r = await post(url);
      expect(r.status).toBe(202);
      expect(r.text).not.toContain('code=');
    }
  });
});

describe('app functions with a key off loopback', () => {
  it('a wrong method is 401 before 405 for a keyed function, 405 for an anonymous one', async () => {
    const definition = new AppDefinition();
    await withApp(definition, () => {
      azureApp.http('Keyed', { route: 'keyed', methods: ['POST'], authLevel: 'function', handler: () => ({}) });
      azureApp.http('Open', { route: 'open', methods: ['POST'], handler: () => ({}) });
      return Promise.resolve();
    });
    const app = createHttpApp({ hub: fakeHub(), app: definition, logger: createLogger({ level: 'silent' }), ...OPEN });
    expect((await app.request(`${ORIGIN}/api/keyed`)).status).toBe(401);
    expect((await app.request(`${ORIGIN}/api/keyed?code=first-key`)).status).toBe(405);
    expect((await app.request(`${ORIGIN}/api/open`)).status).toBe(405);
  });
});

describe('--read-only', () => {
  it('the built-in starter answers 403 like the management API, and starts nothing', async () => {
    const { hub, post } = await host({ readOnly: true });
    const starter = await post(`${ORIGIN}/api/orchestrators/Hello/x`);
    const management = await post(`${WEBHOOK}/orchestrators/Hello/x`);
    expect(starter.status).toBe(403);
    expect(management.status).toBe(403);
    expect(JSON.parse(starter.text)).toEqual(JSON.parse(management.text));
    expect(JSON.parse(starter.text)).toMatchObject({ code: 'READ_ONLY' });
    expect(hub.writes).toEqual([]);
  });

  it('off loopback, a caller without a key learns 401 first, with the key 403', async () => {
    const { post } = await host({ ...OPEN, readOnly: true });
    for (const url of [`${ORIGIN}/api/orchestrators/Hello`, `${WEBHOOK}/orchestrators/Hello`]) {
      expect((await post(url)).status).toBe(401);
      expect((await post(`${url}?code=first-key`)).status).toBe(403);
    }
  });
});

describe('publicUrl', () => {
  const PUBLIC = 'https://taskhub.example.com/hub';

  it("builds every URL handed out from it, not from the request's Host header", async () => {
    const { hub, app, post } = await host({ publicUrl: `${PUBLIC}/` });
    const answers = [
      await post('http://attacker.test/api/orchestrators/Hello/p1'),
      await post('http://attacker.test/runtime/webhooks/durabletask/orchestrators/Hello/p2'),
      await post('http://attacker.test/api/my-start/Hello'),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      const urls = urlsIn(answer.text);
      expect(urls.length).toBeGreaterThan(5);
      for (const url of urls) expect(url.startsWith(`${PUBLIC}/runtime/webhooks/durabletask`)).toBe(true);
      expect(answer.text).not.toContain('attacker.test');
    }
    expect(answers[0]!.headers.get('location')).toBe(
      `${PUBLIC}/runtime/webhooks/durabletask/instances/p1?taskHub=FakeHub&connection=Storage`,
    );
    hub.instances.get('p1')!.runtimeStatus = 'Running';
    const status = await app.request('http://attacker.test/runtime/webhooks/durabletask/instances/p1?showInput=false');
    expect(status.status).toBe(202);
    expect(status.headers.get('location')).toBe(`${PUBLIC}/runtime/webhooks/durabletask/instances/p1?showInput=false`);
  });

  it('refuses a value that is not an absolute http(s) URL', () => {
    for (const publicUrl of ['taskhub.example.com', 'ftp://x.test', 'https://x.test/?a=1', '']) {
      expect(() => createHttpApp({ hub: fakeHub(), app: new AppDefinition(), publicUrl })).toThrow(
        /public URL must be an absolute http\(s\) URL/,
      );
    }
  });
});
