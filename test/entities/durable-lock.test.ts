// durable-functions 3.5's context.df.lock / isLocked in the pure replay engine: the DurableLock handle, LockState,
// and each locking rule's LockingRulesViolationError with the real package's message.
import { describe, expect, it } from 'vitest';
import * as df from '../../src/app/durable-functions.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { Driver, ev, outputOf } from '../core/history-builder.js';

const requests = (r: { actions: readonly { kind: string }[] }) =>
  r.actions.map((a) => {
    const s = a as { instanceId?: string; input?: string };
    return { to: s.instanceId, request: JSON.parse(s.input ?? '{}') as { id?: string; release?: boolean } };
  });

const a = new EntityId('Account', 'a');
const b = new EntityId('Account', 'b');
const c = new EntityId('Account', 'c');

describe('context.df.lock (durable-functions 3.5)', () => {
  it('locks, reports isLocked, calls a locked entity, releases with the DurableLock', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const before = ctx.df.isLocked();
      const lock = (yield ctx.df.lock([b, a])) as df.DurableLock;
      const during = ctx.df.isLocked();
      const value = yield ctx.df.callEntity(a, 'get');
      lock.release();
      return {
        before: before.isLocked,
        during: [during.isLocked, during.ownedLocks.map((e) => e.key)],
        after: ctx.df.isLocked().isLocked,
        released: lock.isReleased,
        isClasses: lock instanceof df.DurableLock && during instanceof df.LockState,
        value,
      };
    });
    const lockId = String(requests(d.start())[0]?.request.id);
    const call = requests(d.run(ev.raised(lockId, {})))[0];
    const done = d.run(ev.raised(String(call?.request.id), { result: '5' }));
    expect(requests(done).map((r) => [r.to, r.request.release])).toEqual([
      ['@account@a', true],
      ['@account@b', true],
    ]);
    expect(outputOf(done)).toEqual({
      before: false,
      during: [true, ['a', 'b']],
      after: false,
      released: true,
      isClasses: true,
      value: 5,
    });
  });

  it('breaking a locking rule throws LockingRulesViolationError with the real message', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      yield ctx.df.lock(a, b);
      const errors: string[] = [];
      const attempt = (f: () => unknown): void => {
        try {
          f();
          errors.push('accepted');
        } catch (err) {
          errors.push(err instanceof df.LockingRulesViolationError ? err.message : `other: ${String(err)}`);
        }
      };
      attempt(() => ctx.df.lock(c));
      attempt(() => ctx.df.callSubOrchestrator('Child'));
      attempt(() => ctx.df.callEntity(c, 'get'));
      attempt(() => ctx.df.signalEntity(a, 'add', 1));
      attempt(() => ctx.df.callEntity(a, 'get'));
      attempt(() => ctx.df.callEntity(a, 'get'));
      attempt(() => ctx.df.signalEntity(c, 'add', 1));
      return errors;
    });
    const lockId = String(requests(d.start())[0]?.request.id);
    expect(outputOf(d.run(ev.raised(lockId, {})))).toEqual([
      'Cannot acquire more locks when already holding some locks.',
      'Cannot invoke sub-orchestrations from within a critical section.',
      'Cannot call an entity from within a critical section unless it is one of the locked entities.',
      'Cannot signal an entity from within a critical section if the entity is one of the locked entities.',
      'accepted',
      'Cannot call the same entity multiple times in parallel within a critical section.',
      'accepted',
    ]);
  });
});
