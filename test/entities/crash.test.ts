// SIGKILL during a stream of 1,000 signals to one entity: the test process sends the signals through a client-only
// hub while a real child process runs the entity and is killed repeatedly; every signal is applied exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EntityId } from '../../src/core/entity-id.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { runScript, type ScriptProcess } from '../script-process.js';
import { randomBetween, until } from '../until.js';

const SIGNALS = 1000;
const BURST = 40;
/** Past the first signal a host applies, it is killed after 0 to this many more. */
const MAX_SIGNALS_PAST_EVIDENCE = 100;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-entity-crash-'));
const file = join(dir, 'hub.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startHost(): ScriptProcess {
  return runScript(join(import.meta.dirname, 'entity-host.ts'), [file, String(SIGNALS)]);
}

describe('entity crash recovery', () => {
  it(`applies each of ${SIGNALS} signals exactly once across SIGKILLs`, async () => {
    const sender = await openTaskHub({
      store: file,
      registry: new FunctionRegistry(),
      worker: false,
      logger: createLogger({ level: 'silent' }),
    });
    const id = new EntityId('Counter', 'crash');
    let sent = 0;
    let kills = 0;
    let partial = 0;
    try {
      const applied = async (): Promise<number> => (await sender.client.readEntityState<number>(id)).entityState ?? 0;
      // Keeps signals waiting while the host runs, so that a kill finds some not yet applied.
      const topUp = async (value: number): Promise<void> => {
        if (sent >= SIGNALS || sent - value >= 2 * BURST) return;
        const burst = Math.min(BURST, SIGNALS - sent);
        await Promise.all(Array.from({ length: burst }, () => sender.client.signalEntity(id, 'add', 1)));
        sent += burst;
      };
      while (sent < SIGNALS) {
        const host = startHost();
        const before = await applied();
        const reached = async (target: number): Promise<boolean> => {
          const value = await applied();
          if (value >= target) return true;
          if (host.exited()) throw new Error(`entity host exited at ${value} of ${sent} before it was killed`);
          await topUp(value);
          return false;
        };
        // Evidence first: this start applied a signal...
        await until(() => reached(before + 1), { what: 'the entity host to apply a signal', timeoutMs: 60_000 });
        // ...then a random number more, so kills land at different points of the stream.
        // (Capped below SIGNALS: a host that has applied them all prints 'done' and exits.)
        const killAt = Math.min((await applied()) + randomBetween(0, MAX_SIGNALS_PAST_EVIDENCE), SIGNALS - 1);
        await until(() => reached(killAt), { what: `the entity host to apply ${killAt} signals`, timeoutMs: 60_000 });
        host.child.kill('SIGKILL');
        kills++;
        await host.output;
        const value = await applied();
        if (value > 0 && value < sent) partial++;
        if (process.env.CRASH_DEBUG) process.stderr.write(`kill ${kills}: ${value} of ${sent} applied\n`);
      }
      const last = startHost();
      expect(await last.output).toContain('done');
      const state = await sender.client.readEntityState<number>(id);
      expect(state).toEqual({ entityExists: true, entityState: SIGNALS });
      expect(kills).toBeGreaterThanOrEqual(3);
      // Kills must have landed while signals were still waiting, or the test proves nothing.
      expect(partial).toBeGreaterThan(0);
    } finally {
      await sender.close();
    }
  }, 120_000);
});
