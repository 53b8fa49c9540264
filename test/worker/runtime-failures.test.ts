// Executions the runtime fails rather than their code (the orchestrator is not registered in the app that finds
// them): they still tell their parent, and still release the entities they hold, on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import type { FunctionRegistry } from '../../src/core/registry.js';
import { counter } from '../entities/counter-entity.js';
import { openTestHub, type TestHub } from './helpers.js';

const hubs: TestHub[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(register: (r: FunctionRegistry) => void, file?: string): Promise<TestHub> {
  const hub = await openTestHub(register, {}, file);
  hubs.push(hub);
  return hub;
}

describe('runtime failures', () => {
  it('a sub-orchestration that is not registered fails, and its parent catches the failure', async () => {
    const hub = await open((r) => {
      r.registerOrchestration('Parent', function* (ctx: OrchestrationContext) {
        try {
          yield ctx.df.callSubOrchestrator('Missing', null, 'missing-child');
          return 'unexpected';
        } catch (err) {
          return `caught: ${(err as Error).message}`;
        }
      });
    });
    const id = await hub.client.startNew('Parent');
    const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    expect(status.runtimeStatus).toBe('Completed');
    expect(String(status.output)).toContain("'Missing' is not registered");
    expect((await hub.client.getStatus('missing-child')).runtimeStatus).toBe('Failed');
  });

  it('an orchestration holding an entity lock, redeployed away, fails and releases the lock', async () => {
    const account = new EntityId('Counter', 'account');
    const dir = mkdtempSync(join(tmpdir(), 'taskhub-redeploy-'));
    dirs.push(dir);
    const file = join(dir, 'hub.db');
    const first = await open((r) => {
      r.registerEntity('Counter', counter);
      r.registerOrchestration('Holder', function* (ctx: OrchestrationContext) {
        yield ctx.df.lockEntities(account);
        yield ctx.df.waitForExternalEvent('go');
        return 'done';
      });
    }, file);
    await first.client.startNew('Holder', { instanceId: 'holder' });
    // Wait until the lock is granted: the holder then waits for its event.
    for (let i = 0; i < 500; i++) {
      const history = await first.client.getHistory('holder');
      if (history.some((e) => e.eventType === 'EventRaised')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await first.close();
    hubs.splice(hubs.indexOf(first), 1);

    // The new version of the app has no Holder; another orchestration needs the same entity.
    const second = await open((r) => {
      r.registerEntity('Counter', counter);
      r.registerOrchestration('Deposit', function* (ctx: OrchestrationContext) {
        const lock = yield ctx.df.lockEntities(account);
        yield ctx.df.callEntity(account, 'add', 10);
        (lock as { release(): void }).release();
        return yield ctx.df.callEntity(account, 'get');
      });
    }, file);
    await second.client.raiseEvent('holder', 'go', null);
    const holder = await second.client.waitForCompletion('holder', { timeoutInMilliseconds: 10_000 });
    expect(holder.runtimeStatus).toBe('Failed');
    const id = await second.client.startNew('Deposit');
    const deposit = await second.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    expect(deposit).toMatchObject({ runtimeStatus: 'Completed', output: 10 });
  });
});
