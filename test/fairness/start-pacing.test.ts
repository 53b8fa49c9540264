// Start pacing (issue 18), over real HTTP on loopback with a real SQLite file: a host whose hub already holds as many
// instances waiting for their first episode as it allows holds further start requests until a worker takes some,
// instead of queueing them in the hub.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AppDefinition } from '../../src/app/app-definition.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { startHttpHost } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { until } from '../until.js';

const logger = createLogger({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('holds starts while the hub has its fill of pending instances, and lets them in as a worker takes them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-pacing-'));
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const file = join(dir, 'hub.db');
  const registry = new FunctionRegistry();
  registry.registerActivity('Say', (n) => n);
  registry.registerOrchestration('Hello', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivity('Say', 'hello');
  });
  // The host runs no worker, as `taskhub start`'s host process (its worker is another process).
  const hub = await openTaskHub({ store: file, registry, worker: false, logger });
  cleanups.push(() => hub.close());
  const http = await startHttpHost({
    hub,
    port: 0,
    logger,
    app: new AppDefinition(),
    startPacing: { maxPendingStarts: 5, maxWaitMs: 120_000 },
  });
  cleanups.push(() => http.close(0));

  const answered: string[] = [];
  const requests = Array.from({ length: 12 }, async (_, i) => {
    const r = await fetch(`${http.url}/api/orchestrators/Hello/start-${i}`, { method: 'POST' });
    answered.push(`start-${i}`);
    return `${r.status} ${await r.text()}`;
  });
  await until(() => answered.length >= 5, { what: 'the first five starts to be accepted' });
  expect((await hub.store.queryInstances({})).instances).toHaveLength(5);

  // A worker takes the pending instances: the held starts follow, created only now.
  const workerStarted = Date.now();
  const worker = await openTaskHub({ store: file, registry, worker: { pollIntervalMs: 20 }, logger });
  cleanups.push(() => worker.close());
  await worker.start();
  for (const answer of await Promise.all(requests)) expect(answer).toMatch(/^202 /);
  await until(async () => (await hub.store.queryInstances({ runtimeStatus: ['Completed'] })).instances.length === 12, {
    what: 'every instance to complete',
  });
  const instances = (await hub.store.queryInstances({})).instances;
  const held = instances.filter((i) => !answered.slice(0, 5).includes(i.instanceId));
  expect(held).toHaveLength(7);
  for (const i of held) expect(Date.parse(i.createdTime)).toBeGreaterThanOrEqual(workerStarted);
}, 180_000);
