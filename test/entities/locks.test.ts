// Critical sections: transfers between accounts under lockEntities conserve the total balance, and a section that
// ends with the orchestration (no release call) leaves its entities unlocked.
import { afterEach, describe, expect, it } from 'vitest';
import type { EntityContext, EntityLock, OrchestrationContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { openTestHub, type TestHub } from '../worker/helpers.js';

const hubs: TestHub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.close();
});

function account(context: EntityContext<number>): void {
  const df = context.df;
  const balance = df.getState(() => 0) ?? 0;
  if (df.operationName === 'get') df.return(balance);
  else if (df.operationName === 'add') df.setState(balance + (df.getInput<number>() ?? 0));
  else throw new Error(`unknown operation ${df.operationName}`);
}

const ACCOUNTS = 4;

function* transfer(ctx: OrchestrationContext): Generator<unknown, string, unknown> {
  const { from, to, amount } = ctx.df.getInput<{ from: number; to: number; amount: number }>();
  const a = new EntityId('Account', `acc${from}`);
  const b = new EntityId('Account', `acc${to}`);
  const lock = (yield ctx.df.lockEntities(a, b)) as EntityLock;
  const balance = (yield ctx.df.callEntity(a, 'get')) as number;
  if (balance < amount) {
    lock.release();
    return 'insufficient';
  }
  // Two separate calls: without the lock another transfer could interleave and spend the same money twice.
  yield ctx.df.callEntity(a, 'add', -amount);
  yield ctx.df.callEntity(b, 'add', amount);
  lock.release();
  return 'done';
}

describe('lockEntities', () => {
  it('20 concurrent transfers conserve the total balance and never overdraw', async () => {
    const hub = await openTestHub((r) => {
      r.registerEntity('Account', account);
      r.registerOrchestration('Transfer', transfer as never);
      r.registerOrchestration('Audit', function* (ctx: OrchestrationContext) {
        const ids = Array.from({ length: ACCOUNTS }, (_, i) => new EntityId('Account', `acc${i}`));
        const lock = (yield ctx.df.lockEntities(...ids)) as EntityLock;
        const balances = (yield ctx.df.Task.all(ids.map((id) => ctx.df.callEntity(id, 'get')))) as number[];
        lock.release();
        return balances;
      });
    });
    hubs.push(hub);
    for (let i = 0; i < ACCOUNTS; i++) await hub.client.signalEntity(new EntityId('Account', `acc${i}`), 'add', 100);
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        hub.client.startNew('Transfer', { input: { from: i % ACCOUNTS, to: (i * 3 + 1) % ACCOUNTS, amount: 30 + i } }),
      ),
    );
    const audits = await Promise.all(Array.from({ length: 3 }, () => hub.client.startNew('Audit')));
    const results = await Promise.all(
      ids.map((id) => hub.client.waitForCompletion(id, { timeoutInMilliseconds: 30_000 })),
    );
    expect(results.every((r) => r.runtimeStatus === 'Completed')).toBe(true);
    // Audits take every lock: each sees a consistent snapshot, whatever transfers ran before it.
    for (const audit of audits) {
      const status = await hub.client.waitForCompletion(audit, { timeoutInMilliseconds: 30_000 });
      const balances = status.output as number[];
      expect(balances.reduce((x, y) => x + y, 0)).toBe(ACCOUNTS * 100);
      expect(balances.every((b) => b >= 0)).toBe(true);
    }
    let total = 0;
    for (let i = 0; i < ACCOUNTS; i++) {
      const state = await hub.client.readEntityState<number>(new EntityId('Account', `acc${i}`));
      expect(state.entityState).toBeGreaterThanOrEqual(0);
      total += state.entityState ?? 0;
    }
    expect(total).toBe(ACCOUNTS * 100);
    expect(results.filter((r) => r.output === 'done').length).toBeGreaterThan(0);
  });

  it('an orchestration that ends inside its section releases the locks', async () => {
    const hub = await openTestHub((r) => {
      r.registerEntity('Account', account);
      r.registerOrchestration('Forgetful', function* (ctx: OrchestrationContext) {
        yield ctx.df.lockEntities(new EntityId('Account', 'x'), new EntityId('Account', 'y'));
        return 'left without release';
      });
      r.registerOrchestration('Later', function* (ctx: OrchestrationContext) {
        return yield ctx.df.callEntity(new EntityId('Account', 'y'), 'get');
      });
    });
    hubs.push(hub);
    const first = await hub.client.startNew('Forgetful');
    expect((await hub.client.waitForCompletion(first)).runtimeStatus).toBe('Completed');
    await hub.client.signalEntity(new EntityId('Account', 'y'), 'add', 5);
    const later = await hub.client.startNew('Later');
    expect((await hub.client.waitForCompletion(later)).output).toBe(5);
  });
});
