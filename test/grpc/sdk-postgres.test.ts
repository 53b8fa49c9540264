// The official SDK against a Taskhub hub on PostgreSQL over gRPC, with two SDK workers sharing the work.
import { OrchestrationStatus } from '@microsoft/durabletask-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { startHarness, type GrpcHarness } from './harness.js';
import { awaitApproval, helloCities, registerAll } from './orchestrations.js';

let server: PgServer;
let h: GrpcHarness;

beforeAll(async () => {
  server = await startPgServer();
  h = await startHarness({ store: openPostgresStore({ connectionString: server.connectionString, hubName: 'grpc' }) });
  await h.worker(registerAll);
  await h.worker(registerAll);
});

afterAll(async () => {
  await h?.close();
  await server?.stop();
});

it('runs chains and fan-outs on two SDK workers, and raises events, on a PostgreSQL hub', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push(await h.client.scheduleNewOrchestration(helloCities, undefined, `pg-${i}`));
  const waiting = await h.client.scheduleNewOrchestration(awaitApproval, undefined, 'pg-approval');
  await h.client.waitForOrchestrationStart(waiting, false, 60);
  await h.client.raiseOrchestrationEvent(waiting, 'approve', 42);
  for (const id of ids) {
    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toHaveLength(6);
  }
  const approved = await h.client.waitForOrchestrationCompletion(waiting, true, 60);
  expect(JSON.parse(approved?.serializedOutput ?? 'null')).toBe(42);
  const page = await h.hub.store.queryInstances({ instanceIdPrefix: 'pg-' });
  expect(page.instances.map((r) => r.runtimeStatus)).toEqual(Array(9).fill('Completed'));
});
