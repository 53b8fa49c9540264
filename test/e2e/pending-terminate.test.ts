// The tester's steps through the CLI: with no host running, `taskhub run` writes a Pending instance to the store and
// `taskhub terminate` queues its termination; the host started afterwards ends it Terminated with the reason, although
// its orchestrator would complete in its first episode.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { until } from '../until.js';
import { runCli, startHost, type RunningHost } from './host.js';

const APP = 'test/e2e/pending-terminate-app.ts';

let host: RunningHost | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await host?.stop();
  host = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Status {
  runtimeStatus: string;
  output?: unknown;
  historyEvents?: { EventType: string }[];
}

it('a terminate sent while the host is stopped wins over an orchestrator that would complete at once', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-pending-terminate-'));
  dirs.push(dir);
  const store = `sqlite:${path.join(dir, 'hub.db')}`;

  // A host created the store once and is stopped now (the last --store given wins over startHost's own).
  host = await startHost(APP, { args: ['--store', store] });
  await host.stop();
  host = undefined;

  const run = await runCli(['run', 'Quick', '--id', 'tp-2', '--input', '5', '--store', store]);
  expect(run.code).toBe(0);
  const terminate = await runCli(['terminate', 'tp-2', '--reason', 'nope', '--store', store]);
  expect(terminate.code).toBe(0);
  expect(terminate.stdout).toContain('Requested terminate of tp-2.');

  host = await startHost(APP, { args: ['--store', store] });
  const status = async (): Promise<Status> =>
    JSON.parse((await runCli(['status', 'tp-2', '--json', '--history', '--store', store])).stdout) as Status;
  await until(async () => (await status()).runtimeStatus !== 'Pending', { what: 'tp-2 to leave Pending' });
  const done = await status();
  expect(done).toMatchObject({ runtimeStatus: 'Terminated', output: 'nope' });
  expect(done.historyEvents?.map((e) => e.EventType)).toContain('ExecutionTerminated');
});
