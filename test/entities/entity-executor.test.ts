// The pure entity batch executor: arrival order, rollback of failed operations, dedupe, and critical-section locks
// (queueing others' requests, forwarding the lock chain, releasing, cancelling a lock that never arrived).
import { describe, expect, it } from 'vitest';
import type { EntityContext } from '../../src/core/context.js';
import { executeEntityBatch } from '../../src/core/entity-executor.js';
import { EMPTY_ENTITY, type EntityRecord, type EntityRequest } from '../../src/core/entity-state.js';

function list(context: EntityContext<string[]>): void {
  const df = context.df;
  const items = df.getState(() => []) ?? [];
  if (df.operationName === 'push') {
    items.push(df.getInput<string>() ?? '');
    df.setState(items);
    df.return(items.length);
  } else if (df.operationName === 'pushThenFail') {
    items.push('lost');
    df.setState(items);
    df.signalEntity(context.df.entityId, 'push', 'never');
    throw new TypeError('nope');
  }
}

const op = (id: string, value: string, parent?: string): EntityRequest => ({
  id,
  op: 'push',
  input: JSON.stringify(value),
  ...(parent ? { parent } : { signal: true }),
});

async function run(requests: EntityRequest[], record: EntityRecord = EMPTY_ENTITY) {
  return executeEntityBatch(list, { schedulerId: '@list@k', record, requests });
}

describe('entity batch executor', () => {
  it('runs operations in arrival order and answers callers with the result', async () => {
    const result = await run([op('1', 'a'), op('2', 'b', 'orch')]);
    expect(result.record).toMatchObject({ exists: true, state: '["a","b"]' });
    expect(result.sends).toEqual([{ instanceId: 'orch', name: '2', input: JSON.stringify({ result: '2' }) }]);
  });

  it('rolls a failed operation back (state and signals) and answers with the error', async () => {
    const result = await run([op('1', 'a'), { id: '2', op: 'pushThenFail', parent: 'orch' }, op('3', 'c')]);
    expect(result.record.state).toBe('["a","c"]');
    expect(result.sends).toEqual([
      { instanceId: 'orch', name: '2', input: JSON.stringify({ result: '"nope"', exceptionType: 'TypeError' }) },
    ]);
  });

  it('applies a request id once, across batches too', async () => {
    const first = await run([op('1', 'a'), op('1', 'a')]);
    expect(first.record.state).toBe('["a"]');
    const second = await run([op('1', 'a'), op('2', 'b')], first.record);
    expect(second.record.state).toBe('["a","b"]');
  });

  it('a lock queues the requests of others until released, then runs them in order', async () => {
    const lock: EntityRequest = { id: 'L', lockset: ['@list@k', '@list@z'], pos: 0, parent: 'owner' };
    const locked = await run([lock, op('1', 'other'), op('2', 'mine', 'owner')]);
    // The chain goes on to the next entity; the owner's call runs, the other's waits.
    expect(locked.sends[0]).toEqual({
      instanceId: '@list@z',
      name: 'op',
      input: JSON.stringify({ ...lock, pos: 1 }),
    });
    expect(locked.record).toMatchObject({ state: '["mine"]', lock: { owner: 'owner', id: 'L' } });
    expect(locked.record.queue?.map((q) => q.id)).toEqual(['1']);
    const released = await run([{ id: 'L', release: true, parent: 'owner' }, op('3', 'later')], locked.record);
    expect(released.record.state).toBe('["mine","other","later"]');
    expect(released.record.lock).toBeUndefined();
    expect(released.record.queue).toBeUndefined();
  });

  it('the last entity of a lockset answers the owner; a release that overtakes its lock request cancels it', async () => {
    const granted = await run([{ id: 'L', lockset: ['@list@k'], pos: 0, parent: 'owner' }]);
    expect(granted.sends).toEqual([{ instanceId: 'owner', name: 'L', input: '{}' }]);
    const cancelled = await run([
      { id: 'M', release: true, parent: 'gone' },
      { id: 'M', lockset: ['@list@k'], pos: 0, parent: 'gone' },
      op('1', 'free'),
    ]);
    expect(cancelled.record.lock).toBeUndefined();
    expect(cancelled.record.state).toBe('["free"]');
  });

  it('fails every operation of an entity this app does not define', async () => {
    const result = await executeEntityBatch(undefined, {
      schedulerId: '@ghost@k',
      record: EMPTY_ENTITY,
      requests: [op('1', 'a', 'orch')],
    });
    expect(JSON.parse(result.sends[0]?.input ?? '{}')).toMatchObject({ exceptionType: 'Error' });
    expect(result.record.exists).toBe(false);
  });
});
