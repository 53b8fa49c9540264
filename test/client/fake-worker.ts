// Test support: a real SQLite store in a temp dir, and episodes committed by hand through claimOrchestrations + commit
// exactly as a worker would, so client tests can see instances run, finish and fail without the worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FailureDetails, HistoryEvent } from '../../src/core/history.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ClaimedOrchestration, EpisodeCommit, Store } from '../../src/store/store.js';

export const WORKER_ID = 'test-worker';
const LEASE_MS = 30_000;

export interface TestStore {
  readonly store: Store;
  dispose(): Promise<void>;
}

export async function openTestStore(hubName = 'ClientTestHub'): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-client-'));
  const store = openSqliteStore({ path: join(dir, 'hub.db'), hubName });
  await store.migrate();
  return {
    store,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Claims one instance with its pending messages, releasing anything else the claim picked up. */
export async function claim(store: Store, instanceId: string): Promise<ClaimedOrchestration> {
  const claimed = await store.claimOrchestrations(WORKER_ID, 1000, LEASE_MS);
  const others = claimed.filter((c) => c.instance.instanceId !== instanceId).map((c) => c.instance.instanceId);
  if (others.length > 0) await store.releaseInstances(WORKER_ID, others);
  const mine = claimed.find((c) => c.instance.instanceId === instanceId);
  if (!mine) throw new Error(`instance ${instanceId} had no pending messages to claim`);
  return mine;
}

/** The messages waiting for an instance (claimed and released again, so the next claim sees them too). */
export async function pendingEvents(store: Store, instanceId: string): Promise<HistoryEvent[]> {
  const claimed = await claim(store, instanceId);
  await store.releaseInstances(WORKER_ID, [instanceId]);
  return claimed.messages.map((m) => m.event);
}

export type Outcome =
  | { readonly status: 'Running'; readonly schedule?: string }
  | { readonly status: 'Completed'; readonly output?: unknown }
  | { readonly status: 'Failed'; readonly failureDetails: FailureDetails };

/**
 * One episode: consumes the pending messages into history and sets the outcome. 'Running' may schedule an activity
 * (recorded as TaskScheduled, sequence 0) so the history has something to render.
 */
export async function runEpisode(store: Store, instanceId: string, outcome: Outcome): Promise<void> {
  const { instance, messages } = await claim(store, instanceId);
  const now = new Date().toISOString();
  const marker = (eventType: 'OrchestratorStarted' | 'OrchestratorCompleted'): HistoryEvent => ({
    eventType,
    eventId: -1,
    timestamp: now,
  });
  const append: HistoryEvent[] = [marker('OrchestratorStarted'), ...messages.map((m) => m.event)];
  let episode: Partial<EpisodeCommit> = {};
  if (outcome.status === 'Running' && outcome.schedule !== undefined) {
    append.push({ eventType: 'TaskScheduled', eventId: 0, timestamp: now, name: outcome.schedule, input: '"x"' });
  } else if (outcome.status === 'Completed') {
    const output = JSON.stringify(outcome.output);
    append.push({
      eventType: 'ExecutionCompleted',
      eventId: 1,
      timestamp: now,
      orchestrationStatus: 'Completed',
      result: output,
    });
    episode = { output, deletePendingMessages: true };
  } else if (outcome.status === 'Failed') {
    append.push({
      eventType: 'ExecutionCompleted',
      eventId: 1,
      timestamp: now,
      orchestrationStatus: 'Failed',
      failureDetails: outcome.failureDetails,
    });
    episode = { failureDetails: outcome.failureDetails, deletePendingMessages: true };
  }
  append.push(marker('OrchestratorCompleted'));
  const result = await store.commit({
    workerId: WORKER_ID,
    leaseMs: LEASE_MS,
    activityCompletions: [],
    episodes: [
      {
        instanceId,
        executionId: instance.executionId,
        expectedHistoryLength: instance.historyLength,
        append,
        runtimeStatus: outcome.status,
        consumedMessageIds: messages.map((m) => m.id),
        completedWorkItems: [],
        newWorkItems: [],
        newMessages: [],
        newInstances: [],
        keepLock: false,
        ...episode,
      },
    ],
  });
  if (result.rejectedEpisodes.length > 0) throw new Error(`episode of ${instanceId} was rejected`);
}
