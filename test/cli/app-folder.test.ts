// The CLI run from an app folder, as a user runs it: with no --url, --store or --hub, client commands reach the app's
// running host, and its store (under its host.json hub, a %SETTING% from local.settings.json) once the host is gone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { closedPort, makeApp, startAppHost, taskhub, type AppHost } from './cli-helpers.js';

const app = makeApp();
const cwd = app.dir;
const run = (...args: string[]) => taskhub(args, { cwd });
let host: AppHost | undefined;

beforeAll(async () => {
  host = await startAppHost(cwd);
});
afterAll(async () => {
  await host?.stop();
  app.remove();
});

/** Instance ids in the order `list` prints them. */
function listedIds(stdout: string): string[] {
  return stdout
    .split('\n')
    .slice(2)
    .map((line) => line.split(/\s+/)[0]!)
    .filter((id) => id !== '');
}

describe('taskhub in an app folder', () => {
  it('starts instances on the running host, waits for them, and lists them newest first', async () => {
    const record = JSON.parse(readFileSync(path.join(cwd, '.taskhub/running-host.json'), 'utf8')) as { url: string };
    expect(record.url).toBe(host!.url);

    const greet = await run('start-instance', 'Greet', '--input', '"Ann"', '--id', 'greet-1', '--wait');
    expect(greet.code).toBe(0);
    expect(JSON.parse(greet.stdout)).toEqual(['Hello Ann!', 'Hello Ann again!']);
    expect(greet.stderr).toContain('Started Greet: instance greet-1');
    expect(greet.stderr).toMatch(/Completed after/);

    const broken = await run('run', 'Breaks', '--input', '7', '--id', 'breaks-1', '--wait');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain('Instance breaks-1 ended Failed');
    expect(broken.stderr).toContain('boom: 7');

    const waits = await run('run', 'Waits', '--id', 'waits-1');
    expect(waits.code).toBe(0);
    expect(waits.stdout).toContain('Started Waits: instance waits-1');
    expect(waits.stdout).toContain(`Status: ${host!.url}/runtime/webhooks/durabletask/instances/waits-1`);

    const list = await run('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^INSTANCE\s+NAME\s+STATUS\s+CREATED\s+UPDATED/);
    expect(listedIds(list.stdout)).toEqual(['waits-1', 'breaks-1', 'greet-1']);
    // Piped: no colour codes.
    expect(list.stdout).not.toContain('\u001b[');

    const exported = await run('export', 'greet-1');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ instanceId: 'greet-1', name: 'Greet', input: '"Ann"' });

    const dashboard = await run('dashboard', '--port', '0');
    expect(dashboard.code).toBe(0);
    expect(dashboard.stdout).toBe(`The app's host already serves its dashboard: ${host!.url}/\n`);
  });

  it('describes an instance for people, and gives the raw JSON with --json', async () => {
    await until(async () => (await run('status', 'waits-1', '--json')).stdout.includes('waiting for Go'), {
      what: 'waits-1 to set its custom status',
    });
    const status = await run('status', 'waits-1');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Name:\s+Waits$/m);
    expect(status.stdout).toMatch(/^Instance ID:\s+waits-1$/m);
    expect(status.stdout).toMatch(/^Status:\s+Running$/m);
    expect(status.stdout).toMatch(/^Custom status:\s+waiting for Go$/m);
    expect(status.stdout).toMatch(/^Duration:\s+.+ so far$/m);
    expect(status.stdout).toMatch(/^TIME\s+EVENT\s+NAME\s+DETAILS$/m);
    expect(status.stdout).toMatch(/ExecutionStarted\s+Waits/);

    const failed = await run('status', 'breaks-1');
    expect(failed.stdout).toMatch(/^Status:\s+Failed$/m);
    expect(failed.stdout).toMatch(/^Input:\s+7$/m);
    expect(failed.stdout).toMatch(/TaskFailed\s+Explode\s+error=boom: 7/);
    expect(failed.stdout).toMatch(/ExecutionCompleted\s+status=Failed/);

    const json = JSON.parse((await run('status', 'greet-1', '--json')).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      instanceId: 'greet-1',
      runtimeStatus: 'Completed',
      output: ['Hello Ann!', 'Hello Ann again!'],
    });
    expect(json.historyEvents).toBeUndefined();
  });

  it('says in plain words what cannot be done, once', async () => {
    const rewind = await run('rewind', 'waits-1');
    expect(rewind.code).toBe(1);
    expect(rewind.stderr).toContain('Instance waits-1 is Running: only Failed instances can be rewound.');

    const restart = await run('restart', 'waits-1', '--same-id');
    expect(restart.code).toBe(1);
    expect(restart.stderr.match(/terminate it/g)).toHaveLength(1);

    const status = await run('list', '--status', 'Running,Finished');
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(
      "Unknown status 'Finished': use one or more of Pending, Running, Completed, ContinuedAsNew, Failed, Canceled, " +
        'Terminated, Suspended.',
    );

    const port = await closedPort();
    const unreachable = await run('list', '--url', `http://127.0.0.1:${port}`);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`Nothing answers at http://127.0.0.1:${port}`);
    expect(unreachable.stderr).toContain('taskhub start');
    expect(unreachable.stderr).not.toContain('fetch failed');
  });

  it('a second host of the same app folder leaves the first one recorded, before and after it stops', async () => {
    const record = path.join(cwd, '.taskhub/running-host.json');
    const first = JSON.parse(readFileSync(record, 'utf8')) as { url: string; pid: number };
    expect(first.url).toBe(host!.url);
    const second = await startAppHost(cwd);
    try {
      // The warning goes through the logger (stderr), the banner straight to stdout: they may arrive in either order.
      await until(() => second.output().includes('another host of this app'), {
        what: 'the second host to warn that the first one is recorded',
      });
      expect((JSON.parse(readFileSync(record, 'utf8')) as { url: string }).url).toBe(host!.url);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect((JSON.parse(readFileSync(record, 'utf8')) as { url: string }).url).toBe(host!.url);
  });

  it('reads the store under the host.json hub once the host is gone, and names the hubs a store holds', async () => {
    expect((await run('raise', 'waits-1', 'Go', '"now"')).code).toBe(0);
    await until(async () => (await run('status', 'waits-1', '--json')).stdout.includes('"Completed"'), {
      what: 'waits-1 to complete',
    });
    expect(await host!.stop()).toBe(0);
    host = undefined;
    expect(existsSync(path.join(cwd, '.taskhub/running-host.json'))).toBe(false);

    const list = await run('list');
    expect(list.code).toBe(0);
    expect(listedIds(list.stdout)).toEqual(['waits-1', 'breaks-1', 'greet-1']);

    // --store alone, run in the app folder, still means the app's hub.
    const stored = await run('list', '--store', 'sqlite:.taskhub/taskhub.db');
    expect(listedIds(stored.stdout)).toEqual(['waits-1', 'breaks-1', 'greet-1']);

    const other = await run('list', '--hub', 'OtherHub');
    expect(other.code).toBe(0);
    expect(other.stdout).toContain('No instances in task hub OtherHub');
    expect(other.stderr).toContain('it holds CliHub (3). Pick one with --hub CliHub.');

    const missing = await run('status', 'greet-1', '--hub', 'OtherHub');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('it holds CliHub (3)');

    // The dashboard, run here, serves the app's store and hub.
    const dashboard = await startAppHost(cwd, [], {}, 'dashboard');
    try {
      expect(dashboard.output()).toContain(`task hub CliHub, store ${path.join(cwd, '.taskhub/taskhub.db')}`);
      const page = (await (await fetch(`${dashboard.url}/dashboard/api/instances`)).json()) as { instances: unknown[] };
      expect(page.instances).toHaveLength(3);
    } finally {
      expect(await dashboard.stop()).toBe(0);
    }
    // Over another hub of that store, it says which hubs the store holds.
    const elsewhere = await startAppHost(cwd, ['--hub', 'OtherHub'], {}, 'dashboard');
    try {
      await until(() => elsewhere.output().includes('Pick one with --hub CliHub.'), { what: 'the hub hint' });
      expect(elsewhere.output()).toContain("Task hub 'OtherHub' has no instances");
    } finally {
      expect(await elsewhere.stop()).toBe(0);
    }

    // A record left by a host that died (its process gone) is passed over for the store.
    const record = path.join(cwd, '.taskhub/running-host.json');
    const port = await closedPort();
    writeFileSync(record, JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid, hubName: 'CliHub' }));
    const stale = await run('status', 'greet-1', '--json');
    expect(stale.code).toBe(0);
    expect(JSON.parse(stale.stdout)).toMatchObject({ runtimeStatus: 'Completed' });
  });

  it('purges in bulk only when told to: --dry-run lists, a script must say --yes', async () => {
    const noFilter = await run('purge');
    expect(noFilter.code).toBe(1);
    expect(noFilter.stderr).toContain('Give an instance id, or filters');

    const dry = await run('purge', '--status', 'Completed', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Would purge 2 instances');
    expect(listedIds(dry.stdout.split('\n').slice(1).join('\n'))).toEqual(['waits-1', 'greet-1']);

    const refused = await run('purge', '--status', 'Completed');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('This would purge 2 instances');
    expect(refused.stderr).toContain('Add --yes');
    expect(listedIds((await run('list')).stdout)).toHaveLength(3);

    const purged = await run('purge', '--status', 'Completed', '--yes');
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain('Purged 2 instances.');
    expect(listedIds((await run('list')).stdout)).toEqual(['breaks-1']);
  });
});

describe('taskhub outside an app folder', () => {
  it('says where it looked and what to give instead', async () => {
    const empty = makeApp();
    try {
      const nowhere = await taskhub(['list'], { cwd: path.dirname(empty.dir) });
      expect(nowhere.code).toBe(1);
      expect(nowhere.stderr).toContain('No app here');
      expect(nowhere.stderr).toContain('--url');

      const noStore = await taskhub(['list', '--app', 'app'], { cwd: path.dirname(empty.dir) });
      expect(noStore.code).toBe(1);
      expect(noStore.stderr).toContain(`there is no store at ${path.join(empty.dir, '.taskhub/taskhub.db')}`);
      expect(noStore.stderr).toContain('taskhub start');
      expect(existsSync(path.join(empty.dir, '.taskhub'))).toBe(false);
    } finally {
      empty.remove();
    }
  });
});
