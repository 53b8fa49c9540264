// A telemetry failure never fails an orchestration: with a tracer provider whose spans throw and a meter provider
// whose instruments throw, a chain started over HTTP with a traceparent (an activity, a timer, a sub-orchestration
// and an entity call) completes with its output as if nothing were registered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, metrics, trace, type Meter, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppDefinition } from '../../src/app/app-definition.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { startHttpHost, type RunningHttpHost } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { counter } from '../entities/counter-entity.js';
import { until } from '../until.js';

const dir = mkdtempSync(join(tmpdir(), 'taskhub-otel-broken-'));
let hub: TaskHub;
let http: RunningHttpHost;
let thrown = 0;

function broken(): never {
  thrown++;
  throw new Error('the telemetry backend broke');
}

/** Every method of every object it hands out throws. */
const throwing = new Proxy({}, { get: () => broken });
const brokenTracing: TracerProvider = { getTracer: () => throwing as never };
const brokenMetrics: MeterProvider = { getMeter: () => throwing as Meter };

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(brokenTracing);
  metrics.setGlobalMeterProvider(brokenMetrics);
  const r = new FunctionRegistry();
  r.registerActivity('Hello', (name) => `Hello ${String(name)}!`);
  r.registerEntity('Counter', counter);
  r.registerOrchestration('Child', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivity('Hello', ctx.df.getInput());
  });
  r.registerOrchestration('Chain', function* (ctx: OrchestrationContext) {
    const a = yield ctx.df.callActivity('Hello', 'Tokyo');
    yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 50));
    const b = yield ctx.df.callSubOrchestrator('Child', 'Seattle', `${ctx.df.instanceId}-child`);
    yield ctx.df.callEntity(new EntityId('Counter', ctx.df.instanceId), 'add', 2);
    const n = yield ctx.df.callEntity(new EntityId('Counter', ctx.df.instanceId), 'get');
    ctx.log('done');
    return [a, b, n];
  });
  hub = await openTaskHub({ store: join(dir, 'hub.db'), registry: r, logger: createLogger({ level: 'silent' }) });
  await hub.start();
  http = await startHttpHost({ hub, app: new AppDefinition(), port: 0, logger: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await http?.close();
  await hub?.close();
  trace.disable();
  metrics.disable();
  context.disable();
  rmSync(dir, { recursive: true, force: true });
});

describe('a broken telemetry backend', () => {
  it('fails no orchestration: the chain completes as if nothing were registered', async () => {
    const response = await fetch(`${http.url}/runtime/webhooks/durabletask/orchestrators/Chain/broken-1`, {
      method: 'POST',
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(response.status).toBe(202);
    await hub.client.startNew('Chain', { instanceId: 'broken-2' });
    for (const id of ['broken-1', 'broken-2']) {
      await until(async () => (await hub.client.getStatus(id))?.runtimeStatus === 'Completed', {
        what: `${id} to complete`,
      });
      expect((await hub.client.getStatus(id))?.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 2]);
    }
    // The backend was called, and failed, all along the way.
    expect(thrown).toBeGreaterThan(0);
  });
});
