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
    hub.registry.registerOrchestration('Quick', function* (ctx: OrchestrationContext) {
      return ctx.df.version;
    }, '3.0');
    await hub.client.startNew('Quick', { instanceId: 'q' });
    expect(await hub.client.waitForCompletion('q')).toMatchObject({ output: '3.0', version: '3.0' });
  });
});
