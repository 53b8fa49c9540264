// Conformance: the backlog counts behind the OpenTelemetry backlog gauges (Store.backlog, optional; both backends
// have it). Visible messages, work items queued or running, and messages not visible yet (durable timers), per hub.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { claimOne, episode, newInstance } from './conformance-helpers.js';

export function storeBacklogTests(fresh: () => Promise<Store>): void {
  describe('backlog', () => {
    it('counts visible messages, work items and future timers of its own hub only', async () => {
      const store = await fresh();
      const other = await fresh();
      expect(await store.backlog?.()).toEqual({ messages: 0, workItems: 0, timers: 0 });
      await store.createInstance(newInstance('a'));
      await store.createInstance(newInstance('b'));
      expect(await store.backlog?.()).toEqual({ messages: 2, workItems: 0, timers: 0 });
      const claimed = await claimOne(store, 'w1', 'a');
      const fireAt = new Date(Date.now() + 3_600_000).toISOString();
      await store.commit({
        workerId: 'w1',
        leaseMs: 10_000,
        episodes: [
          episode(claimed, {
            newWorkItems: [
              { taskScheduledId: 0, name: 'Act' },
              { taskScheduledId: 1, name: 'Act', lockedBy: 'w1' },
            ],
            newMessages: [
              {
                instanceId: 'a',
                executionId: 'a-e1',
                visibleAt: fireAt,
                event: { eventType: 'TimerFired', eventId: -1, timestamp: fireAt, timerId: 2, fireAt },
              },
            ],
          }),
        ],
        activityCompletions: [],
      });
      // b's start waits; a's start was consumed; both work items count, the running one too; the timer is not due.
      expect(await store.backlog?.()).toEqual({ messages: 1, workItems: 2, timers: 1 });
      expect(await other.backlog?.()).toEqual({ messages: 0, workItems: 0, timers: 0 });
    });
  });
}
