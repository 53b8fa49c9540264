// Queue triggers and storage bindings through `taskhub start`, against a real Azurite the test starts: orders put on
// a queue start orchestrations whose activities write blobs, read back by an input binding, by the test's Storage SDK
// and by the app's own SDK code; a message that keeps failing lands in `<queue>-poison`.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, post, startHost, type RunningHost } from '../e2e/host.js';
import { until } from '../until.js';
import { blobText, peekDecoded, sendJson, startTestAzurite, type TestAzurite } from './storage-azurite.js';

const CODE_FIRST = path.join(ROOT, 'test/fixtures/storage-code-first');
const CLASSIC = path.join(ROOT, 'test/fixtures/storage-classic');

let storage: TestAzurite;
beforeAll(async () => {
  storage = await startTestAzurite();
}, 90_000);
afterAll(async () => {
  await storage?.stop();
});

async function instanceStatus(host: RunningHost, id: string): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${id}`);
  if (response.status === 404) return undefined;
  return (await response.json()) as Record<string, unknown>;
}

describe('storage queue trigger (code-first app)', () => {
  let host: RunningHost;
  beforeAll(async () => {
    host = await startHost(CODE_FIRST, { env: { AzureWebJobsStorage: storage.connectionString } });
  }, 90_000);
  afterAll(async () => {
    expect(await host?.stop()).toBe(0);
  });

  it('lists the storage functions as served and the Azurite it found', () => {
    const output = host.output();
    expect(output).toContain('QueueStart: queueTrigger');
    expect(output).toContain('OnUpload: blobTrigger');
    expect(output).not.toContain('not served by Taskhub');
    expect(output).toContain(`Storage: Azurite at http://127.0.0.1:${String(storage.azurite.blobPort)}`);
    expect(output).not.toContain('started by Taskhub');
  });

  it('a queue message starts an orchestration whose activity writes a blob, read back by binding and SDK', async () => {
    await sendJson(storage.queues, 'orders', { orderId: 'order-1', quantity: 3, price: 7 });
    let status: Record<string, unknown> | undefined;
    await until(async () => (status = await instanceStatus(host, 'order-1'))?.runtimeStatus === 'Completed', {
      what: 'order-1 to complete',
    });
    expect(status?.output).toEqual({ orderId: 'order-1', total: 21 });

    // The activity's blob output, seen by the test's own Storage SDK …
    expect(JSON.parse((await blobText(storage.blobs, 'receipts', 'order-1.json')) ?? 'null')).toEqual({
      orderId: 'order-1',
      total: 21,
    });
    // … by an HTTP function's blob input binding …
    const receipt = await fetch(`${host.url}/api/receipts/order-1`);
    expect(receipt.status).toBe(200);
    expect(await receipt.json()).toEqual({ orderId: 'order-1', total: 21 });
    expect((await fetch(`${host.url}/api/receipts/no-such-order`)).status).toBe(404);
    // … and by the app's own Storage SDK code, with the queues its bindings created.
    const view = (await (await fetch(`${host.url}/api/sdk-view`)).json()) as { receipts: string[]; queues: string[] };
    expect(view.receipts).toContain('order-1.json');
    expect(view.queues).toEqual(expect.arrayContaining(['orders', 'started']));

    // The queue function's own output: a base64 message (the host's default encoding) with its trigger metadata.
    await until(async () => (await peekDecoded(storage.queues, 'started')).length > 0, { what: 'a started message' });
    const [started] = (await peekDecoded(storage.queues, 'started')).map(
      (m) => JSON.parse(m) as Record<string, unknown>,
    );
    expect(started).toMatchObject({ instanceId: 'order-1', dequeueCount: 1 });
    expect(typeof started?.messageId).toBe('string');
    // Consumed: the order message was deleted after the successful invocation.
    expect(await peekDecoded(storage.queues, 'orders')).toEqual([]);
  });

  it('an HTTP function queue output feeds the queue trigger in the same process', async () => {
    const answered = await post(`${host.url}/api/orders`, { orderId: 'order-2', quantity: 2, price: 5 });
    expect(answered.status).toBe(202);
    await until(async () => (await instanceStatus(host, 'order-2'))?.runtimeStatus === 'Completed', {
      what: 'order-2 to complete',
    });
    expect(await blobText(storage.blobs, 'receipts', 'order-2.json')).toBe('{"orderId":"order-2","total":10}');
  });

  it('a message that keeps failing is moved to <queue>-poison after maxDequeueCount deliveries', async () => {
    await sendJson(storage.queues, 'always-fails', { item: 'bad' });
    await until(async () => (await peekDecoded(storage.queues, 'always-fails-poison')).length > 0, {
      what: 'the poison message',
    });
    expect(await peekDecoded(storage.queues, 'always-fails-poison')).toEqual(['{"item":"bad"}']);
    expect(await peekDecoded(storage.queues, 'always-fails')).toEqual([]);
    // host.json maxDequeueCount 2: two deliveries, each one failed invocation, then the poison queue.
    await until(() => host.output().includes('moved to always-fails-poison'), { what: 'the poison log line' });
    expect(host.output()).toContain("queue trigger 'AlwaysFails' failed (delivery 1 of 2)");
    expect(host.output()).toContain("queue trigger 'AlwaysFails' failed (delivery 2 of 2)");
    expect(host.output()).not.toContain('delivery 3 of 2');
  });

  it('a failed delivery comes back after visibilityTimeout and succeeds the second time (at-least-once)', async () => {
    await sendJson(storage.queues, 'flaky', { text: 'retry me' });
    await until(async () => (await peekDecoded(storage.queues, 'flaky-done')).length > 0, { what: 'the retry' });
    expect((await peekDecoded(storage.queues, 'flaky-done')).map((m) => JSON.parse(m) as unknown)).toEqual([
      { message: { text: 'retry me' }, dequeueCount: 2 },
    ]);
    expect(await peekDecoded(storage.queues, 'flaky')).toEqual([]);
    expect(await peekDecoded(storage.queues, 'flaky-poison')).toEqual([]);
  });

  it('an output that cannot be delivered fails the invocation, naming the binding expression', async () => {
    const response = await fetch(`${host.url}/api/bad-output`, { method: 'POST' });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('no value for the binding expression {noSuchField}');
  });

  it('a message that is not base64 goes to the poison queue without running the function', async () => {
    const queue = storage.queues.getQueueClient('orders');
    await queue.sendMessage('{"orderId": "not-base64"}');
    await until(async () => (await queue.getProperties()).approximateMessagesCount === 0, {
      what: 'the orders queue to empty',
    });
    const poison = storage.queues.getQueueClient('orders-poison');
    const { peekedMessageItems } = await poison.peekMessages();
    expect(peekedMessageItems.map((m) => m.messageText)).toEqual(['{"orderId": "not-base64"}']);
    expect(await instanceStatus(host, 'not-base64')).toBeUndefined();
  });
});

describe('storage queue trigger (classic function.json app)', () => {
  it('a queueTrigger with an orchestrationClient binding starts orchestrations; $return, blob outputs and blobTrigger work', async () => {
    const host = await startHost(CLASSIC, { env: { AzureWebJobsStorage: storage.connectionString } });
    try {
      expect(host.output()).toContain('QueueStart: queueTrigger');
      expect(host.output()).not.toContain('is not served by Taskhub');
      await sendJson(storage.queues, 'greetings', { id: 'greet-1', names: ['Tokyo', 'Seattle'] });
      let status: Record<string, unknown> | undefined;
      await until(async () => (status = await instanceStatus(host, 'greet-1'))?.runtimeStatus === 'Completed', {
        what: 'greet-1 to complete',
      });
      expect(status?.output).toEqual(['Hello Tokyo!', 'Hello Seattle!']);
      // The activities' function.json blob outputs, read by the SDK and by a classic blob input binding.
      expect(await blobText(storage.blobs, 'cards', 'Seattle.txt')).toBe('Hello Seattle!');
      const card = await fetch(`${host.url}/api/cards/Tokyo`);
      expect(await card.text()).toBe('Hello Tokyo!');
      expect((await fetch(`${host.url}/api/cards/Nowhere`)).status).toBe(404);
      // `$return` of the queue function went to its queue output.
      await until(async () => (await peekDecoded(storage.queues, 'greetings-started')).length > 0, {
        what: 'the $return message',
      });
      // A function.json blob trigger with a blob output, {name} from the path pattern.
      const notes = storage.blobs.getContainerClient('notes');
      await notes.createIfNotExists();
      await notes.getBlockBlobClient('memo.txt').uploadData(Buffer.from('quiet'));
      await until(async () => (await blobText(storage.blobs, 'shouted', 'memo.txt')) !== undefined, {
        what: 'shouted/memo.txt',
      });
      expect(await blobText(storage.blobs, 'shouted', 'memo.txt')).toBe('memo: QUIET (notes/memo.txt)');
      expect((await peekDecoded(storage.queues, 'greetings-started')).map((m) => JSON.parse(m) as unknown)).toEqual([
        { instanceId: 'greet-1', dequeueCount: 1 },
      ]);
    } finally {
      expect(await host.stop()).toBe(0);
    }
  });
});
