// The dashboard's doctor page, "attempt n of N" and restart links in a real browser (Chromium through playwright-core)
// against `taskhub start`: an instance whose timer message was lost (deleted with SQL, as a crash could leave it) is
// listed as stuck with the command that fixes it, and gone once fixed; a retry policy's attempts read "attempt 2 of 3";
// the version a start event carries is shown, and the start form sends one; a restarted instance links back to its
// original.
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/history.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { until } from '../until.js';
import { ensureBuilt, hasChromium, launchChromium, waitForStatus } from './dashboard-browser.js';
import { post, ROOT, startHost, type RunningHost } from './host.js';

describe.skipIf(!hasChromium)('doctor, attempts and restart links in Chromium', () => {
  let host: RunningHost;
  let browser: Browser;
  let page: Page;
  let api: string;

  const history = async (id: string) =>
    (
      (await (await fetch(`${host.url}/dashboard/api/instances/${encodeURIComponent(id)}`)).json()) as {
        history: { eventType: string }[];
      }
    ).history;

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost('test/e2e/dashboard-app.ts');
    api = `${host.url}/runtime/webhooks/durabletask`;
    for (const [name, id, input] of [
      ['Sleeper', 'lost-timer', null],
      ['Retrying', 'retry-9', 'card-9'],
      ['Quick', 'quick-9', 4],
    ] as const) {
      expect((await post(`${api}/orchestrators/${name}/${id}`, input)).status).toBe(202);
    }
    await until(async () => (await history('lost-timer')).some((e) => e.eventType === 'TimerCreated'), {
      what: "lost-timer's timer",
    });
    await waitForStatus(api, 'retry-9', (b) => b.runtimeStatus === 'Completed');
    await waitForStatus(api, 'quick-9', (b) => b.runtimeStatus === 'Completed');
    // The timer message is lost, as a store restored from a partial backup would lose it.
    const db = new Database(path.join(host.dir, 'hub.db'));
    try {
      db.pragma('busy_timeout = 10000');
      const deleted = db.prepare("DELETE FROM messages WHERE instance_id = 'lost-timer'").run().changes;
      expect(deleted).toBe(1);
    } finally {
      db.close();
    }
    browser = await launchChromium();
    // A zone away from UTC, so the UTC/local toggle visibly changes the times inside findings.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, timezoneId: 'Asia/Kolkata' });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('lists the stuck instance as an error with its fix, linked; Check again shows it gone once fixed', async () => {
    await page.goto(`${host.url}/#/`);
    await page.getByTestId('nav-doctor').click();
    const stuck = page.locator('[data-testid="finding"][data-code="STUCK"]');
    await expect.poll(() => stuck.count()).toBe(1);
    expect(await stuck.getAttribute('data-severity')).toBe('error');
    expect(await stuck.getByTestId('finding-title').textContent()).toBe(
      '1 Running instance stuck: what it waits for no longer exists',
    );
    expect(await stuck.getByTestId('finding-fix').allTextContents()).toEqual([
      "taskhub terminate lost-timer --reason 'stuck: nothing left to wake it' && taskhub restart lost-timer",
    ]);
    // Times inside findings follow the UTC/local toggle, as every other time on the dashboard does.
    const report = (await (await fetch(`${api}/doctor`)).json()) as { findings: { code: string; details: string[] }[] };
    const due = /due (\S+Z),/.exec(report.findings.find((f) => f.code === 'STUCK')!.details[0]!)![1]!;
    const utc = `${due.slice(0, 10)} ${due.slice(11, 19)} UTC`;
    expect(await stuck.textContent()).toContain(
      `lost-timer (Sleeper): waits for timer #0 due ${utc}, which has no timer`,
    );
    await page.getByTestId('zone-local').click();
    const local = new Date(Date.parse(due) + 330 * 60_000).toISOString();
    await expect
      .poll(() => stuck.textContent())
      .toContain(`due ${local.slice(0, 10)} ${local.slice(11, 19)} local (UTC+05:30), which has no timer`);
    await page.getByTestId('zone-utc').click();
    expect(await page.getByTestId('doctor-summary').textContent()).toMatch(/^1 error, 0 warnings · checked /);
    // Errors come first; the store's size is always there, as information.
    expect(await page.getByTestId('finding').first().getAttribute('data-code')).toBe('STUCK');
    expect(await page.locator('[data-testid="finding"][data-code="STORE_SIZE"]').getAttribute('data-severity')).toBe(
      'info',
    );

    if (process.env.TASKHUB_SCREENSHOTS) {
      await page.screenshot({ path: path.join(ROOT, 'docs/dashboard-doctor.png'), fullPage: true });
    }

    await stuck.getByTestId('finding-instance').click();
    await expect.poll(() => page.getByTestId('instance-id').textContent()).toBe('lost-timer');

    // The fix, through the management API (what `taskhub terminate` sends to a host).
    expect((await post(`${api}/instances/lost-timer/terminate?reason=stuck`)).status).toBe(202);
    await waitForStatus(api, 'lost-timer', (b) => b.runtimeStatus === 'Terminated');
    await page.getByTestId('nav-doctor').click();
    await page.getByTestId('doctor-refresh').click();
    await expect.poll(() => page.getByTestId('doctor-summary').textContent()).toMatch(/^No problems found · /);
    expect(await stuck.count()).toBe(0);
  });

  it('labels each attempt of a retry policy "attempt n of N", on the timeline', async () => {
    await page.goto(`${host.url}/#/instances/retry-9`);
    const flaky = page.getByTestId('gantt-row').filter({ hasText: 'Flaky' });
    await expect.poll(() => flaky.count()).toBe(3);
    expect(await flaky.getByTestId('attempt').allTextContents()).toEqual([
      'attempt 1 of 3',
      'attempt 2 of 3',
      'attempt 3 of 3',
    ]);
  });

  it('shows the version an instance was started with', async () => {
    // Written as a client that starts with a version would write it (the start event carries the version).
    const client = await openTaskHub({
      store: path.join(host.dir, 'hub.db'),
      worker: false,
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const startEvent: HistoryEvent = {
        eventType: 'ExecutionStarted',
        eventId: -1,
        timestamp: new Date().toISOString(),
        name: 'Quick',
        instanceId: 'versioned-1',
        executionId: 'versioned-1-x',
        input: '3',
        version: '2.1',
      };
      await client.store.createInstance({
        instanceId: 'versioned-1',
        executionId: 'versioned-1-x',
        name: 'Quick',
        input: '3',
        startEvent,
      });
    } finally {
      await client.close();
    }
    await waitForStatus(api, 'versioned-1', (b) => b.runtimeStatus === 'Completed');
    await page.goto(`${host.url}/#/instances/versioned-1`);
    await expect.poll(() => page.getByTestId('version').textContent()).toBe('2.1');
    await page.goto(`${host.url}/#/instances/quick-9`);
    await expect.poll(() => page.getByTestId('instance-id').textContent()).toBe('quick-9');
    expect(await page.getByTestId('version').count()).toBe(0);
    // The list shows the version beside the name, and the version filter keeps only that version's instances.
    await page.goto(`${host.url}/#/?version=2.1`);
    const rows = page.getByTestId('instance-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-id')).toBe('versioned-1');
    expect(await rows.getByTestId('row-version').textContent()).toBe(' v2.1');
    expect(await page.getByTestId('filter-version').inputValue()).toBe('2.1');
  });

  it('starts an instance with the version typed in the start form', async () => {
    await page.goto(`${host.url}/#/`);
    await page.getByTestId('start-instance').click();
    await page.getByTestId('start-name').selectOption('Quick');
    await page.getByTestId('start-id').fill('started-v');
    await page.getByTestId('start-version').fill('3.0');
    await page.getByTestId('start-input').fill('2');
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/orchestrators/Quick/')),
      page.getByTestId('confirm').click(),
    ]);
    expect(new URL(request.url()).pathname).toBe('/runtime/webhooks/durabletask/orchestrators/Quick/started-v');
    expect(new URL(request.url()).searchParams.get('version')).toBe('3.0');
    await expect.poll(() => page.getByTestId('instance-id').textContent()).toBe('started-v');
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 15_000 }).toBe('Completed');
  });

  it('links a restarted instance to its original', async () => {
    await page.goto(`${host.url}/#/instances/quick-9`);
    await page.getByTestId('action-restart').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => page.getByTestId('instance-id').textContent()).not.toBe('quick-9');
    const link = page.getByTestId('restarted-from');
    await expect.poll(() => link.textContent()).toBe('quick-9');
    expect(await link.getAttribute('href')).toBe('#/instances/quick-9');
    await link.click();
    await expect.poll(() => page.getByTestId('instance-id').textContent()).toBe('quick-9');
    // The original was not restarted from anything.
    expect(await page.getByTestId('restarted-from').count()).toBe(0);
  });
});
