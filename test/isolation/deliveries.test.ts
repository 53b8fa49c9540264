// Delivery counts charge only what ends its worker: a host stopped by SIGTERM hands back what still runs (a deploy or
// a restart is no crash), and an activity that happened to run beside a crashing one is never quarantined with it.
// Real processes (the CLI from source), a real SQLite file shared by successive hosts, real HTTP; every wait is for a
// state (a file the activity writes, a status), never for a time.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { post, startHost, type RunningHost } from '../e2e/host.js';
import { until } from '../until.js';

const APP = 'test/isolation/poison-app';
const WEBHOOK = '/runtime/webhooks/durabletask';
/** host.json of the poison app. */
const MAX_DELIVERIES = 3;

interface Status {
  readonly runtimeStatus: string;
  readonly output: unknown;
}

async function statusOf(host: RunningHost, id: string): Promise<Status> {
  return (await (await fetch(`${host.url}${WEBHOOK}/instances/${id}`)).json()) as Status;
}

async function start(host: RunningHost, name: string, id: string, input?: unknown): Promise<void> {
  const started = await post(`${host.url}${WEBHOOK}/orchestrators/${name}/${id}`, input);
  if (started.status !== 202) throw new Error(`start ${id} answered ${started.status}`);
}

/** How many deliveries of the held activity have started (it writes one line each). */
function deliveries(startedFile: string): number {
  return existsSync(startedFile) ? readFileSync(startedFile, 'utf8').split('\n').filter(Boolean).length : 0;
}

describe('delivery counts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-deliveries-'));
  const hosts: RunningHost[] = [];
  const hostOn = async (db: string): Promise<RunningHost> => {
    const host = await startHost(APP, { args: ['--store', `sqlite:${db}`] });
    hosts.push(host);
    return host;
  };
  afterAll(async () => {
    for (const host of hosts) await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`a host stopped by SIGTERM ${MAX_DELIVERIES + 1} times hands its activity back each time; it then completes`, async () => {
    const db = path.join(dir, 'stops.db');
    const held = { started: path.join(dir, 'stops.started'), release: path.join(dir, 'stops.release') };
    let host = await hostOn(db);
    await start(host, 'RunHeld', 'held', held);
    for (let stop = 1; stop <= MAX_DELIVERIES + 1; stop++) {
      await until(() => deliveries(held.started) === stop, { what: `delivery ${stop} of the held activity` });
      host.child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) =>
        host.child.exitCode !== null ? resolve(host.child.exitCode) : host.child.once('exit', resolve),
      );
      expect(code).toBe(0);
      host = await hostOn(db);
    }
    await until(() => deliveries(held.started) === MAX_DELIVERIES + 2, { what: 'the delivery after the last stop' });
    expect((await statusOf(host, 'held')).runtimeStatus).toBe('Running');
    writeFileSync(held.release, '');
    await until(async () => (await statusOf(host, 'held')).runtimeStatus !== 'Running', { what: 'held to finish' });
    const status = await statusOf(host, 'held');
    expect([status.runtimeStatus, status.output]).toEqual(['Completed', 'released']);
    expect(host.output()).not.toContain('activity.quarantined');
  }, 240_000);

  it('an activity running beside one that calls process.exit completes; only the crasher is quarantined', async () => {
    const host = await hostOn(path.join(dir, 'beside.db'));
    const held = { started: path.join(dir, 'beside.started'), release: path.join(dir, 'beside.release') };
    await start(host, 'RunHeld', 'bystander', held);
    await until(() => deliveries(held.started) === 1, { what: 'the held activity running' });
    await start(host, 'RunExit', 'crasher');
    await until(async () => (await statusOf(host, 'crasher')).runtimeStatus === 'Failed', {
      what: 'the crasher quarantined',
      timeoutMs: 120_000,
    });
    expect(String((await statusOf(host, 'crasher')).output)).toContain(
      `'Exit' ended its worker process ${MAX_DELIVERIES} times without completing`,
    );
    expect((await statusOf(host, 'bystander')).runtimeStatus).toBe('Running');
    writeFileSync(held.release, '');
    await until(async () => (await statusOf(host, 'bystander')).runtimeStatus !== 'Running', {
      what: 'the bystander to finish',
    });
    const status = await statusOf(host, 'bystander');
    expect([status.runtimeStatus, status.output]).toEqual(['Completed', 'released']);
  }, 240_000);
});
