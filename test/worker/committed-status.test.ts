// What waitForCompletion reports and what a finished instance keeps, on a real SQLite file and a real PostgreSQL:
// the status a waiter in the worker's process gets (handed over by the worker, not read back) is exactly what the
// store holds, and messages that arrive after the end (the losing activity of Task.any) change nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/store.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';

function registry(): FunctionRegistry {
  const r = new FunctionRegistry();
  r.registerActivity('Hello', (name) => `Hello ${String(name)}!`);
  r.registerActivity('Boom', () => {
    throw new Error('boom');
  });
  r.registerActivity('Slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return 'slow';
  });
  r.registerOrchestration('Greet', function* (ctx: OrchestrationContext) {
    ctx.df.setCustomStatus({ step: 'greeting' });
    const out: unknown = yield ctx.df.callActivity('Hello', ctx.df.getInput<string>());
    ctx.df.setCustomStatus({ step: 'done' });
    return out;
  });
  r.registerOrchestration('Fails', function* (ctx: OrchestrationContext) {
    yield ctx.df.callActivity('Boom');
  });
  r.registerOrchestration('Race', function* (ctx: OrchestrationContext) {
    const timer = ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 20));
    const winner: unknown = yield ctx.df.Task.any([ctx.df.callActivity('Slow'), timer]);
    return winner === timer ? 'timer won' : 'activity won';
  });
  return r;
}

let server: PgServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-committed-'));
beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let hubs = 0;
const stores: [string, () => Store | string][] = [
  ['SQLite', () => join(dir, `hub${++hubs}.db`)],
  [
    'PostgreSQL',
    () => {
      if (!server) throw new Error('PostgreSQL did not start');
      return openPostgresStore({ connectionString: server.connectionString, hubName: `Committed${++hubs}` });
    },
  ],
];

describe.each(stores)('committed status on %s', (_name, makeStore) => {
  const open = () =>
    openTaskHub({ store: makeStore(), registry: registry(), logger: createLogger({ level: 'silent' }) });

  it('waitForCompletion returns exactly the stored status of a completed and of a failed instance', async () => {
    const hub = await open();
    await hub.start();
    try {
      await hub.client.startNew('Greet', { instanceId: 'ok', input: 'Tokyo' });
      await hub.client.startNew('Fails', { instanceId: 'bad' });
      const ok = await hub.client.waitForCompletion('ok');
      const bad = await hub.client.waitForCompletion('bad');
      expect(ok).toMatchObject({
        runtimeStatus: 'Completed',
        input: 'Tokyo',
        output: 'Hello Tokyo!',
        customStatus: { step: 'done' },
      });
      expect(bad.runtimeStatus).toBe('Failed');
      expect(JSON.stringify(bad.output)).toContain('boom');
      expect(ok).toEqual(await hub.client.getStatus('ok'));
      expect(bad).toEqual(await hub.client.getStatus('bad'));
    } finally {
      await hub.close();
    }
  });

  it('a finished instance keeps its output when the losing activity of Task.any reports later', async () => {
    const hub = await open();
    await hub.start();
    try {
      await hub.client.startNew('Race', { instanceId: 'race' });
      expect((await hub.client.waitForCompletion('race')).output).toBe('timer won');
      // The slow activity finishes after the end; its result is delivered to the finished instance and dropped.
      await new Promise((resolve) => setTimeout(resolve, 700));
      const status = await hub.client.getStatus('race');
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'timer won' });
    } finally {
      await hub.close();
    }
  });
});
