// Trace context across processes on PostgreSQL: the test process starts instances under a span of its own (client
// only, no worker), and a separate worker process with its own SDK runs them. The worker learns each instance's trace
// only from the stored ExecutionStarted event, and its spans (episodes, activities, the timer, the sub-orchestration
// and the child's own spans) land in the caller's trace under the start span.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { createLogger } from '../../src/log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { until } from '../until.js';
import { readSpanLines } from './file-span-exporter.js';
import { registerSdk, type RegisteredSdk } from './otel-sdk.js';
import { pgAppRegistry } from './pg-app.js';

const HUB = 'OtelHub';
const dir = mkdtempSync(join(tmpdir(), 'taskhub-otel-pg-'));
const spansFile = join(dir, 'spans.jsonl');
const exporter = new InMemorySpanExporter();
let server: PgServer;
let sdk: RegisteredSdk;
let client: TaskHub;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  server = await startPgServer();
  sdk = registerSdk(exporter);
  client = await openTaskHub({
    store: openPostgresStore({ connectionString: server.connectionString, hubName: HUB }),
    registry: pgAppRegistry(),
    worker: false,
    logger: createLogger({ level: 'silent' }),
  });
  worker = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'pg-worker-child.ts'), server.connectionString, HUB, spansFile],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    worker?.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    worker?.once('exit', (code) => reject(new Error(`worker exited with ${String(code)} before it was ready`)));
  });
}, 120_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await client?.close();
  await sdk?.shutdown();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('trace context on PostgreSQL', () => {
  it("a worker process joins the caller's trace from the stored ExecutionStarted", async () => {
    const caller = trace.getTracer('test').startSpan('caller');
    await context.with(trace.setSpan(context.active(), caller), () =>
      client.client.startNew('Trip', { instanceId: 'trip-1' }),
    );
    caller.end();
    const traceId = caller.spanContext().traceId;
    await until(async () => (await client.client.getStatus('trip-1'))?.runtimeStatus === 'Completed', {
      what: 'trip-1 to complete',
    });
    const create = exporter.getFinishedSpans().find((s) => s.name === 'create_orchestration:Trip')!;
    expect(create.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    const root = create.spanContext().spanId;

    // The last spans are written after the last commit: wait for the final episode's.
    await until(
      () =>
        readSpanLines(spansFile).some(
          (s) => s.name === 'orchestration:Trip' && s.attributes['durabletask.task.status'] === 'Completed',
        ),
      { what: 'the final episode span' },
    );
    const spans = readSpanLines(spansFile);
    expect(spans.every((s) => s.pid === worker?.pid)).toBe(true);
    for (const s of spans) expect(s.traceId, s.name).toBe(traceId);
    const own = spans.filter((s) => s.attributes['durabletask.task.instance_id'] === 'trip-1');
    expect(own.map((s) => s.name)).toEqual(
      expect.arrayContaining(['orchestration:Trip', 'activity:Hello', 'orchestration:Trip:timer']),
    );
    for (const s of own.filter((x) => x.kind !== SpanKind.CLIENT)) expect(s.parentSpanId, s.name).toBe(root);
    const call = spans.find((s) => s.name === 'orchestration:Child' && s.kind === SpanKind.CLIENT)!;
    expect(call.parentSpanId).toBe(root);
    const child = spans.filter((s) => s.attributes['durabletask.task.instance_id'] === 'trip-1-child');
    expect(child.length).toBeGreaterThan(1);
    for (const s of child.filter((x) => x !== call)) expect(s.parentSpanId, s.name).toBe(call.spanId);
  });
});
