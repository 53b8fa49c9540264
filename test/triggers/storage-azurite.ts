// A real Azurite for storage tests: started by the test on free loopback ports with its data in a temp dir, reached
// through Microsoft's Storage SDKs with the development account's connection string.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../src/app/triggers/storage/azurite.js';
import { developmentConnectionString } from '../../src/app/triggers/storage/connection.js';

export interface TestAzurite {
  readonly azurite: RunningAzurite;
  readonly connectionString: string;
  readonly blobs: BlobServiceClient;
  readonly queues: QueueServiceClient;
  stop(): Promise<void>;
}

export async function startTestAzurite(): Promise<TestAzurite> {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-azurite-'));
  const azurite = await startAzurite({ location: dir, blobPort: 0, queuePort: 0, tablePort: 0 });
  const connectionString = developmentConnectionString({ blob: azurite.blobPort, queue: azurite.queuePort });
  return {
    azurite,
    connectionString,
    blobs: BlobServiceClient.fromConnectionString(connectionString),
    queues: QueueServiceClient.fromConnectionString(connectionString),
    async stop() {
      await azurite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sends a message as the Functions host and the portal do by default: JSON, base64-encoded. */
export async function sendJson(queues: QueueServiceClient, queueName: string, body: unknown): Promise<void> {
  const queue = queues.getQueueClient(queueName);
  await queue.createIfNotExists();
  await queue.sendMessage(Buffer.from(JSON.stringify(body)).toString('base64'));
}

/** The visible messages of a queue, base64-decoded (peeked: they stay where they are). */
export async function peekDecoded(queues: QueueServiceClient, queueName: string): Promise<string[]> {
  const queue = queues.getQueueClient(queueName);
  if (!(await queue.exists())) return [];
  const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8'));
}

/** Reads a blob as text, or undefined when it does not exist (yet). */
export async function blobText(blobs: BlobServiceClient, container: string, name: string): Promise<string | undefined> {
  const blob = blobs.getContainerClient(container).getBlobClient(name);
  if (!(await blob.exists())) return undefined;
  return (await blob.downloadToBuffer()).toString('utf8');
}

/** Free loopback ports (bound then released), for an Azurite that `taskhub start` is to start itself. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
