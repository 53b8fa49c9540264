// `taskhub start` starts Azurite itself when the app's storage bindings use the development account and nothing
// listens on its ports: a child of the host, data under the app's .taskhub/azurite/, surviving language worker
// restarts, stopped with the host.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, post, startHost } from '../e2e/host.js';
import { until } from '../until.js';
import { isListening } from '../../src/app/triggers/storage/azurite.js';
import { developmentConnectionString, developmentEndpoints } from '../../src/app/triggers/storage/connection.js';
import { freePorts, peekDecoded, sendJson } from './storage-azurite.js';

const APP = path.join(ROOT, 'test/fixtures/storage-code-first');
const DATA = path.join(APP, '.taskhub', 'azurite');

afterAll(() => {
  rmSync(path.join(APP, '.taskhub'), { recursive: true, force: true });
});

describe('Azurite started by taskhub start', () => {
  it('recognizes development storage connection strings', () => {
    expect(developmentEndpoints('UseDevelopmentStorage=true')?.queue.href).toBe(
      'http://127.0.0.1:10001/devstoreaccount1',
    );
    const explicit = developmentEndpoints(developmentConnectionString({ blob: 4100, queue: 4101 }));
    expect([explicit?.blob.port, explicit?.queue.port]).toEqual(['4100', '4101']);
    // Another account, or the development account somewhere else, is never emulated.
    expect(developmentEndpoints('DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5')).toBeUndefined();
    expect(
      developmentEndpoints(
        'AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://10.1.2.3:1/x;QueueEndpoint=http://10.1.2.3:2/x',
      ),
    ).toBeUndefined();
  });

  it('starts Azurite on the ports the settings name, keeps it across worker restarts, stops it with the host', async () => {
    const [blob, queue] = await freePorts(2);
    const connectionString = developmentConnectionString({ blob: blob!, queue: queue! });
    const blobUrl = new URL(`http://127.0.0.1:${String(blob)}`);
    expect(await isListening(blobUrl)).toBe(false);
    const host = await startHost(APP, { env: { AzureWebJobsStorage: connectionString } });
    const queues = QueueServiceClient.fromConnectionString(connectionString);
    try {
      expect(host.output()).toContain(`Storage: Azurite (started by Taskhub) at http://127.0.0.1:${String(blob)}`);
      expect(existsSync(DATA)).toBe(true);
      await sendJson(queues, 'orders', { orderId: 'auto-1', quantity: 1, price: 1 });
      await until(async () => (await peekDecoded(queues, 'started')).some((m) => m.includes('auto-1')), {
        what: 'auto-1 to start',
      });

      // The language worker ends and is restarted; Azurite, the host's child, keeps serving.
      const crashed = await post(`${host.url}/api/crash`);
      expect(crashed.status).toBe(202);
      const oldPid = (crashed.body as { pid: number }).pid;
      await until(
        async () => {
          const view = await fetch(`${host.url}/api/sdk-view`);
          return view.status === 200 && ((await view.json()) as { pid: number }).pid !== oldPid;
        },
        { what: 'a new language worker' },
      );
      expect((await post(`${host.url}/api/orders`, { orderId: 'auto-2', quantity: 1, price: 2 })).status).toBe(202);
      await until(async () => (await peekDecoded(queues, 'started')).some((m) => m.includes('auto-2')), {
        what: 'auto-2 to start after the restart',
      });
      expect(await isListening(blobUrl)).toBe(true);
      // The listeners polled before Azurite was up: expected at a fresh start, so no warning about it.
      expect(host.output()).not.toMatch(/queue-poll-failed|blob-scan-failed/);
    } finally {
      expect(await host.stop()).toBe(0);
    }
    expect(await isListening(blobUrl)).toBe(false);
  });
});
