// Instances of versions no running worker runs, made visible: the status's version after waitForCompletion, the
// worker's notice on start and what waitingFor says.
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { describeWaitingFor, readWaitingFor } from '../../src/client/waiting-for.js';
import { openTaskHub } from '../../src/hub.js';
import { until } from '../until.js';

type Hub = Awaited<ReturnType<typeof openTaskHub>>;
const opened: Hub[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const hub of opened.splice(0)) await hub.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-visibility-'));
  dirs.push(dir);
  return join(dir, 'hub.db');
}

async function open(file: string, versions: string[], logs: Record<string, unknown>[] = []): Promise<Hub> {
  const registry = new FunctionRegistry();
  for (const v of versions) registry.registerOrchestration('Order', waitsForGo, v);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as never);
      done();
    },
  });
  const hub = await openTaskHub({
    store: file,
    registry,
    worker: { pollIntervalMs: 20 },
    logger: pino({ level: 'warn' }, sink),
  });
  opened.push(hub);
  await hub.start();
  return hub;
}

function* waitsForGo(ctx: OrchestrationContext): OrchestrationGenerator {
  yield ctx.df.waitForExternalEvent('Go');
  return ctx.df.version;
}

describe('a version no running worker runs', () => {
  it('waitForCompletion keeps the version of a Completed instance', async () => {
    const hub = await open(newFile(), ['1.0', '2.0']);
    await hub.client.startNew('Order', { instanceId: 'o1', version: '1.0' });
    await until(async () => (await hub.client.getStatus('o1')).runtimeStatus === 'Running', { what: 'o1 to run' });
    // Waiting before the event: the worker hands the committed row to the wait.
    const waiting = hub.client.waitForCompletion('o1');
    await hub.client.raiseEvent('o1', 'Go', null);
    expect(await waiting).toMatchObject({ runtimeStatus: 'Completed', output: '1.0', version: '1.0' });
    // Started and waited for at once (the local start's path), and with no version named (the newest applies).
    await hub.client.startNew('Order', { instanceId: 'o2' });
    const second = hub.client.waitForCompletion('o2');
    await until(async () => (await hub.client.getStatus('o2')).runtimeStatus === 'Running', { what: 'o2 to run' });
    await hub.client.raiseEvent('o2', 'Go', null);
    expect(await second).toMatchObject({ runtimeStatus: 'Completed', output: '2.0', version: '2.0' });
    // Finished in its first episode, which the local start runs and hands over.
    hub.registry.registerOrchestration(
      'Quick',
      function* (ctx: OrchestrationContext) {
        return ctx.df.version;
      },
      '3.0',
    );
    await hub.client.startNew('Quick', { instanceId: 'q' });
    expect(await hub.client.waitForCompletion('q')).toMatchObject({ output: '3.0', version: '3.0' });
  });

  it('after a restart without its version: the new worker says so, and waitingFor names the worker it needs', async () => {
    const file = newFile();
    const before = await open(file, ['1.0', '2.0']);
    await before.client.startNew('Order', { instanceId: 'old', version: '1.0' });
    await until(async () => (await before.client.getStatus('old')).runtimeStatus === 'Running', { what: 'old to run' });
    await before.close();

    // The deploy dropped 1.0: nothing this process starts is 1.0, so only a look into the store can find it.
    const logs: Record<string, unknown>[] = [];
    const after = await open(file, ['2.0'], logs);
    await until(() => logs.some((l) => l.event === 'orchestration.version-waiting'), {
      what: 'the restarted worker to report the 1.0 instance',
    });
    const notices = logs.filter((l) => l.event === 'orchestration.version-waiting');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ name: 'Order', version: '1.0', instanceId: 'old', runtimeStatus: 'Running' });
    expect(String(notices[0]!.msg)).toContain(
      "The orchestration 'Order' was started with version '1.0', which this app does not run: it runs the versions " +
        "'2.0'. Instance 'old' waits, Running, for a worker that runs its version",
    );

    await after.client.raiseEvent('old', 'Go', null);
    const status = await after.client.getStatus('old');
    expect(status).toMatchObject({ runtimeStatus: 'Running', version: '1.0' });
    const app = { registry: after.registry, name: status.name, version: status.version };
    const waiting = await readWaitingFor(after.store, 'old', status.runtimeStatus, app);
    // The event is delivered (in its queue); what it waits for is a worker, not the event.
    expect(describeWaitingFor(waiting!)).toEqual(['a worker that runs version 1.0 of Order']);
    // Without the app's registrations (a bare store), the history alone is all there is to say.
    expect(describeWaitingFor((await readWaitingFor(after.store, 'old', 'Running'))!)).toEqual([
      'an external event (waitForExternalEvent records no name in the history)',
    ]);

    // A Pending instance of a version nobody runs says the same.
    await after.client.startNew('Order', { instanceId: 'future', version: '3.0' });
    const pending = await after.client.getStatus('future');
    expect(pending.runtimeStatus).toBe('Pending');
    const pendingWait = await readWaitingFor(after.store, 'future', 'Pending', {
      registry: after.registry,
      name: pending.name,
      version: pending.version,
    });
    expect(describeWaitingFor(pendingWait!)).toEqual(['a worker that runs version 3.0 of Order']);
    // Runnable instances wait for what their history says.
    await after.client.startNew('Order', { instanceId: 'current' });
    await until(async () => (await after.client.getStatus('current')).runtimeStatus === 'Running', {
      what: 'current to run',
    });
    const current = await readWaitingFor(after.store, 'current', 'Running', {
      registry: after.registry,
      name: 'Order',
      version: '2.0',
    });
    expect(current?.worker).toBeUndefined();
  });
});
