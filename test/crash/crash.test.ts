// Crash test with real child processes: a host running 200 instances of a 20-step chain is killed with SIGKILL 20
// times and restarted; every instance completes with the right output and no history holds a completion twice
// (activities run at least once, orchestrators observe each result exactly once). Each kill waits for evidence that
// the host made progress since it started (step results committed to the file), then lands a random number of
// results later, so the kills hit every phase (recovery, claims, activities mid-run, commits) on a busy machine too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runScript, type ScriptProcess } from '../script-process.js';
import { randomBetween, until } from '../until.js';

const COUNT = 200;
const STEPS = 20;
const KILLS = 20;
/** Past its first committed step result, a host is killed after 0 to this many more (well below COUNT * STEPS / KILLS). */
const MAX_STEPS_PAST_EVIDENCE = 60;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-crash-'));
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
  return runScript(join(import.meta.dirname, 'chain-host.ts'), [file, String(COUNT), String(STEPS)]);
}

/** Step results committed so far over all chains (a history holds each once): the evidence of a host's progress. */
function committedSteps(): number {
  const row = store.db
    .prepare(
      `SELECT count(*) AS n FROM history, json_each(history.events)
        WHERE json_extract(json_each.value, '$.eventType') = 'TaskCompleted'`,
    )
    .get() as { n: number };
  return row.n;
}

async function countRunning(): Promise<number> {
  const page = await store.queryInstances({ runtimeStatus: ['Running'], pageSize: 1000 });
  return page.instances.length;
}

function expected(n: number): number {
  let acc = n;
  for (let i = 0; i < STEPS; i++) acc = (acc * 31 + i) % 1_000_000_007;
  return acc;
}

describe('crash recovery', () => {
  it(`survives ${KILLS} SIGKILLs: every instance completes once, with the right output`, async () => {
    let interrupted = 0;
    for (let k = 0; k < KILLS; k++) {
      const before = committedSteps();
      const startedAt = Date.now();
      const host = startHost();
      const progressed = (steps: number): boolean => {
        if (host.exited()) throw new Error(`host ${k} exited before it was killed`);
        return committedSteps() >= steps;
      };
      // Evidence first: this start committed a step result (it started, recovered and ran something)...
      await until(() => progressed(before + 1), { what: `host ${k} to commit a step`, timeoutMs: 120_000 });
      // ...then a random amount of further work, so the kill may land anywhere from recovery to full flow.
      const killAt = committedSteps() + randomBetween(0, MAX_STEPS_PAST_EVIDENCE);
      await until(() => progressed(killAt), { what: `host ${k} to commit ${killAt} steps`, timeoutMs: 120_000 });
      host.child.kill('SIGKILL');
      await host.output;
      const running = await countRunning();
      if (running > 0) interrupted++;
      if (process.env.CRASH_DEBUG) {
        const ms = Date.now() - startedAt;
        process.stderr.write(`kill ${k} after ${ms} ms: steps ${before} -> ${committedSteps()}, ${running} running\n`);
      }
    }
    // The kills must have landed mid-work, or the test proves nothing.
    expect(interrupted).toBe(KILLS);
    const lastAt = Date.now();
    const last = startHost();
    const text = await last.output;
    if (process.env.CRASH_DEBUG) process.stderr.write(`last host done after ${Date.now() - lastAt} ms\n`);
    expect(text).toContain('done');

    for (let n = 0; n < COUNT; n++) {
      const id = `chain-${n}`;
      const instance = await store.getInstance(id);
      expect(instance?.runtimeStatus, `${id}: ${JSON.stringify(instance?.failureDetails)}`).toBe('Completed');
      expect(JSON.parse(instance?.output ?? 'null')).toBe(expected(n));
      const history = await store.getHistory(id);
      const seen = new Set<number>();
      for (const e of history) {
        if (e.eventType !== 'TaskCompleted') continue;
        expect(seen.has(e.taskScheduledId), `${id} observed task ${e.taskScheduledId} twice`).toBe(false);
        seen.add(e.taskScheduledId);
      }
      expect(seen.size).toBe(STEPS);
    }
  }, 300_000);
});
