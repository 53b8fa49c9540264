// Lease loss, as it happens: this process's worker runs an orchestrator that stops the whole process (a synchronous
// loop), so its lease is not renewed; another worker process on the same SQLite file takes the instance over and
// finishes it. When this process wakes up, the store rejects its commit: the lease_lost counter says so, and the
// rejected episode leaves no span behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { createLogger } from '../../src/log.js';
import { MetricNames } from '../../src/telemetry/metrics.js';
import { until } from '../until.js';
import { registerSdk, type RegisteredSdk } from './otel-sdk.js';
import { blockUntilFinishedElsewhere } from '../crash/block-until-finished.js';

const dir = mkdtempSync(join(tmpdir(), 'taskhub-otel-lease-'));
const file = join(dir, 'hub.db');
const exporter = new InMemorySpanExporter();
let sdk: RegisteredSdk;
let hub: TaskHub;
let other: ChildProcess | undefined;

function startOther(): void {
  other = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'lease-child.ts'), file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

beforeAll(async () => {
  sdk = registerSdk(exporter);
  const registry = new FunctionRegistry();
  registry.registerOrchestration('Slow', function* (ctx: OrchestrationContext) {
    yield* [];
    // The other worker starts only now, so it cannot take the instance before this worker holds it.
    startOther();
    blockUntilFinishedElsewhere(file, ctx.df.instanceId);
    return 'finished here';
  });
  hub = await openTaskHub({
    store: file,
    registry,
    worker: { leaseMs: 300, pollIntervalMs: 20 },
    logger: createLogger({ level: 'silent' }),
  });
}, 60_000);

afterAll(async () => {
  if (other && other.exitCode === null) {
    const exited = new Promise((resolve) => other?.once('exit', resolve));
    other.kill('SIGTERM');
    await exited;
  }
  await hub?.close();
  await sdk?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe('lease loss', () => {
  it('counts the rejected commit of a worker that lost its lease, and traces nothing for it', async () => {
    // Stored before this worker runs, so its first episode is claimed from the store (not a local start).
    await hub.client.startNew('Slow', { instanceId: 'slow-1' });
    expect(await sdk.metric(MetricNames.leaseLost)).toBe(0);
    await hub.start();
    await until(async () => (await sdk.metric(MetricNames.leaseLost)) === 1, { what: 'the lease loss to be counted' });
    const status = await hub.client.getStatus('slow-1');
    expect(status?.runtimeStatus).toBe('Completed');
    expect(status?.output).toBe('finished by the other worker');
    // Only the start was traced here: the episode this process ran was never committed.
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['create_orchestration:Slow']);
  });
});
