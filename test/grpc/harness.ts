// A task hub served over gRPC and HTTP in the test process, and the official Durable Task SDK
// (@microsoft/durabletask-js, running on this Node) as its client and worker.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NoOpLogger, TaskHubGrpcClient, TaskHubGrpcWorker } from '@microsoft/durabletask-js';
import { AppDefinition } from '../../src/app/app-definition.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/grpc/server.js';
import { openTaskHub, type OpenedTaskHub } from '../../src/hub.js';
import { startHttpHost, type RunningHttpHost } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import type { Store } from '../../src/store/store.js';

export interface GrpcHarness {
  readonly hub: OpenedTaskHub;
  readonly grpc: RunningGrpcServer;
  readonly http: RunningHttpHost;
  readonly client: TaskHubGrpcClient;
  /** A started SDK worker (stopped by close()). */
  worker(register: (w: TaskHubGrpcWorker) => void): Promise<TaskHubGrpcWorker>;
  close(): Promise<void>;
}

/** A hub on `store` (default: a fresh SQLite file), its gRPC endpoint on a free loopback port, and its HTTP host. */
export async function startHarness(
  options: { store?: Store; leaseMs?: number; pollMs?: number } = {},
): Promise<GrpcHarness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taskhub-grpc-'));
  const logger = createLogger({ level: 'silent' });
  const hub = await openTaskHub({ store: options.store ?? path.join(dir, 'hub.db'), worker: false, logger });
  const grpc = await startGrpcServer({
    store: hub.store,
    logger,
    port: 0,
    pollMs: options.pollMs ?? 50,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });
  const http = await startHttpHost({ hub, port: 0, logger, app: new AppDefinition() });
  const client = new TaskHubGrpcClient({ hostAddress: grpc.address, logger: new NoOpLogger() });
  const workers: TaskHubGrpcWorker[] = [];
  return {
    hub,
    grpc,
    http,
    client,
    async worker(register) {
      const w = new TaskHubGrpcWorker({ hostAddress: grpc.address, logger: new NoOpLogger() });
      register(w);
      await w.start();
      workers.push(w);
      return w;
    },
    async close() {
      for (const w of workers) await w.stop();
      await client.stop();
      await http.close(0);
      await grpc.close();
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
