// Durable HTTP against a local node:http server: 202 + Location polled durably (timer, then GET) until 200; an error
// status is a result; a refused connection fails the task; the polling steps are ordinary history events.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DurableHttpResponse, OrchestrationContext } from '../../src/core/context.js';
import { openTestHub, type TestHub } from '../worker/helpers.js';

let server: Server;
let base = '';
let closedPort = 0;
const polls = new Map<string, number>();
const received: { method: string; url: string; body: string; key: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = req.url ?? '';
      const key = req.headers['x-functions-key'];
      received.push({ method: req.method ?? '', url, body, key: typeof key === 'string' ? key : undefined });
      if (url === '/start' || url === '/start-default') {
        const job = url === '/start' ? 'a' : 'b';
        const retry = url === '/start' ? { 'Retry-After': '0' } : {};
        res.writeHead(202, { Location: `/status/${job}`, ...retry }).end();
      } else if (url.startsWith('/status/')) {
        const n = (polls.get(url) ?? 0) + 1;
        polls.set(url, n);
        if (n < 2) res.writeHead(202, { Location: url, 'Retry-After': '0' }).end();
        else res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Job': url }).end(`finished ${url}`);
      } else {
        res.writeHead(500).end('broken');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
});
afterAll(() => new Promise((r) => server.close(r)));

function* caller(ctx: OrchestrationContext): Generator<unknown, unknown, unknown> {
  const { url, method } = ctx.df.getInput<{ url: string; method: string }>();
  try {
    const response = (yield ctx.df.callHttp({
      method,
      url,
      body: { order: 1 },
      headers: { 'x-functions-key': 'secret' },
    })) as DurableHttpResponse;
    return { statusCode: response.statusCode, content: response.content, job: response.headers?.['x-job'] };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

async function run(hub: TestHub, url: string, method = 'POST'): Promise<unknown> {
  const id = await hub.client.startNew('Caller', { input: { url, method } });
  const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 15_000 });
  expect(status.runtimeStatus).toBe('Completed');
  return { output: status.output, history: await hub.client.getHistory(id) };
}

describe('callHttp', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await openTestHub((r) => r.registerOrchestration('Caller', caller as never), { httpPollingIntervalMs: 50 });
  });
  afterAll(() => hub.close());

  it('polls a 202 with Location durably (Retry-After: 0) until the 200', async () => {
    const { output, history } = (await run(hub, `${base}/start`)) as {
      output: unknown;
      history: { eventType: string; name?: string }[];
    };
    expect(output).toEqual({ statusCode: 200, content: 'finished /status/a', job: '/status/a' });
    // POST, 202 → timer → GET 202 → timer → GET 200: three HTTP activities, two durable timers.
    expect(history.filter((e) => e.eventType === 'TaskScheduled' && e.name === 'BuiltIn::HttpActivity')).toHaveLength(
      3,
    );
    expect(history.filter((e) => e.eventType === 'TimerCreated')).toHaveLength(2);
    const calls = received.filter((r) => r.url === '/start' || r.url === '/status/a');
    expect(calls.map((c) => c.method)).toEqual(['POST', 'GET', 'GET']);
    expect(calls[0]?.body).toBe('{"order":1}');
    // The poll drops the function key, as the Azure host does.
    expect(calls.map((c) => c.key)).toEqual(['secret', undefined, undefined]);
  });

  it('waits the configured default between polls when there is no Retry-After', async () => {
    const { output } = (await run(hub, `${base}/start-default`)) as { output: unknown };
    expect(output).toEqual({ statusCode: 200, content: 'finished /status/b', job: '/status/b' });
  });

  it('returns an error status as the result, and fails the task when nobody answers', async () => {
    expect(((await run(hub, `${base}/broken`)) as { output: unknown }).output).toEqual({
      statusCode: 500,
      content: 'broken',
    });
    const refused = ((await run(hub, `http://127.0.0.1:${closedPort}/x`, 'GET')) as { output: { error: string } })
      .output;
    expect(refused.error).toMatch(/fetch failed|ECONNREFUSED/);
  });
});
