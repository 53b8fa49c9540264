// An entity id that arrived as plain JSON (`{ name, key }`, as through any input) addresses the entity as an EntityId
// does, in callEntity, signalEntity and lockEntities: durable-functions reads only those two fields.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import type { EntityId } from '../../src/core/entity-id.js';
import { Driver, ev, outputOf } from '../core/history-builder.js';

const targets = (r: { actions: readonly { kind: string }[] }) =>
  r.actions.map((a) => {
    const s = a as { instanceId?: string; input?: string };
    const request = JSON.parse(s.input ?? '{}') as { op?: string; signal?: boolean; id?: string };
    return { to: s.instanceId, op: request.op, signal: request.signal, id: request.id };
  });

describe('entity ids as plain JSON', () => {
  it('signalEntity and callEntity take { name, key } from the input', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const entity = ctx.df.getInput<EntityId>();
      ctx.df.signalEntity(entity, 'add', 1);
      return yield ctx.df.callEntity(entity, 'get');
    });
    const first = targets(d.start({ name: 'Counter', key: 'k1' }));
    expect(first.map(({ to, op, signal }) => ({ to, op, signal }))).toEqual([
      { to: '@counter@k1', op: 'add', signal: true },
      { to: '@counter@k1', op: 'get', signal: false },
    ]);
    const done = d.run(ev.raised(String(first[1]?.id), { result: '1' }));
    expect(outputOf(done)).toBe(1);
  });

  it('lockEntities takes { name, key } too; anything else is still refused', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      yield ctx.df.lockEntities({ name: 'Account', key: 'a' });
      try {
        ctx.df.signalEntity({ name: 'Account' } as EntityId, 'x');
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    });
    const [request] = targets(d.start());
    expect(request?.to).toBe('@account@a');
    expect(outputOf(d.run(ev.raised(String(request?.id), {})))).toMatch(/needs an EntityId/);
  });
});
