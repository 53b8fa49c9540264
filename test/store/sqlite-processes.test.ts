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

interface Child {
  /** Resolves once the process has opened the store and waits for the word to start. */
  readonly ready: Promise<void>;
  /** Lets it start claiming. */
  go(): void;
  /** The ids it ran. */
  readonly ran: Promise<string[]>;
}

function startChild(file: string, workerId: string): Child {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'claim-child.ts'), file, workerId],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  let onReady = (): void => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ran = new Promise<string[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('ran '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('ran '.length)) as string[]);
      else reject(new Error(`${workerId} exited with ${String(code)}: ${err}`));
    });
  });
  return { ready: Promise.race([ready, ran.then(() => undefined)]), go: () => child.stdin.end('go\n'), ran };
}

it('three processes on one file never run the same instance', async () => {
  const file = join(dir, 'shared.db');
  const store = openSqliteStore({ path: file, hubName: 'Shared' });
  await store.migrate();
  const count = 300;
  const all = Array.from({ length: count }, (_, i) => `i${String(i).padStart(3, '0')}`);
  await Promise.all(all.map((id) => store.createInstance(newInstance(id))));
  const workers = ['p1', 'p2', 'p3'];
  const children = workers.map((w) => startChild(file, w));
  // All start claiming at once, however long each took to start (seconds, on a loaded machine).
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.go();
  const runs = await Promise.all(children.map((c) => c.ran));
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
