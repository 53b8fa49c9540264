// What survives a restart and what memory a waiting instance holds, on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-durability-'));
  dirs.push(dir);
  return join(dir, 'hub.db');
}

function open(file: string, registry: FunctionRegistry, worker = {}, hubName?: string) {
  return openTaskHub({
    store: file,
    registry,
    ...(hubName ? { hubName } : {}),
    worker: { pollIntervalMs: 50, ...worker },
    logger: createLogger({ level: 'silent' }),
  });
}

describe('durability', () => {
  it('a durable timer fires after the host restarts', async () => {
    const registry = new FunctionRegistry();
    registry.registerOrchestration('Sleep', function* (ctx: OrchestrationContext) {
      yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 700));
      return 'woke';
    });
    const file = tempFile();
    const first = await open(file, registry);
    await first.start();
    const id = await first.client.startNew('Sleep');
    await new Promise((r) => setTimeout(r, 150));
    expect((await first.client.getStatus(id)).runtimeStatus).toBe('Running');
    await first.close();

    const second = await open(file, registry);
    await second.start();
    const status = await second.client.waitForCompletion(id, { timeoutInMilliseconds: 5_000 });
    expect(status.output).toBe('woke');
    const fired = (await second.client.getHistory(id)).filter((e) => e.eventType === 'TimerFired');
    expect(fired).toHaveLength(1);
    await second.close();
  });

  it('graceful shutdown hands in-flight activities back; the next host finishes them', async () => {
    let started = 0;
    const registry = new FunctionRegistry();
    registry.registerActivity('Slow', async () => {
      started++;
      await new Promise((r) => setTimeout(r, 300));
      return 'done';
    });
    registry.registerOrchestration('OneSlow', function* (ctx: OrchestrationContext) {
      return yield ctx.df.callActivity('Slow');
    });
    const file = tempFile();
    const first = await open(file, registry);
    await first.start();
    const id = await first.client.startNew('OneSlow');
    while (started === 0) await new Promise((r) => setTimeout(r, 5));
    await first.close(); // waits for the activity (grace period), commits its result, releases every lock

    const second = await open(file, registry);
    await second.start();
    const status = await second.client.waitForCompletion(id, { timeoutInMilliseconds: 5_000 });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBe('done');
    expect(started).toBe(1); // finished during the shutdown, not run again
    await second.close();
  });

  it('instances waiting for an event are evicted from memory and resume from history', async () => {
    const registry = new FunctionRegistry();
    registry.registerOrchestration('WaitTwice', function* (ctx: OrchestrationContext) {
      const a = (yield ctx.df.waitForExternalEvent('A')) as number;
      const b = (yield ctx.df.waitForExternalEvent('B')) as number;
      return a + b;
    });
    const hub = await open(tempFile(), registry, { cacheSize: 3 });
    await hub.start();
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => hub.client.startNew('WaitTwice', { instanceId: `w${i}` })),
    );
    await waitUntil(
      async () => (await hub.store.queryInstances({ runtimeStatus: ['Running'] })).instances.length === 20,
    );
    expect(hub.worker?.cache.size).toBeLessThanOrEqual(3);
    for (const [i, id] of ids.entries()) await hub.client.raiseEvent(id, 'A', i);
    for (const [i, id] of ids.entries()) await hub.client.raiseEvent(id, 'B', 100 * i);
    for (const [i, id] of ids.entries()) {
      expect((await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 5_000 })).output).toBe(101 * i);
    }
    expect(hub.worker?.cache.size).toBeLessThanOrEqual(3);
    await hub.close();
  });

  it('two task hubs in one process and one file work side by side', async () => {
    const make = (greeting: string) => {
      const r = new FunctionRegistry();
      r.registerActivity('Greet', (name) => `${greeting} ${String(name)}`);
      r.registerOrchestration('Hello', function* (ctx: OrchestrationContext) {
        return yield ctx.df.callActivity('Greet', 'Ada');
      });
      return r;
    };
    const file = tempFile();
    const a = await open(file, make('Hello'), {}, 'HubA');
    const b = await open(file, make('Hej'), {}, 'HubB');
    await Promise.all([a.start(), b.start()]);
    await a.client.startNew('Hello', { instanceId: 'same-id' });
    await b.client.startNew('Hello', { instanceId: 'same-id' });
    expect((await a.client.waitForCompletion('same-id', { timeoutInMilliseconds: 5_000 })).output).toBe('Hello Ada');
    expect((await b.client.waitForCompletion('same-id', { timeoutInMilliseconds: 5_000 })).output).toBe('Hej Ada');
    await Promise.all([a.close(), b.close()]);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
