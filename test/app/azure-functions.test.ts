// What an app written for @azure/functions 4.x sees here: functions with triggers Taskhub cannot serve leave the rest
// served, hooks run where the Functions host runs them, and setting an output binding nobody delivers is reported once
// and never fails the function (activities included).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppDefinition, withApp } from '../../src/app/app-definition.js';
import { app, output, startApp, terminateApp, type PreInvocationContext } from '../../src/app/azure-functions.js';
import * as df from '../../src/app/durable-functions.js';
import { InvocationContext } from '../../src/app/invocation-context.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { createHttpApp } from '../../src/http/server.js';
import { fakeHub } from '../http/fake-hub.js';

const ORIGIN = 'http://localhost:7071';

/** A logger whose records the test can read. */
function capturedLogger() {
  const records: { msg: string; event?: string; binding?: { name: string; type?: string } }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()) as (typeof records)[number]);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), records };
}

async function serve(register: () => void) {
  const definition = new AppDefinition();
  await withApp(definition, () => Promise.resolve(register()));
  const { logger, records } = capturedLogger();
  const http = createHttpApp({ hub: fakeHub([]), app: definition, logger });
  return { definition, http, records };
}

describe('@azure/functions apps', () => {
  it('an app setting named in an HTTP trigger (%NAME%) is resolved, and a missing one puts its function in error', async () => {
    process.env.TASKHUB_TEST_ROUTE = 'orders/{id}';
    try {
      const { definition, http } = await serve(() => {
        app.http('Orders', { route: '%TASKHUB_TEST_ROUTE%', handler: (request) => ({ body: request.params.id }) });
      });
      expect(definition.httpFunctions[0]?.route).toBe('orders/{id}');
      expect(await (await http.request(`${ORIGIN}/api/orders/42`)).text()).toBe('42');
      // A missing one puts that function in error (not served, the reason kept for the start-up log), as the
      // Functions host does; the rest of the app is served.
      const missing = await serve(() => {
        app.http('Missing', { route: '%TASKHUB_TEST_NO_SUCH_SETTING%', handler: () => ({}) });
        app.http('Present', { route: 'present', handler: () => ({ body: 'here' }) });
      });
      expect(missing.definition.httpFunctions.map((f) => f.name)).toEqual(['Present']);
      expect(missing.definition.unservedFunctions.map((f) => `${f.name} ${f.trigger}: ${f.reason}`)).toEqual([
        "Missing httpTrigger: function 'Missing': %TASKHUB_TEST_NO_SUCH_SETTING% names no app setting; set " +
          'TASKHUB_TEST_NO_SUCH_SETTING in local.settings.json Values or the environment.',
      ]);
      expect(await (await missing.http.request(`${ORIGIN}/api/present`)).text()).toBe('here');
    } finally {
      delete process.env.TASKHUB_TEST_ROUTE;
    }
  });

  it("durable-functions' client functions on other triggers load and are listed as not served", async () => {
    const { definition } = await serve(() => {
      df.app.client.timer('NightlyStart', { schedule: '0 0 2 * * *', handler: () => undefined });
      df.app.client.storageQueue('QueueStart', {
        queueName: 'orders',
        connection: 'Storage',
        handler: () => undefined,
      });
      df.app.client.generic('GenericStart', {
        trigger: { type: 'serviceBusTrigger', name: 'message' },
        handler: () => undefined,
      });
    });
    expect(definition.unservedFunctions).toEqual([
      { name: 'NightlyStart', trigger: 'timerTrigger' },
      { name: 'QueueStart', trigger: 'queueTrigger' },
      { name: 'GenericStart', trigger: 'serviceBusTrigger' },
    ]);
  });

  it('an app with a timer, a queue and an HTTP function serves the HTTP one and lists the others', async () => {
    const { definition, http } = await serve(() => {
      app.timer('Nightly', { schedule: '0 0 2 * * *', handler: () => undefined });
      app.storageQueue('OnOrder', { queueName: 'orders', connection: 'AzureWebJobsStorage', handler: () => undefined });
      app.mcpTool('Tool', { toolName: 't', description: 'd', toolProperties: [], handler: () => undefined });
      app.http('Hello', { methods: ['GET'], handler: () => ({ body: 'hi' }) });
    });
    expect(definition.unservedFunctions).toEqual([
      { name: 'Nightly', trigger: 'timerTrigger' },
      { name: 'OnOrder', trigger: 'queueTrigger' },
      { name: 'Tool', trigger: 'mcpToolTrigger' },
    ]);
    const r = await http.request(`${ORIGIN}/api/Hello`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('hi');
  });

  it('runs preInvocation and postInvocation hooks around an HTTP function, in order, sharing hookData', async () => {
    const seen: string[] = [];
    const { http } = await serve(() => {
      app.hook.preInvocation((c) => {
        seen.push(`pre1 ${c.invocationContext.functionName}`);
        c.hookData.started = true;
      });
      app.hook.preInvocation((c: PreInvocationContext) => {
        seen.push('pre2');
        const original = c.functionHandler;
        c.functionHandler = (...args) => {
          seen.push('wrapped');
          return original(...args);
        };
      });
      app.hook.postInvocation((c) => {
        seen.push(`post ${String(c.hookData.started)} ${JSON.stringify(c.result)}`);
        c.result = { body: 'changed by hook' };
      });
      app.get('Hooked', () => {
        seen.push('handler');
        return { body: 'original' };
      });
    });
    const r = await http.request(`${ORIGIN}/api/Hooked`);
    expect(await r.text()).toBe('changed by hook');
    expect(seen).toEqual(['pre1 Hooked', 'pre2', 'wrapped', 'handler', 'post true {"body":"original"}']);
  });

  it('a postInvocation hook sees the error and may clear it', async () => {
    const { http } = await serve(() => {
      app.hook.postInvocation((c) => {
        expect((c.error as Error).message).toBe('boom');
        c.error = undefined;
        c.result = { status: 202 };
      });
      app.get('Fails', () => {
        throw new Error('boom');
      });
    });
    expect((await http.request(`${ORIGIN}/api/Fails`)).status).toBe(202);
  });

  it('appStart and appTerminate hooks run in order with shared hookData; dispose removes a hook', async () => {
    const seen: string[] = [];
    const definition = new AppDefinition();
    await withApp(definition, () => {
      app.hook.appStart((c) => {
        c.hookData.token = 'x';
        seen.push('start');
      });
      app.hook.appStart(() => seen.push('removed')).dispose();
      app.hook.appTerminate((c) => seen.push(`terminate ${String(c.hookData.token)}`));
      return Promise.resolve();
    });
    await startApp(definition);
    await terminateApp(definition);
    expect(seen).toEqual(['start', 'terminate x']);
  });

  it('extraOutputs.set of a binding Taskhub does not deliver keeps the value and warns once per binding', async () => {
    // Blobs and queue messages are delivered (test/triggers/storage-*.test.ts); tables are not.
    const blob = output.table({ tableName: 'rows', connection: 'AzureWebJobsStorage' });
    const { http, records } = await serve(() => {
      app.get('Writes', {
        extraOutputs: [blob],
        handler: (_request, context) => {
          context.extraOutputs.set(blob, 'one');
          context.extraOutputs.set(blob.name, 'two');
          return { body: String(context.extraOutputs.get(blob)) };
        },
      });
    });
    expect(await (await http.request(`${ORIGIN}/api/Writes`)).text()).toBe('two');
    expect((await http.request(`${ORIGIN}/api/Writes`)).status).toBe(200);
    const warnings = records.filter((r) => r.event === 'output.not-delivered');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.binding).toEqual({ name: blob.name, type: 'table' });
    expect(warnings[0]?.msg).toMatch(/'Writes' set '.*', a table output binding Taskhub does not deliver/);
  });

  it('a context made by user code (unit tests) has extraInputs and extraOutputs that never throw', () => {
    const context = new InvocationContext({ functionName: 'UnitTest', logger: capturedLogger().logger });
    expect(() => context.extraOutputs.set(output.storageQueue({ queueName: 'q', connection: 'c' }), 1)).not.toThrow();
    expect(context.extraInputs.get('missing')).toBeUndefined();
  });
});

describe('activities', () => {
  let hub: TaskHub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  it('an activity that sets an undelivered output binding completes; the orchestration does not fail', async () => {
    const queue = output.table({ tableName: 'rows', connection: 'AzureWebJobsStorage' });
    const registry = new FunctionRegistry();
    registry.registerActivity('Save', (input, context) => {
      context.extraOutputs.set(queue, input);
      return context.extraOutputs.get(queue);
    });
    registry.registerOrchestration('Saves', function* (ctx: OrchestrationContext) {
      const first: unknown = yield ctx.df.callActivity('Save', 'a');
      const second: unknown = yield ctx.df.callActivity('Save', 'b');
      return [first, second];
    });
    const { logger, records } = capturedLogger();
    hub = await openTaskHub({ store: ':memory:', registry, logger, worker: { pollIntervalMs: 20 } });
    await hub.start();
    const id = await hub.client.startNew('Saves');
    const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(['a', 'b']);
    const warnings = records.filter((r) => r.event === 'output.not-delivered');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.binding).toEqual({ name: queue.name, type: 'table' });
  });

  it('preInvocation and postInvocation hooks run around activities too, and may replace their result', async () => {
    const definition = new AppDefinition();
    const seen: string[] = [];
    await withApp(definition, () => {
      app.hook.preInvocation((context) => {
        seen.push(`pre ${context.invocationContext.functionName} ${JSON.stringify(context.inputs)}`);
      });
      app.hook.postInvocation((context) => {
        seen.push(`post ${String(context.result)}`);
        context.result = `${String(context.result)}!`;
      });
      df.app.activity('Shout', { handler: (input: string) => input.toUpperCase() });
      df.app.orchestration('Shouts', function* (ctx: OrchestrationContext) {
        return yield ctx.df.callActivity('Shout', 'hi');
      });
      return Promise.resolve();
    });
    hub = await openTaskHub({
      store: ':memory:',
      registry: definition.registry,
      logger: capturedLogger().logger,
      worker: { pollIntervalMs: 20 },
    });
    await hub.start();
    const id = await hub.client.startNew('Shouts');
    const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
    expect(status.output).toBe('HI!');
    expect(seen).toEqual(['pre Shout ["hi"]', 'post HI']);
  });
});
