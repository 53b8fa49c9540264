// Crash recovery of async orchestrators with real child processes: a host running 50 instances of a 20-step async
// chain is killed with SIGKILL 5 times, each time after evidence of progress plus a random number of further steps,
// and restarted. Every instance completes once with the right output, and no history holds a completion twice: a
// suspended async function lost with its process is rebuilt by replaying its history.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runScript, type ScriptProcess } from '../script-process.js';
import { randomBetween, until } from '../until.js';

const COUNT = 50;
const STEPS = 20;
const KILLS = 5;
const MAX_STEPS_PAST_EVIDENCE = 40;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-async-crash-'));
const file = join(dir, 'hub.db');
let store: SqliteStore;

beforeAll(async () => {
  store = openSqliteStore({ path: file, hubName: 'TestHubName' });
  await store.migrate();
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function startHost(): ScriptProcess {
  return runScript(join(import.meta.dirname, 'async-chain-host.ts'), [file, String(COUNT), String(STEPS)]);
}

/** Step results committed so far over all chains: the evidence of a host's progress. */
function committedSteps(): number {
  const row = store.db
    .prepare(
      `SELECT count(*) AS n FROM history, json_each(history.events)
        WHERE json_extract(json_each.value, '$.eventType') = 'TaskCompleted'`,
    )
    .get() as { n: number };
  return row.n;
}

function expected(n: number): number {
  let acc = n;
  for (let i = 0; i < STEPS; i++) acc = (acc * 31 + i) % 1_000_000_007;
  return acc;
}

describe('crash recovery of async orchestrators', () => {
  it(`survives ${KILLS} SIGKILLs mid-chain: every instance completes once, with the right output`, async () => {
    let interrupted = 0;
    for (let k = 0; k < KILLS; k++) {
      const before = committedSteps();
      const host = startHost();
      const progressed = (steps: number): boolean => {
        if (host.exited()) throw new Error(`host ${k} exited before it was killed`);
        return committedSteps() >= steps;
      };
      await until(() => progressed(before + 1), { what: `host ${k} to commit a step`, timeoutMs: 120_000 });
      const killAt = committedSteps() + randomBetween(0, MAX_STEPS_PAST_EVIDENCE);
      await until(() => progressed(killAt), { what: `host ${k} to commit ${killAt} steps`, timeoutMs: 120_000 });
      host.child.kill('SIGKILL');
      await host.output;
      const page = await store.queryInstances({ runtimeStatus: ['Running'], pageSize: 1000 });
      if (page.instances.length > 0) interrupted++;
    }
    // The kills must have landed mid-chain, or the test proves nothing.
    expect(interrupted).toBe(KILLS);
    const text = await startHost().output;
    expect(text).toContain('done');

    for (let n = 0; n < COUNT; n++) {
      const id = `chain-${n}`;
      const instance = await store.getInstance(id);
      expect(instance?.runtimeStatus, `${id}: ${JSON.stringify(instance?.failureDetails)}`).toBe('Completed');
      expect(JSON.parse(instance?.output ?? 'null')).toBe(expected(n));
      const completed = (await store.getHistory(id)).flatMap((e) =>
        e.eventType === 'TaskCompleted' ? [e.taskScheduledId] : [],
      );
      expect(new Set(completed).size, `${id} observed a task twice`).toBe(completed.length);
      expect(completed).toHaveLength(STEPS);
    }
  }, 300_000);
});
