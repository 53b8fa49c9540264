// What a termination does to an instance's activities, and what host.json functionTimeout does to a runaway one, on
// a real SQLite file: queued work never runs, a late result is dropped, a timed-out activity frees its slot.
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { openTestHub, type TestHub } from './helpers.js';

const hubs: TestHub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.close();
});

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('cancellation', () => {
  it('terminating an instance removes its queued activity and drops its running activity late result', async () => {
    const started: string[] = [];
    const release = gate();
    const hub = await openTestHub(
      (r) => {
        r.registerActivity('Hold', async (input) => {
          started.push(input as string);
          await release.promise;
          return `done ${input as string}`;
        });
        r.registerOrchestration('One', function* (ctx: OrchestrationContext) {
          return yield ctx.df.callActivity('Hold', ctx.df.instanceId);
        });
      },
      // One slot: the first instance's activity runs, the second's waits in the store.
      { maxConcurrentActivities: 1 },
    );
    hubs.push(hub);
    await hub.client.startNew('One', { instanceId: 'running' });
    await until(() => started.length === 1, 'the first activity to start');
    await hub.client.startNew('One', { instanceId: 'queued' });
    await until(
      async () =>
        (await hub.client.getStatus('queued', { showHistory: true })).history?.some(
          (e) => e.EventType === 'TaskScheduled',
        ) === true,
      'the second instance to schedule its activity',
    );
    await hub.client.terminate('queued', 'no longer needed');
    await hub.client.terminate('running', 'no longer needed either');
    await until(
      async () =>
        (await hub.client.getStatus('queued')).runtimeStatus === 'Terminated' &&
        (await hub.client.getStatus('running')).runtimeStatus === 'Terminated',
      'both terminations',
    );
    release.open();
    // The running activity ends after its instance was terminated: its result must not change the instance, and the
    // freed slot must not run the terminated instance's queued activity. Work items are claimed oldest first, so
    // once a later instance's activity has run, the terminated one's would have run before it.
    await hub.client.startNew('One', { instanceId: 'later' });
    const later = await hub.client.waitForCompletion('later', { timeoutInMilliseconds: 10_000 });
    expect(later.output).toBe('done later');
    expect(started).toEqual(['running', 'later']);
    for (const id of ['running', 'queued']) {
      const status = await hub.client.getStatus(id, { showHistory: true });
      expect(status.runtimeStatus).toBe('Terminated');
      expect(status.history?.some((e) => e.EventType === 'TaskCompleted')).toBe(false);
    }
  });

  it('an activity past functionTimeout fails its task with a timeout error and frees its slot', async () => {
    const runaway: string[] = [];
    const hub = await openTestHub(
      (r) => {
        r.registerActivity('Forever', () => {
          runaway.push('started');
          return new Promise(() => undefined);
        });
        r.registerActivity('Quick', (n) => (n as number) + 1);
        r.registerOrchestration('Timed', function* (ctx: OrchestrationContext) {
          try {
            yield ctx.df.callActivity('Forever');
            return 'unexpected';
          } catch (err) {
            const after = (yield ctx.df.callActivity('Quick', 1)) as number;
            return `${(err as Error).name}: ${(err as Error).message} / then ${after}`;
          }
        });
      },
      { maxConcurrentActivities: 1, functionTimeoutMs: 200 },
    );
    hubs.push(hub);
    const id = await hub.client.startNew('Timed');
    const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBe(
      "FunctionTimeoutException: Activity function 'Forever' failed: Timeout value of 00:00:00.200 was exceeded by function 'Forever'. / then 2",
    );
    expect(runaway).toEqual(['started']);
  });
});
