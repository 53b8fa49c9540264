// Crash test with real child processes: a host running 200 instances of a 20-step chain is killed with SIGKILL at
// random moments 20 times and restarted; every instance completes with the right output and no history holds a
// completion twice (activities run at least once, orchestrators observe each result exactly once).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const COUNT = 200;
const STEPS = 20;
const KILLS = 20;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-crash-'));
const file = join(dir, 'hub.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startHost(): { child: ChildProcess; output: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'chain-host.ts'), file, String(COUNT), String(STEPS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const output = new Promise<string>((resolve) => child.on('exit', () => resolve(text)));
  return { child, output };
}

async function countRunning(): Promise<number> {
  const store = openSqliteStore({ path: file, hubName: 'TestHubName' });
  try {
    await store.migrate();
    const page = await store.queryInstances({ runtimeStatus: ['Running'], pageSize: 1000 });
    return page.instances.length;
  } finally {
    await store.close();
  }
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
      const { child, output } = startHost();
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 800));
      child.kill('SIGKILL');
      await output;
      const running = await countRunning();
      if (running > 0) interrupted++;
      if (process.env.CRASH_DEBUG) process.stderr.write(`kill ${k}: ${running} running\n`);
    }
    // The kills must have landed mid-work, or the test proves nothing.
    expect(interrupted).toBeGreaterThanOrEqual(KILLS / 2);
    const last = startHost();
    const text = await last.output;
    expect(text).toContain('done');

    const store = openSqliteStore({ path: file, hubName: 'TestHubName' });
    await store.migrate();
    try {
      for (let n = 0; n < COUNT; n++) {
        const id = `chain-${n}`;
        const instance = await store.getInstance(id);
        expect(instance?.runtimeStatus).toBe('Completed');
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
    } finally {
      await store.close();
    }
  }, 300_000);
});
