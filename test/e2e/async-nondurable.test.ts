// Async orchestrators that await I/O fail with NonDurableAwaitError however fast the I/O answers (a stat of a local
// file, a refused connection on loopback, a refused fetch whose error the code catches), on the real worker and in the
// test hub; code that awaits only durable tasks and promises settled without I/O (deep chains of async helpers,
// Promise.all over helpers that await durable tasks) still runs, many instances at once on one worker.
import { stat } from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import type { DurableOrchestrationStatus } from '../../src/client/types.js';
import { createTestHub } from '../../src/testing/index.js';
import { openTestHub } from '../worker/helpers.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const DEPTH = 500;

/**
 * A loopback port nothing listens on (a server's, closed), so a connection is refused at once and no packet leaves the
 * machine. Not port 1: fetch refuses the ports on the Fetch standard's bad-port list before any I/O, deterministically.
 */
let refusedPort = 0;
const refusedUrl = (): string => `http://127.0.0.1:${refusedPort}/`;

beforeAll(async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  refusedPort = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
});

/** A promise settled by a refused TCP connection. */
function refusedConnect(): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(refusedPort, '127.0.0.1');
    socket.on('error', () => resolve('refused'));
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
  });
}

/** DEPTH nested awaits of promises that are already resolved (no I/O anywhere). */
async function nested(depth: number): Promise<number> {
  if (depth === 0) return await Promise.resolve(0);
  return 1 + (await nested(depth - 1));
}

/** An async helper that awaits two durable tasks with plain awaits between them. */
async function twoIncrements(ctx: OrchestrationContext, n: number): Promise<number> {
  const once = await ctx.df.callActivity<number>('Inc', n);
  await Promise.resolve();
  await nested(10);
  return await ctx.df.callActivity<number>('Inc', once);
}

/** Orchestrators that await fast I/O between durable calls: each must fail, never complete. */
const IO_ORCHESTRATORS = {
  StatFile: async (ctx: OrchestrationContext) => {
    await ctx.df.callActivity('Inc', 1);
    await stat(THIS_FILE);
    return await ctx.df.callActivity('Inc', 2);
  },
  RefusedConnect: async (ctx: OrchestrationContext) => {
    await ctx.df.callActivity('Inc', 1);
    await refusedConnect();
    return await ctx.df.callActivity('Inc', 2);
  },
  CaughtFetch: async (ctx: OrchestrationContext) => {
    await ctx.df.callActivity('Inc', 1);
    try {
      await fetch(refusedUrl());
    } catch {
      // a refused connection: the code carries on to its next durable call
    }
    return await ctx.df.callActivity('Inc', 2);
  },
  PlainFetch: async (ctx: OrchestrationContext) => {
    await ctx.df.callActivity('Inc', 1);
    await fetch(refusedUrl());
    return await ctx.df.callActivity('Inc', 2);
  },
};

function register(registry: FunctionRegistry): void {
  registry.registerActivity('Inc', (n) => (n as number) + 1);
  for (const [name, handler] of Object.entries(IO_ORCHESTRATORS)) registry.registerOrchestration(name, handler);
  registry.registerOrchestration('DeepChain', async (ctx: OrchestrationContext) => {
    let total = 0;
    for (let i = 0; i < 3; i++) {
      total = await ctx.df.callActivity<number>('Inc', total);
      total += await nested(DEPTH);
      for (let j = 0; j < DEPTH; j++) total += await Promise.resolve(0);
    }
    return total;
  });
  registry.registerOrchestration('Helpers', async (ctx: OrchestrationContext) => {
    const results = await Promise.all([1, 2, 3].map((n) => twoIncrements(ctx, n)));
    return results.concat(await twoIncrements(ctx, 10));
  });
}

const DEEP_CHAIN_OUTPUT = 3 * (1 + DEPTH);
const HELPERS_OUTPUT = [3, 4, 5, 12];

/** What a client runs an instance with: start it, wait for its end. */
type Run = (name: string) => Promise<DurableOrchestrationStatus>;

function scenarios(run: () => Run): void {
  it.each(Object.keys(IO_ORCHESTRATORS))(
    '%s: awaiting fast I/O between durable calls fails with NonDurableAwaitError, naming the call before it',
    async (name) => {
      const status = await run()(name);
      expect(status.runtimeStatus).toBe('Failed');
      expect(String(status.output)).toMatch(
        new RegExp(
          `^Orchestrator function '${name}' failed: The orchestrator '${name}' awaits something that is not a durable task ` +
            `\\(after its durable call at .*async-nondurable\\.test\\.ts:\\d+:\\d+\\)`,
        ),
      );
    },
    60_000,
  );

  it(`${DEPTH} nested awaits of resolved promises between durable calls, and Promise.all over async helpers, run to the end (10 instances at once)`, async () => {
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => run()(i % 2 === 0 ? 'DeepChain' : 'Helpers')),
    );
    for (const [i, status] of statuses.entries()) {
      expect({ i, status: status.runtimeStatus, output: status.output }).toEqual({
        i,
        status: 'Completed',
        output: i % 2 === 0 ? DEEP_CHAIN_OUTPUT : HELPERS_OUTPUT,
      });
    }
  }, 120_000);
}

describe('on the worker (SQLite)', () => {
  let hub: Awaited<ReturnType<typeof openTestHub>>;
  beforeAll(async () => {
    hub = await openTestHub(register);
  });
  afterAll(async () => {
    await hub?.close();
  });
  scenarios(() => async (name) => {
    const id = await hub.client.startNew(name);
    return await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 60_000 });
  });
});

describe('in the test hub', () => {
  let hub: Awaited<ReturnType<typeof createTestHub>>;
  beforeAll(async () => {
    const registry = new FunctionRegistry();
    register(registry);
    hub = await createTestHub({ registry });
  });
  afterAll(async () => {
    await hub?.close();
  });
  scenarios(() => async (name) => hub.waitForCompletion(await hub.client.startNew(name)));
});
