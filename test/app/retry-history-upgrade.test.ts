// An instance in flight across the upgrade that started recording a timer after the last failed retry attempt: its
// history, stored by the earlier Taskhub in a real SQLite file (no such timer; the code saw the failure at once and went
// on to its next activity), keeps running under today's engine, while a new instance records Durable Functions' shape.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { RetryOptions } from '../../src/core/retry-options.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { at, episode, ev } from '../core/history-builder.js';
import { until } from '../until.js';

function registry(): FunctionRegistry {
  const r = new FunctionRegistry();
  r.registerActivity('AlwaysFails', () => {
    throw new Error('nope');
  });
  r.registerActivity('After', (input) => `after: ${String(input)}`);
  r.registerOrchestration('Upgrade', function* (context: OrchestrationContext): OrchestrationGenerator {
    let seen = '';
    try {
      yield context.df.callActivityWithRetry('AlwaysFails', new RetryOptions(50, 2));
    } catch (err) {
      seen = (err as Error).message;
    }
    const after = (yield context.df.callActivity('After', seen)) as string;
    const go = (yield context.df.waitForExternalEvent('Go')) as string;
    return `${after} / ${go}`;
  });
  return r;
}

describe('retry histories across the upgrade', () => {
  let hub: TaskHub | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-retry-upgrade-'));
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('an instance stored without the last retry timer goes on; a new one records it', async () => {
    const file = path.join(dir, 'hub.db');
    const instanceId = 'stored-before-upgrade';
    const start = ev.started('Upgrade', undefined, { instanceId, executionId: 'e1' });
    // What the earlier Taskhub stored: after the last failed attempt, no timer; the code caught the failure in that
    // same episode and scheduled 'After' (still to run when the new version takes over).
    const earlier: HistoryEvent[] = [
      ...episode(at(0), ev.scheduled(0, 'AlwaysFails')),
      ...episode(at(1), ev.failed(0, 'nope', 'AlwaysFails'), ev.timerCreated(1, at(1.05))),
      ...episode(at(2), ev.timerFired(1, at(1.05)), ev.scheduled(2, 'AlwaysFails')),
      ...episode(
        at(3),
        ev.failed(2, 'nope', 'AlwaysFails'),
        ev.scheduled(3, 'After', "Activity function 'AlwaysFails' failed: nope"),
      ),
    ];
    earlier.splice(1, 0, start);
    const store = openSqliteStore({ path: file });
    await store.migrate();
    await store.createInstance({ instanceId, executionId: 'e1', name: 'Upgrade', startEvent: start });
    const [claimed] = await store.claimOrchestrations('earlier-version', 1, 10_000);
    if (!claimed) throw new Error('the stored instance was not claimable');
    const committed = await store.commit({
      workerId: 'earlier-version',
      leaseMs: 10_000,
      activityCompletions: [],
      episodes: [
        {
          instanceId,
          executionId: 'e1',
          expectedHistoryLength: claimed.instance.historyLength,
          append: earlier,
          runtimeStatus: 'Running',
          consumedMessageIds: claimed.messages.map((m) => m.id),
          completedWorkItems: [],
          newWorkItems: [
            {
              taskScheduledId: 3,
              name: 'After',
              input: JSON.stringify("Activity function 'AlwaysFails' failed: nope"),
            },
          ],
          newMessages: [],
          newInstances: [],
          keepLock: false,
        },
      ],
    });
    expect(committed.rejectedEpisodes).toEqual([]);
    await store.close();

    hub = await openTaskHub({
      store: file,
      registry: registry(),
      logger: pino({ level: 'silent' }),
      worker: { pollIntervalMs: 20 },
    });
    await hub.start();
    await hub.client.raiseEvent(instanceId, 'Go', 'go');
    const resumed = await hub.client.waitForCompletion(instanceId, { timeoutInMilliseconds: 20_000 });
    expect(resumed.runtimeStatus).toBe('Completed');
    expect(resumed.output).toBe("after: Activity function 'AlwaysFails' failed: nope / go");

    const fresh = await hub.client.startNew('Upgrade');
    const client = hub.client;
    const fired = async () => (await client.getHistory(fresh)).filter((e) => e.eventType === 'TimerFired').length;
    // Both retry timers fire, the one after the last attempt included, before the code goes on.
    await until(async () => (await fired()) === 2, { what: 'the retry timer after the last attempt to fire' });
    await client.raiseEvent(fresh, 'Go', 'go');
    const done = await client.waitForCompletion(fresh, { timeoutInMilliseconds: 20_000 });
    expect(done.output).toBe("after: Activity function 'AlwaysFails' failed: nope / go");
    const actions = (await client.getHistory(fresh))
      .filter((e) => e.eventId >= 0)
      .map((e) => `${e.eventType}#${e.eventId}`);
    expect(actions).toEqual([
      'TaskScheduled#0',
      'TimerCreated#1',
      'TaskScheduled#2',
      'TimerCreated#3',
      'TaskScheduled#4',
    ]);
  });
});
