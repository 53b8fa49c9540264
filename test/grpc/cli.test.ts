// The command line: `taskhub serve-grpc` serves a SQLite hub to SDK workers and clients (and the CLI sees the same
// instances), and `taskhub start --grpc` lets SDK clients drive the app's own orchestrations.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { NoOpLogger, OrchestrationStatus, TaskHubGrpcClient, TaskHubGrpcWorker } from '@microsoft/durabletask-js';
import { afterEach, expect, it } from 'vitest';
import { cliCommand, ROOT, runCli, startHost, type RunningHost } from '../e2e/host.js';
import { sidecarClientConstructor } from '../../src/grpc/proto.js';
import { until } from '../until.js';
import { helloCities, registerAll } from './orchestrations.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function grpcAddress(output: string): string | undefined {
  return /Durable Task gRPC endpoint[^:]*: http:\/\/(\S+)/.exec(output)?.[1];
}

it('taskhub serve-grpc serves a SQLite hub to SDK workers and clients; the CLI sees the same instances', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taskhub-serve-grpc-'));
  const store = `sqlite:${path.join(dir, 'hub.db')}`;
  const child = spawn(process.execPath, [...cliCommand(), 'serve-grpc', '--store', store, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  await until(() => grpcAddress(output) !== undefined, { what: `the gRPC endpoint banner in:\n${output}` });
  const address = grpcAddress(output)!;

  const worker = new TaskHubGrpcWorker({ hostAddress: address, logger: new NoOpLogger() });
  registerAll(worker);
  await worker.start();
  const client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
  cleanups.push(async () => {
    await worker.stop();
    await client.stop();
  });
  const id = await client.scheduleNewOrchestration(helloCities, undefined, 'cli-cities');
  const state = await client.waitForOrchestrationCompletion(id, true, 60);
  expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);

  const status = await runCli(['status', id, '--store', store]);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain('Completed');
  expect(status.stdout).toContain('Hello Lima!');

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

it('taskhub start --grpc lets SDK clients run the app’s orchestrations and refuses SDK workers', async () => {
  const host: RunningHost = await startHost('examples/hello-ts', { args: ['--grpc', '0'] });
  cleanups.push(() => host.stop());
  await until(() => grpcAddress(host.output()) !== undefined, { what: 'the gRPC endpoint banner' });
  const address = grpcAddress(host.output())!;
  const client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
  cleanups.push(() => client.stop());

  const id = await client.scheduleNewOrchestration('HelloOrchestrator', undefined, 'from-sdk');
  const state = await client.waitForOrchestrationCompletion(id, true, 60);
  expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
  const res = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/from-sdk`);
  expect(((await res.json()) as { runtimeStatus: string }).runtimeStatus).toBe('Completed');

  await expect(client.scheduleNewOrchestration('NoSuchOrchestrator')).rejects.toThrow(/NoSuchOrchestrator/);

  // The app's worker runs this hub: an SDK worker's stream is refused with the reason.
  const Raw = sidecarClientConstructor();
  const raw = new Raw(address, grpc.credentials.createInsecure());
  const stream = (raw as unknown as Record<string, (req: object) => grpc.ClientReadableStream<unknown>>).GetWorkItems!(
    {},
  );
  const refused = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
  raw.close();
  expect(refused.code).toBe(grpc.status.FAILED_PRECONDITION);
  expect(refused.details).toContain('serve-grpc');
});
