// Taskhub, imported from the parent's sources (tsx runs them; the parent's node_modules supply better-sqlite3 and pg),
// so the comparison always measures the working tree, and better-sqlite3 is not compiled a second time here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrchestrationContext } from '../../../../src/core/context.js';
import { FunctionRegistry } from '../../../../src/core/registry.js';
import { openTaskHub } from '../../../../src/hub.js';
import { createLogger } from '../../../../src/log.js';
import { openPostgresStore } from '../../../../src/store/postgres/index.js';
import type { DurableClient } from '../../../../src/client/types.js';
import { CITIES, type Adapter } from '../common.js';

/** The workloads' functions, the same shapes as the peers' workflows. */
export function compareRegistry(): FunctionRegistry {
  const r = new FunctionRegistry();
  r.registerActivity('SayHello', (name) => `Hello ${String(name)}!`);
  r.registerActivity('One', () => 1);
  r.registerActivity('PlusOne', (n) => Number(n) + 1);
  r.registerOrchestration('HelloChain', function* (ctx: OrchestrationContext) {
    const out: unknown[] = [];
    for (const city of CITIES) out.push(yield ctx.df.callActivity('SayHello', city));
    return out;
  });
  r.registerOrchestration('Sequence', function* (ctx: OrchestrationContext) {
    const n = ctx.df.getInput<number>();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (yield ctx.df.callActivity('One')) as number;
    return sum;
  });
  r.registerOrchestration('FanOut', function* (ctx: OrchestrationContext) {
    const n = ctx.df.getInput<number>();
    const tasks = [];
    for (let i = 0; i < n; i++) tasks.push(ctx.df.callActivity('PlusOne', i));
    const results = (yield ctx.df.Task.all(tasks)) as number[];
    return results.reduce((a, b) => a + b, 0);
  });
  r.registerOrchestration('OneStep', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivity('SayHello', ctx.df.getInput<string>());
  });
  r.registerOrchestration('Events', function* (ctx: OrchestrationContext) {
    const n = ctx.df.getInput<number>();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (yield ctx.df.waitForExternalEvent('Tick')) as number;
    return sum;
  });
  return r;
}

const WAIT = { timeoutInMilliseconds: 600_000 };

/** Start, then wait for the output; anything but Completed fails the run. */
async function run(client: DurableClient, name: string, id: string, input?: unknown): Promise<unknown> {
  await client.startNew(name, { instanceId: id, input });
  return output(client, id);
}

async function output(client: DurableClient, id: string): Promise<unknown> {
  const status = await client.waitForCompletion(id, WAIT);
  if (status.runtimeStatus !== 'Completed') {
    throw new Error(`${id} ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`);
  }
  return status.output;
}

export function taskhubAdapter(client: DurableClient): Adapter {
  return {
    helloChain: (id) => run(client, 'HelloChain', id),
    sequence: (id, n) => run(client, 'Sequence', id, n),
    fanout: (id, n) => run(client, 'FanOut', id, n),
    oneStep: (id, name) => run(client, 'OneStep', id, name),
    async startEvents(id, n) {
      await client.startNew('Events', { instanceId: id, input: n });
      return () => output(client, id);
    },
    raiseEvent: (id) => client.raiseEvent(id, 'Tick', 1),
  };
}

/**
 * Client and worker in one process, as an embedding app runs it. SQLite: a fresh file in a temp dir, durability full.
 * PostgreSQL: the given (fresh) database.
 */
export async function openTaskhub(
  engine: 'taskhub-sqlite' | 'taskhub-postgres',
  connectionString?: string,
): Promise<{ adapter: Adapter; close(): Promise<void> }> {
  const dir = engine === 'taskhub-sqlite' ? mkdtempSync(join(tmpdir(), 'taskhub-compare-')) : undefined;
  const store =
    dir !== undefined
      ? join(dir, 'hub.db')
      : openPostgresStore({ connectionString: required(connectionString), hubName: 'Bench' });
  const hub = await openTaskHub({
    store,
    durability: 'full',
    registry: compareRegistry(),
    logger: createLogger({ level: 'silent' }),
  });
  await hub.start();
  return {
    adapter: taskhubAdapter(hub.client),
    async close() {
      await hub.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function required(value: string | undefined): string {
  if (value === undefined) throw new Error('this engine needs a PostgreSQL connection string');
  return value;
}
