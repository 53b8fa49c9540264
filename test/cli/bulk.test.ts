// Repair in bulk from an app folder, against its running host (`taskhub start`): terminate, suspend, resume, rewind
// and restart given filters instead of an id. --dry-run lists and changes nothing, a script without --yes is refused
// (exit 1), and with --yes exactly the matching instances change, which the host then shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { makeApp, startAppHost, taskhub, type AppHost } from './cli-helpers.js';

const app = makeApp();
const cwd = app.dir;
let host: AppHost;

async function status(id: string): Promise<string> {
  const response = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${id}`);
  return ((await response.json()) as { runtimeStatus: string }).runtimeStatus;
}

async function start(name: string, id: string, input: unknown = null): Promise<void> {
  const response = await fetch(`${host.url}/api/orchestrators/${name}/${id}`, {
    method: 'POST',
    body: JSON.stringify(input),
    headers: { 'content-type': 'application/json' },
  });
  expect(response.status).toBe(202);
}

async function allAre(ids: readonly string[], wanted: string): Promise<boolean> {
  return (await Promise.all(ids.map(status))).every((s) => s === wanted);
}

const waits = ['w-1', 'w-2', 'w-3', 'w-4'];
const breaks = ['b-1', 'b-2'];

beforeAll(async () => {
  host = await startAppHost(cwd);
  for (const id of waits) await start('Waits', id);
  for (const id of breaks) await start('Breaks', id, id);
  await start('Greet', 'g-1', 'you');
  await until(async () => (await allAre(waits, 'Running')) && (await allAre(breaks, 'Failed')), {
    what: 'the instances running or failed',
  });
  await until(async () => (await status('g-1')) === 'Completed', { what: 'g-1 completed' });
}, 120_000);
afterAll(async () => {
  await host?.stop();
  app.remove();
});

describe('bulk repair', () => {
  it('refuses no filter, and an id with filters', async () => {
    const none = await taskhub(['terminate'], { cwd });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Give an instance id, or filters (--name, --status, --prefix, --from, --to)');
    const both = await taskhub(['terminate', 'w-1', '--status', 'Running'], { cwd });
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('not both');
  });

  it('--dry-run lists the instances that would change and changes nothing; a script needs --yes', async () => {
    const dry = await taskhub(['terminate', '--name', 'waits', '--dry-run'], { cwd });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Would terminate 4 instances in the host at ${host.url}:`);
    for (const id of waits) expect(dry.stdout).toContain(id);
    expect(dry.stdout).not.toMatch(/b-1|g-1/);
    const refused = await taskhub(['terminate', '--name', 'Waits'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('This would terminate 4 instances');
    expect(await allAre(waits, 'Running')).toBe(true);
  });

  it('suspends, resumes and terminates exactly the matching instances', async () => {
    const suspended = await taskhub(['suspend', '--prefix', 'w-', '--yes'], { cwd });
    expect(suspended.stdout).toBe('Suspended 4 instances.\n');
    await until(() => allAre(waits, 'Suspended'), { what: 'the Waits instances suspended' });
    // Resume applies to Suspended ones only: the others the filter names are left alone, with a word.
    const resumed = await taskhub(['resume', '--status', 'Suspended,Failed', '--yes'], { cwd });
    expect(resumed.stdout).toBe('Resumed 4 instances.\n');
    expect(resumed.stderr).toContain('Failed instances are left alone');
    await until(() => allAre(waits, 'Running'), { what: 'the Waits instances resumed' });
    const terminated = await taskhub(['terminate', '--name', 'Waits', '--reason', 'clean-up', '--yes'], { cwd });
    expect(terminated.code).toBe(0);
    expect(terminated.stdout).toBe('Terminated 4 instances.\n');
    await until(() => allAre(waits, 'Terminated'), { what: 'the Waits instances terminated' });
    expect(await allAre(breaks, 'Failed')).toBe(true);
    expect(await status('g-1')).toBe('Completed');
  });

  it('rewinds the failed ones, and restarts finished ones as new instances', async () => {
    const dry = await taskhub(['rewind', '--status', 'Failed', '--dry-run'], { cwd });
    expect(dry.stdout).toContain('Would rewind 2 instances');
    const updated = async (): Promise<Map<string, { runtimeStatus: string; lastUpdatedTime: string }>> => {
      const list = await taskhub(['list', '--prefix', 'b-', '--json'], { cwd });
      const page = JSON.parse(list.stdout) as {
        instances: { instanceId: string; runtimeStatus: string; lastUpdatedTime: string }[];
      };
      return new Map(page.instances.map((i) => [i.instanceId, i]));
    };
    const before = await updated();
    const rewound = await taskhub(['rewind', '--name', 'Breaks', '--yes'], { cwd });
    expect(rewound.stdout).toBe('Rewound 2 instances.\n');
    // Explode still throws: each ran once more and failed again, later than before.
    await until(
      async () =>
        [...(await updated())].every(
          ([id, i]) => i.runtimeStatus === 'Failed' && i.lastUpdatedTime > before.get(id)!.lastUpdatedTime,
        ),
      { what: 'the rewound instances failed again' },
    );
    const restarted = await taskhub(['restart', '--name', 'Greet', '--yes'], { cwd });
    const [, oldId, newId] = /^Restarted 1 instance:\n {2}(\S+) → (\S+)\n$/.exec(restarted.stdout) ?? [];
    expect(oldId).toBeDefined();
    const list = await taskhub(['list', '--json'], { cwd });
    const greets = (JSON.parse(list.stdout) as { instances: { name: string; instanceId: string }[] }).instances.filter(
      (i) => i.name === 'Greet',
    );
    expect(greets.map((i) => i.instanceId).sort()).toEqual([oldId, newId].sort());

    // --json names every pair, for a script to follow the new ids.
    const json = await taskhub(['restart', '--name', 'Greet', '--yes', '--json'], { cwd });
    const pairs = (JSON.parse(json.stdout) as { restarted: { instanceId: string; newInstanceId: string }[] }).restarted;
    expect(pairs.map((p) => p.instanceId)).toContain(oldId);
    expect(pairs.every((p) => p.newInstanceId !== p.instanceId && p.newInstanceId !== newId)).toBe(true);
  });
});
