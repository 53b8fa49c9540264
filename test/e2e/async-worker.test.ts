// Async orchestrators on the real worker, on a SQLite file and on a PostgreSQL server: mixed with generators in one
// app (each calls the other as a sub-orchestration), with fan-out, timers, events, entities and retries; a long chain
// runs its code once (the live cache keeps the suspended function); a non-durable await fails only its instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityContext, OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { RetryOptions } from '../../src/core/retry-options.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { createLogger } from '../../src/log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { openTestHub } from '../worker/helpers.js';
import { until } from '../until.js';

const CHAIN = 300;

/** The app: its counters tell how often each orchestrator's code started (a replay from scratch starts it again). */
function app(starts: Map<string, number>): (registry: FunctionRegistry) => void {
  const started = (ctx: OrchestrationContext): void => {
    const id = ctx.df.instanceId;
    starts.set(id, (starts.get(id) ?? 0) + 1);
  };
  return (registry) => {
    const flaked = new Set<string>();
    registry.registerActivity('Double', (n) => (n as number) * 2);
    // Fails the first attempt of each instance, then succeeds.
    registry.registerActivity('Flaky', (id) => {
      if (flaked.has(id as string)) return 'steady';
      flaked.add(id as string);
      throw new Error('flaked');
    });
    registry.registerEntity('Counter', (ctx: EntityContext<number>) => {
      const state = ctx.df.getState(() => 0) ?? 0;
      if (ctx.df.operationName === 'add') ctx.df.setState(state + (ctx.df.getInput<number>() ?? 0));
      else ctx.df.return(state);
    });
    // async parent -> generator child -> async grandchild
    registry.registerOrchestration('Order', async (ctx: OrchestrationContext) => {
      const n = ctx.df.getInput<number>();
      const doubled = await Promise.all([1, 2, 3].map((i) => ctx.df.callActivity<number>('Double', i * n)));
      const shipped = await ctx.df.callSubOrchestrator<string>('Ship', doubled);
      const retried = await ctx.df.callActivityWithRetry<string>('Flaky', new RetryOptions(10, 3), ctx.df.instanceId);
      const counter = new EntityId('Counter', ctx.df.instanceId);
      ctx.df.signalEntity(counter, 'add', 5);
      const count = await ctx.df.callEntity<number>(counter, 'get');
      ctx.df.setCustomStatus('waiting for approval');
      const approval = ctx.df.waitForExternalEvent<string>('Approve');
      const timeout = ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 60 * 60_000));
      const winner = await ctx.df.Task.any([approval, timeout]);
      if (winner === approval) timeout.cancel();
      await ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 50));
      return { doubled, shipped, retried, count, approval: winner === approval ? approval.result : 'timed out' };
    });
    registry.registerOrchestration('Ship', function* (ctx: OrchestrationContext): OrchestrationGenerator {
      const items = ctx.df.getInput<number[]>();
      const label = (yield ctx.df.callSubOrchestrator('Label', items.length)) as string;
      return `${label}: ${items.join(',')}`;
    });
    registry.registerOrchestration('Label', async (ctx: OrchestrationContext) => {
      const doubled = await ctx.df.callActivity<number>('Double', ctx.df.getInput<number>());
      return `label ${doubled}`;
    });
    registry.registerOrchestration('Chain', async (ctx: OrchestrationContext) => {
      started(ctx);
      let total = 0;
      const steps = ctx.df.getInput<number>();
      for (let i = 0; i < steps; i++) total += await ctx.df.callActivity<number>('Double', i);
      return total;
    });
    registry.registerOrchestration('Sleepy', async (ctx: OrchestrationContext) => {
      await ctx.df.callActivity('Double', 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'woke';
    });
  };
}

function scenarios(open: (register: (registry: FunctionRegistry) => void) => Promise<TaskHub>): void {
  const starts = new Map<string, number>();
  let hub: TaskHub;
  beforeAll(async () => {
    hub = await open(app(starts));
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('an async orchestrator with generator and async sub-orchestrations, fan-out, retries, an entity, events and timers', async () => {
    const ids = await Promise.all([1, 2, 3].map((n) => hub.client.startNew('Order', { input: n })));
    for (const id of ids) {
      await until(async () => (await hub.client.getStatus(id)).customStatus === 'waiting for approval', {
        what: `${id} to wait for approval`,
      });
      await hub.client.raiseEvent(id, 'Approve', `ok ${id}`);
    }
    for (const [i, id] of ids.entries()) {
      const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 60_000 });
      const n = i + 1;
      expect(status.runtimeStatus, JSON.stringify(status.output)).toBe('Completed');
      expect(status.output).toEqual({
        doubled: [2 * n, 4 * n, 6 * n],
        shipped: `label 6: ${2 * n},${4 * n},${6 * n}`,
        retried: 'steady',
        count: 5,
        approval: `ok ${id}`,
      });
    }
    // The history is Durable Functions' own: the children were started as sub-orchestrations.
    const history = await hub.client.getHistory(ids[0] as string);
    expect(history.filter((e) => e.eventType === 'SubOrchestrationInstanceCreated').map((e) => e.name)).toEqual([
      'Ship',
    ]);
    expect(history.filter((e) => e.eventType === 'TaskScheduled').map((e) => e.name)).toEqual([
      'Double',
      'Double',
      'Double',
      'Flaky',
      'Flaky',
    ]);
  }, 120_000);

  it(`a ${CHAIN}-step async chain runs its code once: the live cache keeps it between episodes`, async () => {
    const id = await hub.client.startNew('Chain', { input: CHAIN });
    const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 120_000 });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBe(CHAIN * (CHAIN - 1));
    expect(starts.get(id)).toBe(1);
  }, 180_000);

  it('awaiting a Node timer fails that instance with a clear message; the others run on', async () => {
    const sleepy = await hub.client.startNew('Sleepy');
    const label = await hub.client.startNew('Label', { input: 21 });
    const failed = await hub.client.waitForCompletion(sleepy, { timeoutInMilliseconds: 60_000 });
    expect(failed.runtimeStatus).toBe('Failed');
    expect(String(failed.output)).toMatch(
      /The orchestrator 'Sleepy' awaits something that is not a durable task \(after its durable call at .*async-worker\.test\.ts:\d+:\d+\)/,
    );
    const done = await hub.client.waitForCompletion(label, { timeoutInMilliseconds: 60_000 });
    expect(done.output).toBe('label 42');
  }, 120_000);
}

describe('async orchestrators on SQLite', () => {
  scenarios((register) => openTestHub(register));

  it('without the live cache, every episode replays the async code from its history and still completes', async () => {
    const starts = new Map<string, number>();
    const hub = await openTestHub(app(starts), { cacheSize: 0 });
    try {
      const id = await hub.client.startNew('Chain', { input: 20 });
      const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 60_000 });
      expect(status.output).toBe(20 * 19);
      expect(starts.get(id)).toBe(21);
    } finally {
      await hub.close();
    }
  }, 120_000);
});

describe('async orchestrators on PostgreSQL', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  scenarios(async (register) => {
    const registry = new FunctionRegistry();
    register(registry);
    const hub = await openTaskHub({
      store: openPostgresStore({ connectionString: server.connectionString, hubName: 'asynchub' }),
      registry,
      worker: { pollIntervalMs: 50 },
      logger: createLogger({ level: process.env.TASKHUB_LOG_LEVEL ?? 'silent' }),
    });
    await hub.start();
    return hub;
  });
});
