// Versioning through `taskhub start` (a real host and language worker) and the CLI: an app registers Order 1.0 and
// 2.0 side by side with df.app.orchestration(name, { version, handler }); host.json sets Strict and Fail. The built-in
// starter gives new instances the newest version (or `?version=`); the status JSON, the management API's list filter,
// `taskhub list --orchestration-version` and `taskhub status` show the version; a version the app does not run fails.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntilDone, post, runCli, startHost, type RunningHost } from '../e2e/host.js';

const APP = path.join(import.meta.dirname, 'app');
let host: RunningHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function start(query = ''): Promise<{ id: string; body: Record<string, unknown> }> {
  const started = await post(`${host!.url}/runtime/webhooks/durabletask/orchestrators/Order${query}`);
  expect(started.status).toBe(202);
  const done = await pollUntilDone(String(started.body.statusQueryGetUri));
  return { id: String(started.body.id), body: done.body };
}

describe('versioning through taskhub start and the CLI', () => {
  it('starts the newest version or the one asked for, shows and filters by version, fails an unknown one', async () => {
    host = await startHost(APP);
    const newest = await start();
    expect(newest.body).toMatchObject({
      runtimeStatus: 'Completed',
      version: '2.0',
      output: { version: '2.0', steps: ['Validate', 'Reserve'] },
    });
    const pinned = await start('?version=1.0');
    expect(pinned.body).toMatchObject({ version: '1.0', output: { version: '1.0', steps: ['Reserve'] } });
    const unknown = await start('?version=3.0');
    expect(unknown.body).toMatchObject({ runtimeStatus: 'Failed', version: '3.0' });
    expect(String(unknown.body.output)).toContain(
      "The orchestration 'Order' was started with version '3.0', which this app does not run: it runs the versions " +
        "'1.0', '2.0'.",
    );

    const listed = await fetch(`${host.url}/runtime/webhooks/durabletask/instances?version=1.0`);
    expect(((await listed.json()) as { instanceId: string }[]).map((s) => s.instanceId)).toEqual([pinned.id]);

    const list = await runCli(['list', '--url', host.url, '--orchestration-version', '2.0']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/INSTANCE\s+NAME\s+VERSION\s+STATUS/);
    expect(list.stdout).toContain(newest.id);
    expect(list.stdout).not.toContain(pinned.id);

    const status = await runCli(['status', pinned.id, '--url', host.url]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Version:\s+1\.0/);

    const run = await runCli(['run', 'Order', '--url', host.url, '--orchestration-version', '1.0', '--wait', '30']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ version: '1.0', steps: ['Reserve'] });
  });
});
