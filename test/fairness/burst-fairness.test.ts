// Fair claims under a burst of starts (issue 18), on a real SQLite file and a real PostgreSQL: an instance that is
// already running keeps making progress while thousands of new instances wait for their first episode. The running
// instance's next message (an event) is the newest message in the hub, behind 2,000 queued starts; a worker that
// claims oldest message first would run every one of those starts before it.
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
import { until } from '../until.js';

const QUEUED = 2000;

/** What the activities saw, in the order they ran. */
interface Progress {
  /** New instances whose activity had run. */
  newStarted: number;
  /** newStarted when the running instance's next activity ran. */
  newStartedWhenRunningStepped?: number;
}

function registry(progress: Progress): FunctionRegistry {
  const r = new FunctionRegistry();
  r.registerActivity('NewStep', (n) => {
    progress.newStarted++;
    return n;
  });
  r.registerActivity('RunningStep', () => {
    progress.newStartedWhenRunningStepped ??= progress.newStarted;
    return 'stepped';
  });
  r.registerOrchestration('New', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivity('NewStep', ctx.df.getInput<number>());
  });
  r.registerOrchestration('Running', function* (ctx: OrchestrationContext) {
    yield ctx.df.waitForExternalEvent('Go');
    return yield ctx.df.callActivity('RunningStep');
  });
  return r;
}

let server: PgServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-fairness-'));
beforeAll(async () => {
  server = await startPgServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const stores: [string, () => () => Store | string][] = [
  [
    'SQLite',
    () => {
      const file = join(dir, `hub-${Math.random().toString(36).slice(2)}.db`);
      return () => file;
    },
  ],
  [
    'PostgreSQL',
    () => {
      if (!server) throw new Error('PostgreSQL did not start');
      const { connectionString } = server;
      const hubName = `Fair${Math.random().toString(36).slice(2, 10)}`;
      return () => openPostgresStore({ connectionString, hubName });
    },
  ],
];

describe.each(stores)('fair claims on %s', (_name, makeStore) => {
  it('a running instance steps before most of 2,000 queued starts have run', async () => {
    const store = makeStore();
    const progress: Progress = { newStarted: 0 };
    const open = async (worker: boolean) => {
      const hub = await openTaskHub({
        store: store(),
        registry: registry(progress),
        worker: worker ? { pollIntervalMs: 50 } : false,
        logger: createLogger({ level: 'silent' }),
      });
      await hub.start();
      return hub;
    };

    // The running instance: started, its first episode committed, waiting for an event.
    const first = await open(true);
    await first.client.startNew('Running', { instanceId: 'running' });
    await until(async () => (await first.client.getStatus('running'))?.runtimeStatus === 'Running', {
      what: 'the running instance to wait for its event',
    });
    await first.close();

    // With no worker: 2,000 starts are queued, then the running instance's event, the newest message of all.
    const client = await open(false);
    for (let i = 0; i < QUEUED; i += 100) {
      const batch = Array.from({ length: 100 }, (_, k) => i + k);
      await Promise.all(batch.map((n) => client.client.startNew('New', { instanceId: `new-${n}`, input: n })));
    }
    await client.client.raiseEvent('running', 'Go', true);
    await client.close();

    const worker = await open(true);
    try {
      await until(
        async () =>
          (await worker.client.getStatus('running'))?.runtimeStatus === 'Completed' && progress.newStarted === QUEUED,
        { what: 'every instance to complete', timeoutMs: 180_000 },
      );
      // Oldest message first would run all 2,000 starts first; fair claims run the started instance within the
      // first claims, while the starts still get a share of every claim.
      expect(progress.newStartedWhenRunningStepped).toBeDefined();
      expect(progress.newStartedWhenRunningStepped!).toBeLessThan(QUEUED / 4);
      expect((await worker.client.getStatus('running'))?.output).toBe('stepped');
    } finally {
      await worker.close();
    }
  }, 240_000);
});
