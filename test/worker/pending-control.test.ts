// Control messages and events sent to a Pending instance (started while no worker runs) reach its first episode, in
// order, on a real SQLite file and a real PostgreSQL, and in createTestHub: a terminate wins over the code even when
// the code would finish in that episode (the history records the termination and its reason, the output is the
// reason, as Durable Functions reports it), and an event raised before the first episode is seen by
// waitForExternalEvent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyOrchestrationHandler, OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/store.js';
import { createTestHub, replayHistory } from '../../src/testing/index.js';
import type { ReplayableOrchestrator } from '../../src/testing/replay.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { until } from '../until.js';

const finishing: Record<string, AnyOrchestrationHandler> = {
  Quick: function* (ctx: OrchestrationContext) {
    yield* [];
    return ctx.df.getInput<unknown>();
  },
  QuickAsync: async (ctx: OrchestrationContext) => {
    await Promise.resolve();
    return ctx.df.getInput<unknown>();
  },
  Chain: function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivity('Echo', ctx.df.getInput<unknown>());
  },
};

function registry(): FunctionRegistry {
  const r = new FunctionRegistry();
  r.registerActivity('Echo', (input) => input);
  for (const [name, handler] of Object.entries(finishing)) r.registerOrchestration(name, handler);
  r.registerOrchestration('Approval', function* (ctx: OrchestrationContext) {
    const answer: unknown = yield ctx.df.waitForExternalEvent('Approve');
    return { answer };
  });
  return r;
}

const eventTypes = (history: readonly { eventType: string }[]): string[] =>
  history.map((e) => e.eventType).filter((t) => t !== 'OrchestratorStarted' && t !== 'OrchestratorCompleted');

let server: PgServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-pending-control-'));
beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let hubs = 0;
/** Each case gets one task hub; both opens below (client only, then with a worker) reach the same one. */
const stores: [string, () => () => Store | string][] = [
  [
    'SQLite',
    () => {
      const file = join(dir, `hub${++hubs}.db`);
      return () => file;
    },
  ],
  [
    'PostgreSQL',
    () => {
      const hubName = `PendingControl${++hubs}`;
      return () => {
        if (!server) throw new Error('PostgreSQL did not start');
        return openPostgresStore({ connectionString: server.connectionString, hubName });
      };
    },
  ],
];

describe.each(stores)('messages to a Pending instance on %s', (_name, newHub) => {
  /** Runs `send` with no worker anywhere (the host stopped), then starts a worker and returns its hub. */
  async function whilePending(send: (client: Awaited<ReturnType<typeof openTaskHub>>['client']) => Promise<void>) {
    const store = newHub();
    const logger = createLogger({ level: process.env.TASKHUB_LOG_LEVEL ?? 'silent' });
    const cli = await openTaskHub({ store: store(), registry: registry(), logger, worker: false });
    try {
      await send(cli.client);
    } finally {
      await cli.close();
    }
    const hub = await openTaskHub({ store: store(), registry: registry(), logger, worker: { pollIntervalMs: 50 } });
    await hub.start();
    return hub;
  }

  for (const [name, handler] of Object.entries(finishing)) {
    it(`a terminate wins over ${name}, which would finish in its first episode`, async () => {
      const hub = await whilePending(async (client) => {
        await client.startNew(name, { instanceId: 'tp-2', input: 5 });
        expect((await client.getStatus('tp-2')).runtimeStatus).toBe('Pending');
        await client.terminate('tp-2', 'nope');
      });
      try {
        const status = await hub.client.waitForCompletion('tp-2', { timeoutInMilliseconds: 30_000 });
        expect(status).toMatchObject({ runtimeStatus: 'Terminated', output: 'nope' });
        const history = await hub.client.getHistory('tp-2');
        expect(eventTypes(history)).toEqual(['ExecutionStarted', 'ExecutionTerminated', 'ExecutionCompleted']);
        expect(history.find((e) => e.eventType === 'ExecutionTerminated')).toMatchObject({ input: '"nope"' });
        expect(history.find((e) => e.eventType === 'ExecutionCompleted')).toMatchObject({
          orchestrationStatus: 'Terminated',
        });
        // Nothing the code asked for runs: a terminated execution schedules no activity.
        expect(history.some((e) => e.eventType === 'TaskScheduled')).toBe(false);
        // The recorded history replays to the same end (checkReplay and `taskhub replay` agree with the store).
        const { outcome } = await Promise.resolve(replayHistory(handler as ReplayableOrchestrator, history));
        expect(outcome).toEqual({ status: 'Terminated', output: '"nope"' });
      } finally {
        await hub.close();
      }
    });
  }

  it('an event raised before the first episode is seen by waitForExternalEvent', async () => {
    const hub = await whilePending(async (client) => {
      await client.startNew('Approval', { instanceId: 'ev' });
      await client.raiseEvent('ev', 'Approve', 'yes');
    });
    try {
      const status = await hub.client.waitForCompletion('ev', { timeoutInMilliseconds: 30_000 });
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { answer: 'yes' } });
    } finally {
      await hub.close();
    }
  });

  it('suspend, an event and resume sent while Pending are delivered in order', async () => {
    const hub = await whilePending(async (client) => {
      await client.startNew('Approval', { instanceId: 'sr' });
      await client.suspend('sr', 'hold');
      await client.raiseEvent('sr', 'Approve', 1);
      await client.resume('sr', 'go');
    });
    try {
      const status = await hub.client.waitForCompletion('sr', { timeoutInMilliseconds: 30_000 });
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { answer: 1 } });
      expect(eventTypes(await hub.client.getHistory('sr'))).toEqual([
        'ExecutionStarted',
        'ExecutionSuspended',
        'EventRaised',
        'ExecutionResumed',
        'ExecutionCompleted',
      ]);
    } finally {
      await hub.close();
    }
  });

  it('a suspend sent while Pending holds the event until a resume', async () => {
    const hub = await whilePending(async (client) => {
      await client.startNew('Approval', { instanceId: 'sp' });
      await client.suspend('sp', 'hold');
      await client.raiseEvent('sp', 'Approve', 2);
    });
    try {
      await until(async () => (await hub.client.getStatus('sp')).runtimeStatus === 'Suspended', {
        what: 'the instance suspended in its first episode',
      });
      await hub.client.resume('sp');
      const status = await hub.client.waitForCompletion('sp', { timeoutInMilliseconds: 30_000 });
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { answer: 2 } });
    } finally {
      await hub.close();
    }
  });
});

describe('messages to a Pending instance in createTestHub', () => {
  it('a terminate sent before start wins; an event raised before start is seen', async () => {
    const hub = await createTestHub({ registry: registry(), start: false });
    try {
      await hub.client.startNew('Quick', { instanceId: 'q', input: 5 });
      await hub.client.terminate('q', 'nope');
      await hub.client.startNew('Approval', { instanceId: 'a' });
      await hub.client.raiseEvent('a', 'Approve', 'ok');
      await hub.start();
      expect(await hub.waitForCompletion('q')).toMatchObject({ runtimeStatus: 'Terminated', output: 'nope' });
      expect(await hub.waitForCompletion('a')).toMatchObject({ runtimeStatus: 'Completed', output: { answer: 'ok' } });
    } finally {
      await hub.close();
    }
  });
});
