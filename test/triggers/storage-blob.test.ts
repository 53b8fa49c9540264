// The blob trigger through `taskhub start` against a real Azurite: a new blob fires once, its receipt (kept in the
// account's azure-webjobs-hosts container) survives a restart of the host, and a changed blob fires again.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startHost } from '../e2e/host.js';
import { until } from '../until.js';
import { blobText, peekDecoded, startTestAzurite, type TestAzurite } from './storage-azurite.js';

const APP = path.join(ROOT, 'test/fixtures/storage-code-first');

let storage: TestAzurite;
beforeAll(async () => {
  storage = await startTestAzurite();
}, 90_000);
afterAll(async () => {
  await storage?.stop();
});

async function upload(name: string, text: string): Promise<void> {
  const container = storage.blobs.getContainerClient('uploads');
  await container.createIfNotExists();
  await container.getBlockBlobClient(name).uploadData(Buffer.from(text));
}

async function lastModified(container: string, name: string): Promise<number> {
  const properties = await storage.blobs.getContainerClient(container).getBlobClient(name).getProperties();
  return properties.lastModified!.getTime();
}

describe('storage blob trigger', () => {
  it('fires once per blob version, across host restarts, with {name} in the output path', async () => {
    // Written before the host starts: the first scan finds it.
    await upload('before.txt', 'early');
    const env = { AzureWebJobsStorage: storage.connectionString };
    let host = await startHost(APP, { env });
    try {
      await until(async () => (await blobText(storage.blobs, 'processed', 'before.txt')) !== undefined, {
        what: 'processed/before.txt',
      });
      expect(await blobText(storage.blobs, 'processed', 'before.txt')).toBe('before.txt: EARLY');
      await upload('a.txt', 'hello');
      await until(async () => (await blobText(storage.blobs, 'processed', 'a.txt')) !== undefined, {
        what: 'processed/a.txt',
      });
      expect(await blobText(storage.blobs, 'processed', 'a.txt')).toBe('a.txt: HELLO');
    } finally {
      expect(await host.stop()).toBe(0);
    }
    const firstWrite = await lastModified('processed', 'a.txt');
    const receipts: string[] = [];
    for await (const blob of storage.blobs.getContainerClient('azure-webjobs-hosts').listBlobsFlat()) {
      receipts.push(blob.name);
    }
    expect(receipts.filter((name) => name.includes('/OnUpload/') && name.endsWith('/uploads/a.txt'))).toHaveLength(1);

    host = await startHost(APP, { env });
    try {
      // A new blob after the restart fires; the old ones, already receipted, do not fire again.
      await upload('b.txt', 'second');
      await until(async () => (await blobText(storage.blobs, 'processed', 'b.txt')) !== undefined, {
        what: 'processed/b.txt',
      });
      expect(await lastModified('processed', 'a.txt')).toBe(firstWrite);
      // A changed blob (a new ETag) fires again.
      await upload('a.txt', 'changed');
      await until(async () => (await blobText(storage.blobs, 'processed', 'a.txt')) === 'a.txt: CHANGED', {
        what: 'processed/a.txt to change',
      });
      // One invocation per blob version, told by the queue output each invocation writes.
      expect((await peekDecoded(storage.queues, 'uploads-seen')).sort()).toEqual([
        'uploads/a.txt',
        'uploads/a.txt',
        'uploads/b.txt',
        'uploads/before.txt',
      ]);
    } finally {
      expect(await host.stop()).toBe(0);
    }
  });
});
