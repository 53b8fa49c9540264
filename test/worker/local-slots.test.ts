// The local fast path holds with every activity slot in use: a chain's finished activity hands its slot to the next
// activity of its instance, so no step falls back to the store (unlocked work item, claim, completion message).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('chains as many as the activity slots run every step locally', async () => {
  const registry = new FunctionRegistry();
  registry.registerActivity('Hello', (name) => `Hello ${String(name)}!`);
  registry.registerOrchestration('Chain', function* (ctx: OrchestrationContext) {
    const out: unknown[] = [];
    for (const city of ['Tokyo', 'Seattle', 'London', 'Paris']) out.push(yield ctx.df.callActivity('Hello', city));
    return out;
  });
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-slots-'));
  dirs.push(dir);
  const store = openSqliteStore({ path: join(dir, 'hub.db') });
  let fromStore = 0;
  const claim = store.claimWorkItems.bind(store);
  store.claimWorkItems = async (...args) => {
    const items = await claim(...args);
    fromStore += items.length;
    return items;
  };
  const slots = 8;
  const hub = await openTaskHub({
    store,
    registry,
    worker: { maxConcurrentActivities: slots },
    logger: createLogger({ level: 'silent' }),
  });
  await hub.start();
  try {
    for (let round = 0; round < 3; round++) {
      const ids = await Promise.all(Array.from({ length: slots }, () => hub.client.startNew('Chain')));
      for (const id of ids) {
        const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 30_000 });
        expect(status.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!', 'Hello Paris!']);
      }
    }
    expect(fromStore).toBe(0);
  } finally {
    await hub.close();
  }
});
