// lockEntities in the pure replay engine: the lock request goes to the first entity of the sorted lockset, calls run
// inside, release() sends one release per entity, and every episode equals a fresh replay of the stored history.
import { describe, expect, it } from 'vitest';
import type { EntityLock, OrchestrationContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { Driver, ev, outputOf } from '../core/history-builder.js';

const sends = (r: { actions: readonly { kind: string }[] }) =>
  r.actions.map((a) => {
    const s = a as { kind: string; instanceId?: string; input?: string };
    return { to: s.instanceId, request: JSON.parse(s.input ?? '{}') as Record<string, unknown> };
  });

describe('lockEntities (core)', () => {
  it('locks in sorted order, calls inside, releases each entity, and replays identically', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const b = new EntityId('Account', 'b');
      const a = new EntityId('Account', 'a');
      const lock = (yield ctx.df.lockEntities(b, a, b)) as EntityLock;
      const value = yield ctx.df.callEntity(a, 'get');
      lock.release();
      return { value, locked: lock.entities.map((e) => e.key) };
    });
    const [request] = sends(d.start());
    expect(request).toMatchObject({ to: '@account@a', request: { lockset: ['@account@a', '@account@b'], pos: 0 } });
    const lockId = String(request?.request.id);
    const [call] = sends(d.run(ev.raised(lockId, {})));
    expect(call).toMatchObject({ to: '@account@a', request: { op: 'get', parent: 'test-instance' } });
    const done = d.run(ev.raised(String(call?.request.id), { result: '7' }));
    expect(sends(done)).toEqual([
      { to: '@account@a', request: { id: lockId, release: true, parent: 'test-instance' } },
      { to: '@account@b', request: { id: lockId, release: true, parent: 'test-instance' } },
    ]);
    expect(outputOf(done)).toEqual({ value: 7, locked: ['a', 'b'] });
    expect(done.criticalSection).toBeUndefined();
  });

  it('an execution that ends inside its section reports it, so the runtime releases it; sections do not nest', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      yield ctx.df.lockEntities(new EntityId('Account', 'x'));
      try {
        ctx.df.lockEntities(new EntityId('Account', 'y'));
      } catch (err) {
        return (err as Error).message;
      }
      return 'nested';
    });
    const lockId = String(sends(d.start())[0]?.request.id);
    const done = d.run(ev.raised(lockId, {}));
    expect(outputOf(done)).toMatch(/already holding some locks/);
    expect(done.criticalSection).toEqual({ lockId, entities: ['@account@x'] });
  });
});
