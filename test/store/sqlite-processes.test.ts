// Invariant 5 across real processes: three OS processes claim from one SQLite file at once. Every instance runs
// exactly once (one episode in its history, finished by the process that claimed it) and no commit is rejected.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { newInstance } from './conformance-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'taskhub-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runChild(file: string, workerId: string, startAt: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'claim-child.ts'), file, workerId, String(startAt)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as string[]);
      else reject(new Error(`${workerId} exited with ${String(code)}: ${err}`));
    });
  });
}

it('three processes on one file never run the same instance', async () => {
  const file = join(dir, 'shared.db');
  const store = openSqliteStore({ path: file, hubName: 'Shared' });
  await store.migrate();
  const count = 300;
  const all = Array.from({ length: count }, (_, i) => `i${String(i).padStart(3, '0')}`);
  await Promise.all(all.map((id) => store.createInstance(newInstance(id))));
  const workers = ['p1', 'p2', 'p3'];
  const startAt = Date.now() + 2_000;
  const runs = await Promise.all(workers.map((w) => runChild(file, w, startAt)));
  // Each process got a share: they contended rather than ran one after the other.
  for (const ids of runs) expect(ids.length).toBeGreaterThan(0);
  const ran = runs.flat();
  expect(ran).toHaveLength(count);
  expect(new Set(ran).size).toBe(count);
  expect([...ran].sort()).toEqual(all);
  for (const [i, ids] of runs.entries()) {
    for (const id of ids.slice(0, 20)) {
      const row = await store.getInstance(id);
      expect(row).toMatchObject({ runtimeStatus: 'Completed', output: JSON.stringify(workers[i]), historyLength: 2 });
    }
  }
  expect(await store.lockHolders()).toEqual([]);
  await store.close();
});
