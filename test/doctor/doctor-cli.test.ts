// `taskhub doctor` as a user runs it, in an app folder whose store a crash left behind: the report for people and
// for scripts, exit codes that gate a deploy, thresholds refused when wrong, the same findings from a running host
// (GET …/doctor over loopback), and a printed fix that works when pasted into a shell.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/findings.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { makeApp, startAppHost, taskhub, type AppHost } from '../cli/cli-helpers.js';
import { cliCommand } from '../e2e/host.js';
import { until } from '../until.js';
import { IDS, writeCrashedHub, writeWaitingInstance } from './crashed-hub.js';

const app = makeApp();
const cwd = app.dir;
const STRICT = ['--pending-older-than', '0', '--waiting-older-than', '0s', '--max-payload-bytes', '2048'];

beforeAll(async () => {
  mkdirSync(path.join(cwd, '.taskhub'));
  const hub = await openTaskHub({
    store: path.join(cwd, '.taskhub/taskhub.db'),
    hubName: 'CliHub',
    worker: false,
    logger: createLogger({ level: 'silent' }),
  });
  await writeCrashedHub(hub.store);
  await hub.close();
  // Another hub of the same file, where the only thing to say is a fresh instance waiting for an event.
  const quiet = await openTaskHub({
    store: path.join(cwd, '.taskhub/taskhub.db'),
    hubName: 'QuietHub',
    worker: false,
    logger: createLogger({ level: 'silent' }),
  });
  await writeWaitingInstance(quiet.store);
  await quiet.close();
});
afterAll(() => app.remove());

const codes = (report: DoctorReport) => report.findings.map((f) => f.code);

describe('taskhub doctor on the app’s store', () => {
  it('prints each finding with its fix and exits 3 when there are errors', async () => {
    const r = await taskhub(['doctor'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('Task hub CliHub, checked ');
    expect(r.stdout).toMatch(/^ERROR {4}1 Running instance stuck: what it waits for no longer exists$/m);
    expect(r.stdout).toContain(`- ${IDS.stuck} (Greet): waits for activity SayHello (#0), which has no work item`);
    expect(r.stdout).toContain(
      `taskhub terminate ${IDS.stuck} --reason 'stuck: nothing left to wake it' && taskhub restart ${IDS.stuck}`,
    );
    expect(r.stdout).toMatch(/^INFO {5}SQLite .*taskhub\.db: [\d.]+ KiB, write-ahead log/m);
    expect(r.stdout).toMatch(/^3 errors, 1 warning\.$/m);
  });

  it('--json gives the report; --fail-on never exits 0; warnings alone exit 2', async () => {
    const json = await taskhub(['doctor', '--json', ...STRICT], { cwd });
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report.hubName).toBe('CliHub');
    expect(codes(report)).toEqual(
      expect.arrayContaining(['PENDING_TOO_LONG', 'STUCK', 'WAITING_FOR_EVENT', 'ENTITY_LOCK_ORPHANED', 'OVERSIZED']),
    );
    expect(report.thresholds.maxPayloadBytes).toBe(2048);

    expect((await taskhub(['doctor', '--fail-on', 'never'], { cwd })).code).toBe(0);
    // Only the errors fail the gate with --fail-on error; here there are some.
    expect((await taskhub(['doctor', '--fail-on', 'error'], { cwd })).code).toBe(3);

    // A hub whose only finding is a warning: 2, or 0 when only errors fail the gate; healthy under the defaults.
    const quiet = ['doctor', '--hub', 'QuietHub', '--waiting-older-than', '0'];
    const warned = await taskhub(quiet, { cwd });
    expect(warned.code).toBe(2);
    expect(warned.stdout).toMatch(/^WARNING {2}1 Running instance waiting for an external event/m);
    expect(warned.stdout).toMatch(/^0 errors, 1 warning\.$/m);
    expect((await taskhub([...quiet, '--fail-on', 'error'], { cwd })).code).toBe(0);
    const healthy = await taskhub(['doctor', '--hub', 'QuietHub'], { cwd });
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toContain('No problems found.');
  });

  it('fix commands name the target the doctor read, so they act where it looked', async () => {
    const store = `sqlite:${path.join(cwd, '.taskhub/taskhub.db')}`;
    const r = await taskhub(['doctor', '--json', '--store', store, '--hub', 'CliHub', '--pending-older-than', '0'], {
      cwd: path.dirname(cwd),
    });
    const report = JSON.parse(r.stdout) as DoctorReport;
    const stuck = report.findings.find((f) => f.code === 'STUCK');
    // `taskhub start` takes the store and hub, never --url.
    expect(report.findings.find((f) => f.code === 'PENDING_TOO_LONG')?.fix[0]).toBe(
      `taskhub start --store ${store} --hub CliHub`,
    );
    expect(stuck?.fix).toEqual([
      `taskhub terminate ${IDS.stuck} --reason 'stuck: nothing left to wake it' --store ${store} --hub CliHub && ` +
        `taskhub restart ${IDS.stuck} --store ${store} --hub CliHub`,
    ]);
  });

  it('a hub that holds nothing fails with the hint list gives, rather than passing as healthy', async () => {
    const r = await taskhub(['doctor', '--hub', 'Typo'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('No problems found');
    expect(r.stderr).toMatch(
      /Task hub 'Typo' has no instances in .*taskhub\.db; it holds CliHub \(\d+\), QuietHub \(1\)\. Pick one with --hub CliHub\./,
    );
  });

  it(
    "uses the app's host.json maxDeliveryCount, and names --max-delivery-count as doctor's own",
    { timeout: 120_000 },
    async () => {
      const other = makeApp();
      try {
        writeFileSync(
          path.join(other.dir, 'host.json'),
          JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: 'Poison', maxDeliveryCount: 6 } } }),
        );
        mkdirSync(path.join(other.dir, '.taskhub'));
        const hub = await openTaskHub({
          store: path.join(other.dir, '.taskhub/taskhub.db'),
          hubName: 'Poison',
          worker: false,
          logger: createLogger({ level: 'silent' }),
        });
        await writeCrashedHub(hub.store);
        await hub.close();
        // The work item was delivered 5 times: under the app's limit of 6, the host has not given up on it.
        const app = JSON.parse((await taskhub(['doctor', '--json'], { cwd: other.dir })).stdout) as DoctorReport;
        expect(app.thresholds.maxDeliveryCount).toBe(6);
        expect(codes(app)).not.toContain('DELIVERY_COUNT_EXCEEDED');
        const strict = await taskhub(['doctor', '--max-delivery-count', '5'], { cwd: other.dir });
        expect(strict.stdout).toContain('1 instance with work delivered 5 times or more without completing');
        expect(strict.stdout).toContain("doctor's threshold (--max-delivery-count 5;");

        // Through the app's running host (the dashboard's Doctor page asks it too), the host applies its own limit.
        const host = await startAppHost(other.dir);
        try {
          const viaHost = (await (
            await fetch(`${host.url}/runtime/webhooks/durabletask/doctor`)
          ).json()) as DoctorReport;
          expect(viaHost.thresholds.maxDeliveryCount).toBe(6);
          const viaCli = JSON.parse((await taskhub(['doctor', '--json'], { cwd: other.dir })).stdout) as DoctorReport;
          expect(viaCli.thresholds.maxDeliveryCount).toBe(6);
        } finally {
          await host.stop();
        }
      } finally {
        other.remove();
      }
    },
  );

  it('refuses bad thresholds before reading anything, exit 1', async () => {
    const age = await taskhub(['doctor', '--pending-older-than', 'soon'], { cwd });
    expect(age.code).toBe(1);
    expect(age.stderr).toContain(
      "--pending-older-than must be an age such as 90s, 15m, 6h or 30d (a plain number is seconds), not 'soon'.",
    );
    const count = await taskhub(['doctor', '--max-delivery-count', '0'], { cwd });
    expect(count.code).toBe(1);
    expect(count.stderr).toContain("--max-delivery-count must be a whole number, at least 1, not '0'.");
    const failOn = await taskhub(['doctor', '--fail-on', 'sometimes'], { cwd });
    expect(failOn.code).toBe(1);
    expect(failOn.stderr).toContain("--fail-on must be one of warning, error, never, not 'sometimes'.");
  });
});

describe('taskhub doctor with the app’s host running', () => {
  let host: AppHost;
  beforeAll(async () => {
    host = await startAppHost(cwd);
  }, 90_000);
  afterAll(async () => {
    await host.stop();
  });

  it('serves the report at GET …/doctor (400 for a bad threshold, 405 for a POST)', async () => {
    const base = `${host.url}/runtime/webhooks/durabletask/doctor`;
    const ok = await fetch(`${base}?maxPayloadBytes=2048`);
    expect(ok.status).toBe(200);
    const report = (await ok.json()) as DoctorReport;
    expect(codes(report)).toContain('STUCK');
    expect(report.thresholds.maxPayloadBytes).toBe(2048);
    const bad = await fetch(`${base}?limit=none`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("'limit' must be a whole number, at least 1, not 'none'.");
    expect((await fetch(base, { method: 'POST' })).status).toBe(405);
  });

  it('the CLI asks the host; pasting the printed fix into a shell terminates the stuck instance and runs it again', async () => {
    const r = await taskhub(['doctor', '--json'], { cwd });
    const report = JSON.parse(r.stdout) as DoctorReport;
    const fix = report.findings.find((f) => f.code === 'STUCK')?.fix[0];
    expect(fix).toBeDefined();
    const cli = [process.execPath, ...cliCommand()].map((a) => `'${a}'`).join(' ');
    const script = fix!.replace(/\btaskhub /g, `${cli} `);
    const ran = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('sh', ['-c', script], { cwd, env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn' } }, (err, stdout) =>
        resolve({ code: err ? 1 : 0, stdout }),
      );
    });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`Requested terminate of ${IDS.stuck}.`);
    const restarted = new RegExp(`Restarted ${IDS.stuck} as (\\S+)\\.`).exec(ran.stdout)?.[1];
    expect(restarted).toBeDefined();
    const statusOf = async (id: string) =>
      (JSON.parse((await taskhub(['status', id, '--json'], { cwd })).stdout) as { runtimeStatus: string })
        .runtimeStatus;
    await until(async () => (await statusOf(restarted!)) === 'Completed', {
      what: 'the restarted instance to complete',
      timeoutMs: 90_000,
      pollMs: 250,
    });
    await until(async () => (await statusOf(IDS.stuck)) === 'Terminated', {
      what: 'the stuck instance to be terminated',
      timeoutMs: 90_000,
      pollMs: 250,
    });
    const after = await taskhub(['doctor', '--json'], { cwd });
    expect(codes(JSON.parse(after.stdout) as DoctorReport)).not.toContain('STUCK');
  });
});
