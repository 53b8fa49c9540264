// Bound to an address other than loopback, the gRPC endpoint wants a key in the x-functions-key metadata header on
// every call, as the management API does; the SDK passes it through its metadata generator.
import * as grpc from '@grpc/grpc-js';
import { NoOpLogger, OrchestrationStatus, TaskHubGrpcClient, TaskHubGrpcWorker } from '@microsoft/durabletask-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGrpcServer, type RunningGrpcServer } from '../../src/grpc/server.js';
import { openTaskHub, type OpenedTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { helloCities, registerAll } from './orchestrations.js';

let hub: OpenedTaskHub;
let server: RunningGrpcServer;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  hub = await openTaskHub({ store: ':memory:', worker: false, logger });
  server = await startGrpcServer({ store: hub.store, logger, host: '0.0.0.0', port: 0, keys: ['s3cret'] });
});

afterAll(async () => {
  await server.close();
  await hub.close();
});

const withKey = (key: string) => () => {
  const metadata = new grpc.Metadata();
  metadata.set('x-functions-key', key);
  return Promise.resolve(metadata);
};

it('refuses to bind beyond loopback without keys', async () => {
  await expect(startGrpcServer({ store: hub.store, logger, host: '0.0.0.0', port: 0 })).rejects.toThrow(/TASKHUB_KEY/);
});

it('answers UNAUTHENTICATED without the key or with a wrong one, and serves SDK clients and workers with it', async () => {
  const address = `127.0.0.1:${String(server.port)}`;
  for (const generator of [undefined, withKey('wrong')]) {
    const client = new TaskHubGrpcClient({
      hostAddress: address,
      logger: new NoOpLogger(),
      ...(generator ? { metadataGenerator: generator } : {}),
    });
    await expect(client.getOrchestrationState('anything')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await client.stop();
  }

  const client = new TaskHubGrpcClient({
    hostAddress: address,
    logger: new NoOpLogger(),
    metadataGenerator: withKey('s3cret'),
  });
  const worker = new TaskHubGrpcWorker({
    hostAddress: address,
    logger: new NoOpLogger(),
    metadataGenerator: withKey('s3cret'),
  });
  registerAll(worker);
  await worker.start();
  try {
    const id = await client.scheduleNewOrchestration(helloCities);
    const state = await client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
  } finally {
    await worker.stop();
    await client.stop();
  }
});
