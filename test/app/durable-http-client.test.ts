// The durable client HTTP functions get: management URLs of this host, the check-status response, and
// waitForCompletionOrCreateCheckStatusResponse in both the 3.x options and the 2.x positional forms.
import { describe, expect, it } from 'vitest';
import { createDurableHttpClient } from '../../src/app/durable-http-client.js';
import { HttpRequest } from '../../src/app/http-types.js';
import { fakeHub } from '../http/fake-hub.js';

const urls = { origin: 'http://127.0.0.1:7071', taskHubName: 'MyHub' };

describe('durable HTTP client', () => {
  it('createHttpManagementPayload: Durable Functions URL shapes with the taskHub/connection suffix', () => {
    const client = createDurableHttpClient(fakeHub().client, { ...urls, code: 'k' });
    const payload = client.createHttpManagementPayload('a b');
    const base = 'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/a%20b';
    const suffix = 'taskHub=MyHub&connection=Storage&code=k';
    expect(payload).toEqual({
      id: 'a b',
      statusQueryGetUri: `${base}?${suffix}`,
      sendEventPostUri: `${base}/raiseEvent/{eventName}?${suffix}`,
      terminatePostUri: `${base}/terminate?reason={text}&${suffix}`,
      rewindPostUri: `${base}/rewind?reason={text}&${suffix}`,
      purgeHistoryDeleteUri: `${base}?${suffix}`,
      restartPostUri: `${base}/restart?${suffix}`,
      suspendPostUri: `${base}/suspend?reason={text}&${suffix}`,
      resumePostUri: `${base}/resume?reason={text}&${suffix}`,
    });
  });

  it("createCheckStatusResponse: 202, Location, Retry-After 10, URLs at the request's origin", async () => {
    const client = createDurableHttpClient(fakeHub().client, urls);
    const response = client.createCheckStatusResponse(new HttpRequest({ url: 'https://api.example.com/api/x' }), 'i1');
    expect(response.status).toBe(202);
    expect(response.headers.get('retry-after')).toBe('10');
    const body = (await response.json()) as { statusQueryGetUri: string };
    expect(
      body.statusQueryGetUri.startsWith('https://api.example.com/runtime/webhooks/durabletask/instances/i1?'),
    ).toBe(true);
    expect(response.headers.get('location')).toBe(body.statusQueryGetUri);
  });

  it('waitForCompletionOrCreateCheckStatusResponse: 200 output, 500 failed, 202 on timeout, both signatures', async () => {
    const hub = fakeHub();
    const client = createDurableHttpClient(hub.client, urls);
    const now = new Date();
    hub.instances.set('done', {
      name: 'Hello',
      instanceId: 'done',
      runtimeStatus: 'Completed',
      output: [1],
      createdTime: now,
    });
    hub.instances.set('bad', { name: 'Hello', instanceId: 'bad', runtimeStatus: 'Failed', createdTime: now });
    hub.instances.set('busy', { name: 'Hello', instanceId: 'busy', runtimeStatus: 'Running', createdTime: now });
    const request = { url: 'http://127.0.0.1:7071/api/start' };
    const done = await client.waitForCompletionOrCreateCheckStatusResponse(request, 'done', {
      timeoutInMilliseconds: 100,
      retryIntervalInMilliseconds: 10,
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual([1]);
    const failed = await client.waitForCompletionOrCreateCheckStatusResponse(request, 'bad', 100, 10);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ runtimeStatus: 'Failed', instanceId: 'bad' });
    const busy = await client.waitForCompletionOrCreateCheckStatusResponse(request, 'busy', {
      timeoutInMilliseconds: 50,
      retryIntervalInMilliseconds: 10,
    });
    expect(busy.status).toBe(202);
    await expect(
      client.waitForCompletionOrCreateCheckStatusResponse(request, 'busy', {
        timeoutInMilliseconds: 10,
        retryIntervalInMilliseconds: 100,
      }),
    ).rejects.toThrow(/should be bigger than retry timeout/);
  });

  it("passes the hub client's own methods through", async () => {
    const hub = fakeHub();
    const client = createDurableHttpClient(hub.client, urls);
    const id = await client.startNew('Hello', { instanceId: 'p1' });
    expect(id).toBe('p1');
    expect(client.taskHubName).toBe('FakeHub');
  });
});
