// Traces and metrics of a real hub (SQLite file, HTTP over loopback) with the OpenTelemetry SDK registered as an app
// would: an instance started over HTTP with a W3C traceparent is one trace, from the caller's span through every
// episode, activity, timer, sub-orchestration and entity operation, each span once and under the right parent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppDefinition, withApp } from '../../src/app/app-definition.js';
import { app as azureApp } from '../../src/app/azure-functions.js';
import { clientFromBinding, isDurableClientBinding } from '../../src/app/durable-http-client.js';
import type { InvocationContext } from '../../src/app/invocation-context.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { startHttpHost, type RunningHttpHost } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { MetricNames } from '../../src/telemetry/metrics.js';
import { until } from '../until.js';
import { counter } from '../entities/counter-entity.js';
import { registerSdk, type RegisteredSdk } from './otel-sdk.js';

const dir = mkdtempSync(join(tmpdir(), 'taskhub-otel-'));
const exporter = new InMemorySpanExporter();
let sdk: RegisteredSdk;
let hub: TaskHub;
let http: RunningHttpHost;
const logLines: Record<string, unknown>[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
    done();
  },
});

function registry(): FunctionRegistry {
  const r = new FunctionRegistry();
  r.registerActivity('Hello', (name) => `Hello ${String(name)}!`);
  r.registerActivity('Boom', () => {
    throw new Error('boom');
  });
  r.registerEntity('Counter', counter);
  r.registerOrchestration('Child', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivity('Hello', ctx.df.getInput());
  });
  r.registerOrchestration('Chain', function* (ctx: OrchestrationContext) {
    const a = yield ctx.df.callActivity('Hello', 'Tokyo');
    yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 100));
    const b = yield ctx.df.callSubOrchestrator('Child', 'Seattle', `${ctx.df.instanceId}-child`);
    const n = yield ctx.df.callEntity(new EntityId('Counter', ctx.df.instanceId), 'add', 5);
    return [a, b, n];
  });
  r.registerOrchestration('Logs', function* (ctx: OrchestrationContext) {
    ctx.log('before the activity');
    yield ctx.df.callActivity('Hello', 'Logs');
    ctx.log('after the activity');
  });
  r.registerOrchestration('Sleeper', function* (ctx: OrchestrationContext) {
    yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 3_600_000));
  });
  r.registerOrchestration('Fails', function* (ctx: OrchestrationContext) {
    yield ctx.df.callActivity('Boom');
  });
  return r;
}

beforeAll(async () => {
  sdk = registerSdk(exporter);
  hub = await openTaskHub({
    store: join(dir, 'hub.db'),
    registry: registry(),
    logger: pino({ level: 'info' }, logStream),
  });
  await hub.start();
  // The app's own HTTP starter: the orchestration it starts joins the request's trace too.
  const app = new AppDefinition();
  await withApp(app, () => {
    azureApp.http('StartOne', {
      route: 'start/{name}/{id}',
      methods: ['POST'],
      extraInputs: [{ type: 'durableClient', name: 'client' }],
      handler: async (request, invocation: InvocationContext) => {
        const binding = invocation.extraInputs.get('client');
        if (!isDurableClientBinding(binding)) throw new Error('no durable client binding');
        const client = clientFromBinding(binding);
        const id = await client.startNew(request.params.name!, { instanceId: request.params.id!, input: 'Paris' });
        return client.createCheckStatusResponse(request, id);
      },
    });
    return Promise.resolve();
  });
  http = await startHttpHost({ hub, app, port: 0, logger: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await http?.close();
  await hub?.close();
  await sdk?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function finished(id: string): Promise<string> {
  let status = '';
  await until(
    async () => {
      status = (await hub.client.getStatus(id))?.runtimeStatus ?? '';
      return ['Completed', 'Failed', 'Terminated'].includes(status);
    },
    { what: `${id} to finish` },
  );
  return status;
}

const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
const attr = (s: ReadableSpan, key: string): unknown => s.attributes[key];

/** The spans of one trace, after every span of the instance has ended (the last ones end after their commit). */
async function traceSpans(traceId: string, atLeast: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
  let spans: ReadableSpan[] = [];
  await until(
    () => {
      spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      return atLeast(spans);
    },
    { what: 'the spans of the trace' },
  ).catch((e: unknown) => {
    process.stderr.write(
      exporter
        .getFinishedSpans()
        .map(
          (s) =>
            `${s.name} ${s.kind} ${s.spanContext().traceId} ${s.spanContext().spanId} <- ${s.parentSpanContext?.spanId} ${JSON.stringify(s.attributes)}`,
        )
        .join('\n') + '\n',
    );
    throw e;
  });
  return spans;
}

describe('OpenTelemetry traces', () => {
  it('an HTTP start with a traceparent is one trace: episodes, activity, timer, sub-orchestration, entity', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const response = await fetch(`${http.url}/runtime/webhooks/durabletask/orchestrators/Chain/traced-1`, {
      method: 'POST',
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01`, 'content-type': 'application/json' },
    });
    expect(response.status).toBe(202);
    expect(await finished('traced-1')).toBe('Completed');
    expect((await hub.client.getStatus('traced-1'))?.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', null]);

    const history = await hub.store.getHistory('traced-1');
    const episodes = history.filter((e) => e.eventType === 'OrchestratorStarted').length;
    const spans = await traceSpans(
      traceId,
      (s) =>
        s.filter((x) => x.name === 'orchestration:Chain' && x.kind === SpanKind.SERVER).length >= episodes &&
        s.some((x) => x.name === 'entity:counter:add'),
    );
    const named = (name: string): ReadableSpan[] => spans.filter((s) => s.name === name);
    const one = (name: string): ReadableSpan => {
      const found = named(name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };

    // The client's start is a child of the caller's span, and every span of the instance hangs under it.
    const create = one('create_orchestration:Chain');
    expect(parentOf(create)).toBe(callerSpanId);
    expect(attr(create, 'durabletask.task.instance_id')).toBe('traced-1');
    expect(attr(create, 'durabletask.type')).toBe('orchestration');
    const root = create.spanContext().spanId;

    // One server span per committed episode, no more: nothing is emitted again on replay.
    const chainEpisodes = spans.filter(
      (s) =>
        s.name === 'orchestration:Chain' &&
        attr(s, 'durabletask.task.instance_id') === 'traced-1' &&
        parentOf(s) === root,
    );
    expect(chainEpisodes).toHaveLength(episodes);
    expect(chainEpisodes.map((s) => attr(s, 'durabletask.task.status')).at(-1)).toBe('Completed');

    const hello = named('activity:Hello');
    expect(hello).toHaveLength(2);
    const tokyo = hello.find((s) => attr(s, 'durabletask.task.instance_id') === 'traced-1')!;
    expect(parentOf(tokyo)).toBe(root);
    expect(attr(tokyo, 'durabletask.task.task_id')).toBe(0);
    expect(attr(tokyo, 'durabletask.type')).toBe('activity');
    expect(attr(tokyo, 'durabletask.task.attempt')).toBe(1);

    const timer = one('orchestration:Chain:timer');
    expect(parentOf(timer)).toBe(root);
    expect(attr(timer, 'durabletask.type')).toBe('timer');
    expect(typeof attr(timer, 'durabletask.fire_at')).toBe('string');

    // The sub-orchestration joins through its parent's call span: its episodes and its activity hang under it.
    const call = spans.find((s) => s.name === 'orchestration:Child' && s.kind === SpanKind.CLIENT)!;
    expect(call).toBeDefined();
    expect(parentOf(call)).toBe(root);
    const childEpisodes = spans.filter((s) => s.name === 'orchestration:Child' && s.kind === SpanKind.SERVER);
    expect(childEpisodes.length).toBeGreaterThan(0);
    for (const s of childEpisodes) expect(parentOf(s)).toBe(call.spanContext().spanId);
    const seattle = hello.find((s) => attr(s, 'durabletask.task.instance_id') === 'traced-1-child')!;
    expect(parentOf(seattle)).toBe(call.spanContext().spanId);

    const entity = one('entity:counter:add');
    expect(parentOf(entity)).toBe(root);
    expect(attr(entity, 'durabletask.task.instance_id')).toBe('@counter@traced-1');
    expect(attr(entity, 'durabletask.task.operation')).toBe('call_entity');

    // Spans are emitted once each.
    const ids = spans.map((s) => s.spanContext().spanId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("an app's HTTP function that starts an instance passes the request's traceparent on", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const callerSpanId = 'b7ad6b7169203331';
    const response = await fetch(`${http.url}/api/start/Child/app-start-1`, {
      method: 'POST',
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    expect(response.status).toBe(202);
    expect(await finished('app-start-1')).toBe('Completed');
    const spans = await traceSpans(traceId, (all) =>
      all.some((x) => x.name === 'activity:Hello' && attr(x, 'durabletask.task.instance_id') === 'app-start-1'),
    );
    const create = spans.find((x) => x.name === 'create_orchestration:Child')!;
    expect(parentOf(create)).toBe(callerSpanId);
    const hello = spans.find((x) => x.name === 'activity:Hello')!;
    expect(parentOf(hello)).toBe(create.spanContext().spanId);
  });

  it('a malformed traceparent is ignored: the instance gets a trace of its own', async () => {
    const response = await fetch(`${http.url}/runtime/webhooks/durabletask/orchestrators/Child/bad-parent-1`, {
      method: 'POST',
      headers: { traceparent: '00-zzzz-not-a-span-01', 'content-type': 'application/json' },
      body: JSON.stringify('Oslo'),
    });
    expect(response.status).toBe(202);
    expect(await finished('bad-parent-1')).toBe('Completed');
    await until(
      () =>
        exporter
          .getFinishedSpans()
          .some(
            (x) =>
              x.name === 'create_orchestration:Child' && attr(x, 'durabletask.task.instance_id') === 'bad-parent-1',
          ),
      { what: 'the start span' },
    );
    const create = exporter
      .getFinishedSpans()
      .find(
        (x) => x.name === 'create_orchestration:Child' && attr(x, 'durabletask.task.instance_id') === 'bad-parent-1',
      )!;
    expect(create.parentSpanContext).toBeUndefined();
  });

  it('client startNew from a traced context joins that trace; a failed activity and instance are errors', async () => {
    const tracer = trace.getTracer('test');
    const caller = tracer.startSpan('caller');
    await context.with(trace.setSpan(context.active(), caller), () =>
      hub.client.startNew('Fails', { instanceId: 'fails-1' }),
    );
    caller.end();
    expect(await finished('fails-1')).toBe('Failed');
    const traceId = caller.spanContext().traceId;
    const spans = await traceSpans(traceId, (s) =>
      s.some((x) => x.name === 'orchestration:Fails' && x.attributes['durabletask.task.status'] === 'Failed'),
    );
    const create = spans.find((s) => s.name === 'create_orchestration:Fails')!;
    expect(parentOf(create)).toBe(caller.spanContext().spanId);
    const boom = spans.find((s) => s.name === 'activity:Boom')!;
    expect(boom.status.code).toBe(SpanStatusCode.ERROR);
    expect(boom.status.message).toContain('boom');
    const last = spans.find(
      (s) => s.name === 'orchestration:Fails' && s.attributes['durabletask.task.status'] === 'Failed',
    )!;
    expect(last.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe('OpenTelemetry and logs', () => {
  it("an orchestrator's log lines carry its trace and span ids, once each (replay-safe)", async () => {
    const tracer = trace.getTracer('test');
    const caller = tracer.startSpan('caller');
    await context.with(trace.setSpan(context.active(), caller), () =>
      hub.client.startNew('Logs', { instanceId: 'logs-1' }),
    );
    caller.end();
    expect(await finished('logs-1')).toBe('Completed');
    const spans = await traceSpans(caller.spanContext().traceId, (all) =>
      all.some((x) => x.name === 'create_orchestration:Logs'),
    );
    const create = spans.find((x) => x.name === 'create_orchestration:Logs')!;
    const lines = logLines.filter((l) => l.instanceId === 'logs-1' && String(l.msg).endsWith('the activity'));
    expect(lines.map((l) => l.msg)).toEqual(['before the activity', 'after the activity']);
    for (const line of lines) {
      expect(line.trace_id).toBe(caller.spanContext().traceId);
      expect(line.span_id).toBe(create.spanContext().spanId);
    }
  });
});

describe('OpenTelemetry metrics', () => {
  it('counts starts, completions and failures by name, and records activity and episode durations', async () => {
    const before = {
      started: await sdk.metric(MetricNames.started, { 'durabletask.task.name': 'Child' }),
      completed: await sdk.metric(MetricNames.completed, { 'durabletask.task.name': 'Chain' }),
      failed: await sdk.metric(MetricNames.failed, { 'durabletask.task.name': 'Fails' }),
      hello: await sdk.metric(MetricNames.activityDuration, { 'durabletask.task.name': 'Hello' }),
    };
    await hub.client.startNew('Chain', { instanceId: 'metrics-1' });
    await hub.client.startNew('Fails', { instanceId: 'metrics-2' });
    expect(await finished('metrics-1')).toBe('Completed');
    expect(await finished('metrics-2')).toBe('Failed');
    expect(await sdk.metric(MetricNames.started, { 'durabletask.task.name': 'Child' })).toBe(before.started + 1);
    expect(await sdk.metric(MetricNames.completed, { 'durabletask.task.name': 'Chain' })).toBe(before.completed + 1);
    expect(await sdk.metric(MetricNames.failed, { 'durabletask.task.name': 'Fails' })).toBe(before.failed + 1);
    expect(await sdk.metric(MetricNames.completed, { 'durabletask.task.name': 'Fails' })).toBe(0);
    expect(await sdk.metric(MetricNames.activityDuration, { 'durabletask.task.name': 'Hello' })).toBe(before.hello + 2);
    expect(await sdk.metric(MetricNames.episodeDuration, { 'durabletask.task.name': 'Chain' })).toBeGreaterThan(0);
  });

  it('reports the backlog: timers not yet due, gone once their instance ends', async () => {
    const timers = (): Promise<number> => sdk.metric(MetricNames.backlogTimers, { 'durabletask.task_hub': hub.name });
    expect(await timers()).toBe(0);
    await hub.client.startNew('Sleeper', { instanceId: 'sleeper-1' });
    await until(async () => (await timers()) === 1, { what: 'the timer in the backlog' });
    expect(await sdk.metric(MetricNames.backlogMessages, { 'durabletask.task_hub': hub.name })).toBe(0);
    await hub.client.terminate('sleeper-1', 'done');
    expect(await finished('sleeper-1')).toBe('Terminated');
    await until(async () => (await timers()) === 0, { what: 'the timer to leave the backlog' });
  });
});
