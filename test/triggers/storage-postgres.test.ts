// The queue-started orchestrations on a PostgreSQL task hub: `taskhub start` and a `taskhub worker` share one hub
// and compete for one storage queue (a real Azurite); every order runs once and completes, whichever took it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, ROOT, startHost } from '../e2e/host.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { until } from '../until.js';
import { blobText, peekDecoded, sendJson, startTestAzurite, type TestAzurite } from './storage-azurite.js';

const APP = path.join(ROOT, 'test/fixtures/storage-code-first');
const HUB = 'StorageOnPg';
const ORDERS = Array.from({ length: 8 }, (_, i) => ({ orderId: `pg-${String(i)}`, quantity: i, price: 10 }));

let server: PgServer;
let storage: TestAzurite;
beforeAll(async () => {
  [server, storage] = await Promise.all([startPgServer(), startTestAzurite()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([server?.stop(), storage?.stop()]);
});

describe('storage queue trigger on PostgreSQL', () => {
  it('a host and a worker on one hub share the queue; each order completes once', async () => {
    const env = { AzureWebJobsStorage: storage.connectionString };
    const store = ['--store', server.connectionString, '--hub', HUB];
    const host = await startHost(APP, { env, args: store });
    const worker = spawn(process.execPath, [...cliCommand(), 'worker', APP, ...store], {
      cwd: ROOT,
      env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let workerOutput = '';
    worker.stdout.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
    const workerExited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    try {
      await until(() => workerOutput.includes('no HTTP'), { what: 'the worker to be ready' });
      expect(workerOutput).toContain(`Storage: Azurite at http://127.0.0.1:${String(storage.azurite.blobPort)}`);
      for (const order of ORDERS) await sendJson(storage.queues, 'orders', order);

      const completed = async (): Promise<number> => {
        const response = await fetch(
          `${host.url}/runtime/webhooks/durabletask/instances?instanceIdPrefix=pg-&runtimeStatus=Completed`,
        );
        return ((await response.json()) as unknown[]).length;
      };
      await until(async () => (await completed()) === ORDERS.length, { what: 'every order to complete' });
      for (const order of ORDERS) {
        expect(JSON.parse((await blobText(storage.blobs, 'receipts', `${order.orderId}.json`)) ?? 'null')).toEqual({
          orderId: order.orderId,
          total: order.quantity * order.price,
        });
      }
      // One queue function run per order: one started message each, and no message left or poisoned.
      const started = (await peekDecoded(storage.queues, 'started')).map(
        (m) => (JSON.parse(m) as { instanceId: string }).instanceId,
      );
      expect(started.sort()).toEqual(ORDERS.map((o) => o.orderId).sort());
      expect(await peekDecoded(storage.queues, 'orders')).toEqual([]);
      expect(await peekDecoded(storage.queues, 'orders-poison')).toEqual([]);

      // Blobs: both processes scan the container; the receipt lease lets one of them fire each blob.
      const uploads = storage.blobs.getContainerClient('uploads');
      await uploads.createIfNotExists();
      const names = ['one.txt', 'two.txt', 'three.txt', 'four.txt'];
      for (const name of names) await uploads.getBlockBlobClient(name).uploadData(Buffer.from(name));
      await until(
        async () => {
          const done = await Promise.all(names.map((n) => blobText(storage.blobs, 'processed', n)));
          return done.every((text) => text !== undefined);
        },
        { what: 'every upload to be processed' },
      );
      expect((await peekDecoded(storage.queues, 'uploads-seen')).sort()).toEqual(
        names.map((n) => `uploads/${n}`).sort(),
      );
    } finally {
      worker.kill('SIGTERM');
      expect(await workerExited).toBe(0);
      expect(await host.stop()).toBe(0);
    }
  });
});
