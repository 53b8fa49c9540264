// The group committer on its own, over a store that records its batches: what shares a transaction, and that work
// queued by the continuation of a finished batch is never left behind.
import { describe, expect, it } from 'vitest';
import type { CommitBatch, CommitResult, EpisodeCommit, Store } from '../../src/store/store.js';
import { GroupCommitter } from '../../src/worker/group-committer.js';

function recordingStore(): { store: Store; batches: CommitBatch[] } {
  const batches: CommitBatch[] = [];
  const store = {
    commit(batch: CommitBatch): Promise<CommitResult> {
      batches.push(batch);
      return Promise.resolve({ rejectedEpisodes: [], updatedTime: '2024-01-01T00:00:00.000Z' });
    },
  } as unknown as Store;
  return { store, batches };
}

function episode(instanceId: string): EpisodeCommit {
  return {
    instanceId,
    executionId: 'e',
    expectedHistoryLength: 0,
    append: [],
    runtimeStatus: 'Running',
    consumedMessageIds: [],
    completedWorkItems: [],
    newWorkItems: [],
    newMessages: [],
    newInstances: [],
    keepLock: true,
  };
}

const committer = (store: Store): GroupCommitter =>
  new GroupCommitter(store, { workerId: 'w', leaseMs: 1000, delayMs: 0, maxBatch: 100 });

describe('GroupCommitter', () => {
  it('commits the episodes queued in one turn in one batch and tells each its outcome', async () => {
    const { store, batches } = recordingStore();
    const gc = committer(store);
    const outcomes = await Promise.all(['a', 'b', 'c'].map((id) => gc.commitEpisodeOutcome(episode(id))));
    expect(batches.map((b) => b.episodes.map((e) => e.instanceId))).toEqual([['a', 'b', 'c']]);
    expect(outcomes).toEqual([1, 2, 3].map(() => ({ accepted: true, updatedTime: '2024-01-01T00:00:00.000Z' })));
  });

  it('commits an episode queued by the continuation of the batch that just finished', async () => {
    const { store, batches } = recordingStore();
    const gc = committer(store);
    // The second episode is queued in the same microtask checkpoint in which the first batch's flush ends.
    const second = gc.commitEpisodeOutcome(episode('a')).then(() => gc.commitEpisodeOutcome(episode('b')));
    const timeout = new Promise((resolve) => setTimeout(() => resolve('never committed'), 1000));
    await expect(Promise.race([second, timeout])).resolves.toMatchObject({ accepted: true });
    expect(batches.map((b) => b.episodes.map((e) => e.instanceId))).toEqual([['a'], ['b']]);
  });
});

describe('GroupCommitter during a store outage', () => {
  it('commits a batch again once the store is back, losing nothing; local starts fail at once', async () => {
    const batches: CommitBatch[] = [];
    let failures = 3;
    const store = {
      commit(batch: CommitBatch): Promise<CommitResult> {
        batches.push(batch);
        if (failures-- > 0) return Promise.reject(Object.assign(new Error('down'), { code: 'ECONNREFUSED' }));
        return Promise.resolve({ rejectedEpisodes: [] });
      },
    } as unknown as Store;
    const gc = committer(store);
    const start: EpisodeCommit = {
      ...episode('new'),
      create: {
        instance: {
          instanceId: 'new',
          executionId: 'e',
          name: 'O',
          startEvent: {
            eventType: 'ExecutionStarted',
            eventId: -1,
            timestamp: '2024-01-01T00:00:00.000Z',
            name: 'O',
            instanceId: 'new',
            executionId: 'e',
          },
        },
        replaceableStatuses: [],
      },
    };
    const [a, b, started] = [gc.commitEpisode(episode('a')), gc.commitEpisode(episode('b')), gc.commitEpisode(start)];
    await expect(started).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await a).toBe(true);
    expect(await b).toBe(true);
    // Three failed tries, then one that carried both episodes; the start was in none after the first.
    expect(batches).toHaveLength(4);
    expect(batches.at(-1)?.episodes.map((e) => e.instanceId)).toEqual(['a', 'b']);
  });

  it('still rejects at once what is not an outage', async () => {
    const store = {
      commit: () => Promise.reject(new Error('a bug')),
    } as unknown as Store;
    await expect(committer(store).commitEpisode(episode('a'))).rejects.toThrow('a bug');
  });
});
