// `taskhub export` and `taskhub replay` as a user runs them: every recorded fixture replays against the app's current
// code, a changed orchestrator is reported with the file:line of its changed call (exit code 1), and a running
// instance exported from a store replays against the app it came from.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { cliCommand, pollUntilDone, post, ROOT, startHost } from '../e2e/host.js';
import { registry } from './approval-app.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/histories');
const APP = path.join(ROOT, 'test/testing/fixture-app.ts');

async function taskhub(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...cliCommand(), ...args], {
      cwd: ROOT,
      env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn' },
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('taskhub replay', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

  it('replays every recorded fixture against the current code', async () => {
    const results = await Promise.all(files.map((f) => taskhub('replay', path.join(FIXTURES, f), APP)));
    for (const [i, r] of results.entries()) {
      expect({ file: files[i], code: r.code, stderr: r.stderr }).toEqual({ file: files[i], code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^OK: the current code replays \d+ events of '\w+'/);
    }
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it('reports a changed orchestrator side by side with the file:line of the changed call, exit code 1', async () => {
    const r = await taskhub('replay', path.join(FIXTURES, 'hello-chain.json'), 'test/testing/changed-app.ts');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("history: TaskScheduled #1 'SayHello'");
    expect(r.stdout).toContain("code:    calls activity 'Greet'");
    expect(r.stdout).toContain(`call:    ${path.join(ROOT, 'test/testing/changed-app.ts')}:9:`);
    const json = await taskhub(
      'replay',
      path.join(FIXTURES, 'hello-chain.json'),
      'test/testing/changed-app.ts',
      '--json',
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, divergence: { sequenceId: 1 } });
  });

  it('says which orchestrators the app has when the history names another', async () => {
    const r = await taskhub('replay', path.join(FIXTURES, 'fan-out.json'), 'test/testing/changed-app.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("has no orchestrator 'fanOut' (it has: helloChain)");
  });
});

describe('taskhub export', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a running instance's name, input and raw history, which replays against its app", async () => {
    const db = path.join(dir, 'hub.db');
    const hub = await openTaskHub({ store: db, registry, logger: createLogger({ level: 'silent' }) });
    await hub.start();
    const id = await hub.client.startNew('Monitor', { instanceId: 'monitor-1', input: 0 });
    // Running and waiting on its hourly timer once CheckJob's result and the timer are recorded.
    for (let i = 0; i < 400 && !(await hub.store.getHistory(id)).some((e) => e.eventType === 'TimerCreated'); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await hub.close();

    const exported = await taskhub('export', id, '--store', `sqlite:${db}`);
    expect(exported.code).toBe(0);
    const body = JSON.parse(exported.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({
      format: 'taskhub-history/1',
      instanceId: 'monitor-1',
      name: 'Monitor',
      input: '0',
      runtimeStatus: 'Running',
    });
    expect((body.history as { eventType: string }[]).map((e) => e.eventType)).toContain('TimerCreated');
    const file = path.join(dir, 'history.json');
    writeFileSync(file, exported.stdout);
    const replayed = await taskhub('replay', file, APP);
    expect(replayed.stdout).toMatch(
      /^OK: the current code replays \d+ events of 'Monitor' \(instance monitor-1\); it is now Running\./,
    );
    expect(replayed.code).toBe(0);

    const missing = await taskhub('export', 'nobody', '--store', `sqlite:${db}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No instance with ID 'nobody' found. (INSTANCE_NOT_FOUND)");
  });

  it('exports from a running host (--url) and replays against the app the host serves', async () => {
    const host = await startHost('examples/hello-classic');
    try {
      const started = await post(`${host.url}/api/orchestrators/HelloOrchestrator`);
      const id = String(started.body.id);
      await pollUntilDone(String(started.body.statusQueryGetUri));
      const exported = await taskhub('export', id, '--url', host.url);
      expect(exported.code).toBe(0);
      const body = JSON.parse(exported.stdout) as { name: string; runtimeStatus: string; history: unknown[] };
      expect(body).toMatchObject({ name: 'HelloOrchestrator', runtimeStatus: 'Completed' });
      const file = path.join(dir, 'hello.json');
      writeFileSync(file, exported.stdout);
      const replayed = await taskhub('replay', file, 'examples/hello-classic');
      expect(replayed.stdout).toMatch(/^OK: .* it is now Completed\./);
      expect(replayed.code).toBe(0);
    } finally {
      await host.stop();
    }
  });
});
