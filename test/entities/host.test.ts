// A classic (function.json) app with a 2.x `df.entity` counter served by a real `taskhub start` process: the counter
// is signalled and read over the management API, and an orchestrator calls it inside a critical section.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, runToCompletion, startHost, type RunningHost } from '../e2e/host.js';

const APP: Record<string, string> = {
  'host.json': JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: 'Entities' } } }),
  'package.json': JSON.stringify({ name: 'entities-classic', private: true, type: 'commonjs' }),
  'Counter/function.json': JSON.stringify({ bindings: [{ name: 'context', type: 'entityTrigger', direction: 'in' }] }),
  'Counter/index.js': `const df = require('durable-functions');
module.exports = df.entity(function (context) {
  const value = context.df.getState(() => 0);
  if (context.df.operationName === 'add') context.df.setState(value + context.df.getInput());
  else if (context.df.operationName === 'get') context.df.return(value);
  else if (context.df.operationName === 'delete') context.df.destructOnExit();
});`,
  'Bump/function.json': JSON.stringify({
    bindings: [{ name: 'context', type: 'orchestrationTrigger', direction: 'in' }],
  }),
  'Bump/index.js': `const df = require('durable-functions');
module.exports = df.orchestrator(function* (context) {
  const id = new df.EntityId('Counter', context.df.getInput());
  const lock = yield context.df.lockEntities(id);
  const before = yield context.df.callEntity(id, 'get');
  yield context.df.callEntity(id, 'add', 10);
  lock.release();
  return { before, after: yield context.df.callEntity(id, 'get') };
});`,
};

let host: RunningHost;
let appDir = '';
beforeAll(async () => {
  appDir = mkdtempSync(path.join(tmpdir(), 'taskhub-entity-app-'));
  for (const [name, text] of Object.entries(APP)) {
    mkdirSync(path.dirname(path.join(appDir, name)), { recursive: true });
    writeFileSync(path.join(appDir, name), text);
  }
  host = await startHost(appDir);
}, 60_000);
afterAll(async () => {
  await host.stop();
  rmSync(appDir, { recursive: true, force: true });
});

async function readCounter(key: string, expected: number): Promise<number | undefined> {
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${host.url}/runtime/webhooks/durabletask/entities/Counter/${key}`);
    if (res.status === 200) {
      const value = (await res.json()) as number;
      if (value === expected) return value;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

describe('entities in a real host', () => {
  it('signals and reads a classic df.entity counter over HTTP, and an orchestrator calls it under a lock', async () => {
    const api = `${host.url}/runtime/webhooks/durabletask`;
    expect((await post(`${api}/entities/Counter/k1?op=add`, 5)).status).toBe(202);
    expect((await post(`${api}/entities/Counter/k1?op=add`, 2)).status).toBe(202);
    expect(await readCounter('k1', 7)).toBe(7);

    const done = await runToCompletion(`${api}/orchestrators/Bump`, 'k1');
    expect(done.body.runtimeStatus).toBe('Completed');
    expect(done.body.output).toEqual({ before: 7, after: 17 });

    const list = await fetch(`${api}/entities/Counter?fetchState=true`);
    expect(await list.json()).toEqual([
      expect.objectContaining({ entityId: { name: 'counter', key: 'k1' }, state: 17 }),
    ]);
    expect((await fetch(`${api}/entities/Counter/k1`, { method: 'DELETE' })).status).toBe(202);
    for (let i = 0; i < 300; i++) {
      if ((await fetch(`${api}/entities/Counter/k1`)).status === 404) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await fetch(`${api}/entities/Counter/k1`)).status).toBe(404);
  });
});
