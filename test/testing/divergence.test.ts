// A deliberately changed orchestrator is reported with the file:line of the divergent call: by checkReplay, and in
// the failure details and status of an instance that a new deployment replays.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { checkReplay, createTestHub, replayHistory } from '../../src/testing/index.js';

const FILE = fileURLToPath(import.meta.url);

/** The line of this file that holds `marker`: where the changed call is written. */
function lineOf(marker: string): number {
  return (
    readFileSync(FILE, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(marker) && !l.includes('lineOf')) + 1
  );
}

function* before(ctx: OrchestrationContext): OrchestrationGenerator {
  const order = yield ctx.df.callActivity('Reserve', ctx.df.getInput());
  const shipped = yield ctx.df.callActivity('Ship', order);
  yield ctx.df.waitForExternalEvent('Delivered');
  return shipped;
}

function* after(ctx: OrchestrationContext): OrchestrationGenerator {
  const order = yield ctx.df.callActivity('Reserve', ctx.df.getInput());
  const label = yield ctx.df.callActivity('PrintLabel', order); // changed: a new call before Ship
  const shipped = yield ctx.df.callActivity('Ship', label);
  yield ctx.df.waitForExternalEvent('Delivered');
  return shipped;
}

function appWith(orchestrator: typeof before): FunctionRegistry {
  const registry = new FunctionRegistry();
  registry.registerOrchestration('Order', orchestrator);
  registry.registerActivity('Reserve', (input) => `order ${String(input)}`);
  registry.registerActivity('PrintLabel', (order) => `label for ${String(order)}`);
  registry.registerActivity('Ship', (order) => `shipped ${String(order)}`);
  return registry;
}

async function recordedHistory() {
  const hub = await createTestHub({ registry: appWith(before) });
  const id = await hub.client.startNew('Order', { input: 7 });
  await hub.waitForIdle();
  await hub.client.raiseEvent(id, 'Delivered');
  await hub.waitForCompletion(id);
  const history = await hub.client.getHistory(id);
  await hub.close();
  return history;
}

describe('divergence reports', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-divergence-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checkReplay names both sides and the file:line of the changed call', async () => {
    const history = await recordedHistory();
    expect(checkReplay(before, history).ok).toBe(true);
    const report = checkReplay(after, history);
    expect(report.ok).toBe(false);
    if (report.ok) return;
    expect(report.divergence).toMatchObject({
      sequenceId: 1,
      history: "TaskScheduled #1 'Ship'",
      code: "calls activity 'PrintLabel'",
    });
    expect(report.divergence.location).toMatch(new RegExp(`^${FILE}:${lineOf("callActivity('PrintLabel'")}:\\d+$`));
    expect(report.message).toContain(`code:    calls activity 'PrintLabel' (${report.divergence.location})`);
    expect(() => replayHistory(after, history)).toThrow(/history: TaskScheduled #1 'Ship'/);
  });

  it('a running instance replayed by the new code fails with the location in its failure details and status', async () => {
    const store = path.join(dir, 'hub.db');
    const logger = createLogger({ level: 'silent' });
    const old = await openTaskHub({ store, registry: appWith(before), logger });
    await old.start();
    const id = await old.client.startNew('Order', { input: 8 });
    // Wait until Ship's result is recorded: the instance then waits for Delivered, with TaskScheduled #1 'Ship'.
    const shipped = async () => (await old.store.getHistory(id)).filter((e) => e.eventType === 'TaskCompleted').length;
    for (let i = 0; i < 400 && (await shipped()) < 2; i++) await new Promise((r) => setTimeout(r, 5));
    await old.close();

    const deployed = await openTaskHub({ store, registry: appWith(after), logger });
    await deployed.start();
    await deployed.client.raiseEvent(id, 'Delivered');
    const status = await deployed.client.waitForCompletion(id, { timeoutInMilliseconds: 10_000 });
    await deployed.close();
    const location = `${FILE}:${lineOf("callActivity('PrintLabel'")}`;
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toContain(location);
    expect(status.failureDetails?.errorType).toBe('NonDeterministicOrchestrationError');
    const details = JSON.parse(status.failureDetails?.details ?? '{}') as Record<string, unknown>;
    expect(details).toMatchObject({ history: "TaskScheduled #1 'Ship'", code: "calls activity 'PrintLabel'" });
    expect(details.location).toContain(location);
  });
});
