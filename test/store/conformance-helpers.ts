// Builders for the store conformance suite: history events, new instances and episode commits with defaults, so
// each test states only what it is about. Written against the Store interface only.
import type { HistoryEvent, RuntimeStatus } from '../../src/core/history.js';
import type { ClaimedOrchestration, EpisodeCommit, NewInstance, Store } from '../../src/store/store.js';

const T0 = '2024-01-01T00:00:00.000Z';

export function started(instanceId: string, executionId: string, input?: string): HistoryEvent {
  return {
    eventType: 'ExecutionStarted',
    eventId: -1,
    timestamp: T0,
    name: 'Orch',
    instanceId,
    executionId,
    ...(input === undefined ? {} : { input }),
  };
}

export function orchestratorStarted(timestamp = T0): HistoryEvent {
  return { eventType: 'OrchestratorStarted', eventId: -1, timestamp };
}

export function scheduled(eventId: number, name = 'Act'): HistoryEvent {
  return { eventType: 'TaskScheduled', eventId, timestamp: T0, name };
}

export function completed(taskScheduledId: number, result = '1'): HistoryEvent {
  return { eventType: 'TaskCompleted', eventId: -1, timestamp: T0, taskScheduledId, result };
}

export function raised(name: string, input?: string): HistoryEvent {
  return { eventType: 'EventRaised', eventId: -1, timestamp: T0, name, ...(input === undefined ? {} : { input }) };
}

export function newInstance(instanceId: string, extra: Partial<NewInstance> = {}): NewInstance {
  const executionId = extra.executionId ?? `${instanceId}-e1`;
  return {
    instanceId,
    executionId,
    name: 'Orch',
    input: '"in"',
    startEvent: started(instanceId, executionId, '"in"'),
    ...extra,
  };
}

/** An episode commit for a claimed instance that appends `append`, consumes its messages and releases the lock. */
export function episode(claimed: ClaimedOrchestration, extra: Partial<EpisodeCommit> = {}): EpisodeCommit {
  return {
    instanceId: claimed.instance.instanceId,
    executionId: claimed.instance.executionId,
    expectedHistoryLength: claimed.instance.historyLength,
    append: [orchestratorStarted(), ...claimed.messages.map((m) => m.event)],
    runtimeStatus: 'Running',
    consumedMessageIds: claimed.messages.map((m) => m.id),
    completedWorkItems: [],
    newWorkItems: [],
    newMessages: [],
    newInstances: [],
    keepLock: false,
    ...extra,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Claims exactly the instance `instanceId` for `workerId` (fails the test otherwise). */
export async function claimOne(
  store: Store,
  workerId: string,
  instanceId: string,
  leaseMs = 10_000,
): Promise<ClaimedOrchestration> {
  const claimed = await store.claimOrchestrations(workerId, 100, leaseMs);
  const mine = claimed.find((c) => c.instance.instanceId === instanceId);
  if (!mine) {
    throw new Error(
      `expected ${workerId} to claim ${instanceId}, got [${claimed.map((c) => c.instance.instanceId).join(', ')}]`,
    );
  }
  // Leave the others as they were, so tests only hold the locks they mean to.
  const others = claimed.filter((c) => c !== mine).map((c) => c.instance.instanceId);
  if (others.length > 0) await store.releaseInstances(workerId, others);
  return mine;
}

/** Creates an instance and runs its first episode to `status` (a Running instance, or a finished one). */
export async function runTo(store: Store, instanceId: string, status: RuntimeStatus, extra: Partial<NewInstance> = {}) {
  await store.createInstance(newInstance(instanceId, extra));
  const claimed = await claimOne(store, 'setup', instanceId);
  const terminal = status === 'Completed' || status === 'Failed' || status === 'Terminated';
  const result = await store.commit({
    workerId: 'setup',
    leaseMs: 10_000,
    episodes: [episode(claimed, { runtimeStatus: status, ...(terminal ? { output: '"done"' } : {}) })],
    activityCompletions: [],
  });
  if (result.rejectedEpisodes.length > 0) throw new Error(`setup episode of ${instanceId} rejected`);
}

export function ids(claimed: readonly ClaimedOrchestration[]): string[] {
  return claimed.map((c) => c.instance.instanceId).sort();
}
