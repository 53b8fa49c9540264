// Instances of a version the running host's app does not run, as a user finds them: `taskhub status` says they wait
// for a worker that runs their version, `taskhub doctor` through the host lists them apart (not as "no host runs this
// task hub"), and through the store alone it says what it cannot know. A real host (taskhub start) over loopback.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/findings.js';
import { post, runCli, startHost, type RunningHost } from '../e2e/host.js';
import { until } from '../until.js';

const APP = path.join(import.meta.dirname, 'version-app');
let host: RunningHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function start(query: string): Promise<string> {
  const started = await post(`${host!.url}/runtime/webhooks/durabletask/orchestrators/Order${query}`);
  expect(started.status).toBe(202);
  return String(started.body.id);
}

async function statusOf(id: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${host!.url}/runtime/webhooks/durabletask/instances/${id}?showWaitingFor=true`);
  return (await response.json()) as Record<string, unknown>;
}

async function doctor(...target: string[]): Promise<DoctorReport> {
  const result = await runCli(['doctor', ...target, '--pending-older-than', '0', '--json']);
  expect([0, 2, 3], result.stderr).toContain(result.code);
  return JSON.parse(result.stdout) as DoctorReport;
}

describe('instances of a version no running worker runs', () => {
  it('status names the worker they wait for; doctor lists them apart, through the host and the store', async () => {
    host = await startHost(APP);
    const old = await start('?version=1.0');
    const future = await start('?version=3.0');
    const current = await start('');
    await until(async () => (await statusOf(current)).runtimeStatus === 'Running', { what: 'the 2.0 instance to run' });
    // The event for the 1.0 instance is delivered; it stays in its queue.
    expect((await post(`${host.url}/runtime/webhooks/durabletask/instances/${old}/raiseEvent/Go`, {})).status).toBe(
      202,
    );

    expect(await statusOf(old)).toMatchObject({
      runtimeStatus: 'Pending',
      version: '1.0',
      waitingFor: { worker: { name: 'Order', version: '1.0' } },
    });
    // The dashboard's instance page reads the same answer.
    const detail = (await (await fetch(`${host.url}/dashboard/api/instances/${old}`)).json()) as Record<
      string,
      unknown
    >;
    expect(detail.waitingFor).toMatchObject({ worker: { name: 'Order', version: '1.0' } });
    const currentDetail = (await (await fetch(`${host.url}/dashboard/api/instances/${current}`)).json()) as Record<
      string,
      unknown
    >;
    expect(currentDetail.waitingFor).not.toHaveProperty('worker');
    const status = await runCli(['status', future, '--url', host.url]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Waiting for:\s+a worker that runs version 3\.0 of Order/);
    const runnable = await runCli(['status', current, '--url', host.url]);
    expect(runnable.stdout).toMatch(/Waiting for:\s+an external event/);
    expect(runnable.stdout).not.toContain('a worker that runs');

    const viaHost = await doctor('--url', host.url);
    const codes = viaHost.findings.map((f) => f.code);
    expect(codes).not.toContain('PENDING_TOO_LONG');
    const notRun = viaHost.findings.find((f) => f.code === 'VERSION_NOT_RUN');
    expect(notRun).toMatchObject({ severity: 'warning', count: 2 });
    expect(notRun!.title).toBe('2 instances of versions no running worker of this app runs: Order 1.0, Order 3.0');
    expect([...notRun!.instanceIds].sort()).toEqual([old, future].sort());
    expect(notRun!.details).toEqual([
      expect.stringMatching(/^1 Order \(oldest created .* ago\) wait for a worker that runs version 1\.0 of Order$/),
      expect.stringMatching(/^1 Order \(oldest created .* ago\) wait for a worker that runs version 3\.0 of Order$/),
    ]);
    expect(notRun!.fix[0]).toContain('taskhub list --orchestration-version 1.0 --status Pending,Running,Suspended');

    // Through the file alone there is no app to compare with: Pending ones may wait for a host or for a version.
    const viaStore = await doctor('--store', `sqlite:${path.join(host.dir, 'hub.db')}`);
    const pending = viaStore.findings.find((f) => f.code === 'PENDING_TOO_LONG');
    expect(pending?.meaning).toContain('or no running worker runs the version they were created with');
    expect(pending?.details.join('\n')).toContain(`${future} (Order 3.0)`);
    const inUse = viaStore.findings.find((f) => f.code === 'VERSIONS_IN_USE');
    expect(inUse).toMatchObject({ severity: 'info', count: 3 });
    expect(inUse!.title).toBe(
      'Unfinished instances of 3 orchestration versions: Order 1.0 (1), Order 2.0 (1), Order 3.0 (1)',
    );
    expect(inUse!.meaning).toContain('doctor cannot know which versions the running workers run');
  });
});
