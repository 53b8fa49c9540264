// The operator's questions in a real browser (Chromium through playwright-core) against `taskhub start`: a cancelled
// timer drawn as cancelled on a finished instance without stretching its axis; retries labelled by attempt and
// fanned-out rows told apart by their input; what a Running instance waits for (detail and list); starting an
// instance; the history downloaded and replayed by `taskhub replay`; parent and child links; the duration column; UTC
// or local time everywhere, remembered; bulk actions only on a selection or a filter; 1,024 px without overflow; no
// missing glyph; a favicon.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../dashboard/src/duration.js';
import { until } from '../until.js';
import { ensureBuilt, hasChromium, launchChromium, waitForStatus } from './dashboard-browser.js';
import { post, runCli, startHost, type RunningHost } from './host.js';

interface StoredEvent {
  eventType: string;
  timestamp: string;
  fireAt?: string;
}

/** '850 ms', '2.50 s', '1 min 4 s', '1.5 h' back to milliseconds, to check an order. */
function parseDuration(text: string): number {
  const ms = /^([\d.]+) ms$/.exec(text);
  if (ms) return Number(ms[1]);
  const s = /^([\d.]+) s$/.exec(text);
  if (s) return Number(s[1]) * 1000;
  const min = /^(\d+) min (\d+) s$/.exec(text);
  if (min) return Number(min[1]) * 60_000 + Number(min[2]) * 1000;
  const h = /^([\d.]+) h$/.exec(text);
  if (h) return Number(h[1]) * 3_600_000;
  throw new Error(`not a duration: '${text}'`);
}

/** `2026-11-30 06:42:17` for an ISO time, in UTC or shifted by `offsetMinutes`. */
function shown(iso: string, offsetMinutes = 0): string {
  return new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

describe.skipIf(!hasChromium)('the dashboard answers the operator in Chromium', () => {
  let host: RunningHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: string;
  let dashboardApi: string;
  const notFound: string[] = [];

  const detail = async (id: string) =>
    (await (await fetch(`${dashboardApi}/instances/${encodeURIComponent(id)}`)).json()) as {
      instance: { createdTime: string; runtimeStatus: string };
      history: StoredEvent[];
    };
  const hasEvent = async (id: string, type: string): Promise<boolean> =>
    (await detail(id)).history.some((e) => e.eventType === type);
  const open = async (hash: string): Promise<void> => {
    await page.goto(`${host.url}/${hash}`);
  };

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost('test/e2e/dashboard-app.ts');
    api = `${host.url}/runtime/webhooks/durabletask`;
    dashboardApi = `${host.url}/dashboard/api`;
    for (const [name, id, input] of [
      ['Sleeper', 'sleeper-1', null],
      ['Sleeper', 'sleeper-2', null],
      ['Approval', 'approval-1', null],
      ['Retrying', 'retry-1', 'card-42'],
      ['Pipeline', 'pipe-1', 1],
      ['Quick', 'quick-1', 5],
    ] as const) {
      expect((await post(`${api}/orchestrators/${name}/${id}`, input)).status).toBe(202);
    }
    await until(() => hasEvent('approval-1', 'TimerCreated'), { what: "approval-1's timer" });
    expect((await post(`${api}/instances/approval-1/raiseEvent/Approval`, { by: 'ada' })).status).toBe(202);
    await waitForStatus(api, 'approval-1', (b) => b.runtimeStatus === 'Completed');
    await waitForStatus(api, 'retry-1', (b) => b.runtimeStatus === 'Completed');
    await waitForStatus(api, 'quick-1', (b) => b.runtimeStatus === 'Completed');
    await waitForStatus(api, 'pipe-1', (b) => JSON.stringify(b.customStatus).includes('awaiting approval'));
    await until(() => hasEvent('sleeper-1', 'TimerCreated'), { what: "sleeper-1's timer" });
    await until(() => hasEvent('sleeper-2', 'TimerCreated'), { what: "sleeper-2's timer" });
    expect((await post(`${api}/instances/sleeper-2/terminate?reason=enough`)).status).toBe(202);
    await waitForStatus(api, 'sleeper-2', (b) => b.runtimeStatus === 'Terminated');
    browser = await launchChromium();
    // Kolkata is UTC+05:30 all year: local times differ from UTC by a known, DST-free offset.
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, timezoneId: 'Asia/Kolkata' });
    page = await context.newPage();
    page.on('response', (r) => {
      if (r.status() === 404) notFound.push(r.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it.each([
    ['approval-1', 'Completed'],
    ['sleeper-2', 'Terminated'],
  ])('draws the never-fired timer of %s (%s) as cancelled, ending with the instance', async (id, status) => {
    const { history } = await detail(id);
    const first = Date.parse(history[0]!.timestamp);
    const last = Date.parse(history[history.length - 1]!.timestamp);
    await open(`#/instances/${id}`);
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe(status);
    const timer = page.getByTestId('gantt-row').filter({ hasText: 'timer until' });
    await expect.poll(() => timer.count()).toBe(1);
    expect(await timer.getAttribute('data-state')).toBe('canceled');
    expect(await timer.getByTestId('gantt-duration').textContent()).toBe('cancelled');
    // The axis spans the instance's own history, not up to now (or to the timer's due time, an hour or a day away).
    expect(await page.getByTestId('timeline-total').textContent()).toBe(formatDuration(last - first));
    const bar = (await timer.getByTestId('gantt-bar').boundingBox())!;
    const track = (await timer.locator('.gantt-track').boundingBox())!;
    expect(bar.x + bar.width).toBeLessThanOrEqual(track.x + track.width + 1);
    expect(bar.width).toBeGreaterThan(0);
  });

  it('labels retried attempts and tells fanned-out rows apart by their input', async () => {
    await open('#/instances/retry-1');
    const flaky = page.getByTestId('gantt-row').filter({ hasText: 'Flaky' });
    await expect.poll(() => flaky.count()).toBe(3);
    expect(await flaky.getByTestId('attempt').allTextContents()).toEqual([
      'attempt 1 of 3',
      'attempt 2 of 3',
      'attempt 3 of 3',
    ]);
    expect(await flaky.nth(0).getAttribute('data-state')).toBe('failed');
    expect(await flaky.nth(2).getAttribute('data-state')).toBe('completed');
    expect(await flaky.getByTestId('input-hint').allTextContents()).toEqual(['"card-42"', '"card-42"', '"card-42"']);

    await open('#/instances/pipe-1');
    const steps = page.getByTestId('gantt-row').filter({ hasText: 'Step' });
    await expect.poll(() => steps.count()).toBe(7);
    // The chain (1, 2, 4), then the fan-out of four rows that differ only by input.
    expect(await steps.getByTestId('input-hint').allTextContents()).toEqual(['1', '2', '4', '1', '2', '3', '4']);
    expect(await steps.getByTestId('attempt').count()).toBe(0);
  });

  it('says what a Running instance waits for, on its page and in the list', async () => {
    const sleeper = await detail('sleeper-1');
    const fireAt = sleeper.history.find((e) => e.eventType === 'TimerCreated')!.fireAt!;
    await open('#/instances/sleeper-1');
    await expect
      .poll(() => page.getByTestId('waiting-item').allTextContents())
      .toEqual([`timer due ${shown(fireAt)} UTC`]);
    await open('#/instances/pipe-1');
    await expect.poll(() => page.getByTestId('waiting-item').first().textContent()).toContain('an external event');
    await open('#/instances/approval-1');
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('Completed');
    expect(await page.getByTestId('waiting-for').count()).toBe(0);

    await open('#/');
    const waiting = (id: string) =>
      page.locator(`[data-testid="instance-row"][data-id="${id}"]`).getByTestId('waiting');
    await expect.poll(() => waiting('sleeper-1').textContent()).toBe(`timer due ${shown(fireAt)} UTC`);
    await expect.poll(() => waiting('pipe-1').textContent()).toBe('external event');
    expect(await waiting('quick-1').textContent()).toBe('');
  });

  it('links a sub-orchestration and its parent both ways', async () => {
    await open('#/instances/pipe-1');
    const child = page.getByTestId('child-link');
    await expect.poll(() => child.allTextContents()).toEqual(['pipe-1:child']);
    await child.click();
    await expect.poll(() => page.getByTestId('instance-id').textContent()).toBe('pipe-1:child');
    await expect.poll(() => page.getByTestId('parent-link').textContent()).toBe('pipe-1');
    expect(await page.getByTestId('parent-link').getAttribute('href')).toBe('#/instances/pipe-1');
  });

  it('downloads the history as the file taskhub replay reads', async () => {
    await open('#/instances/retry-1');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-history').click()]);
    const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-download-'));
    try {
      const file = path.join(dir, download.suggestedFilename());
      await download.saveAs(file);
      expect(download.suggestedFilename()).toBe('retry-1.history.json');
      const exported = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(exported).toMatchObject({ format: 'taskhub-history/1', instanceId: 'retry-1', name: 'Retrying' });
      const replayed = await runCli(['replay', file, 'test/e2e/dashboard-app.ts']);
      expect(replayed.stderr).toBe('');
      expect(replayed.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows a duration per instance and sorts by it', async () => {
    await open('#/');
    const durations = page.getByTestId('duration');
    await expect.poll(() => durations.count()).toBeGreaterThanOrEqual(6);
    await page.getByTestId('sort-duration').click();
    await expect.poll(() => page.getByTestId('sort-duration').textContent()).toContain('▼');
    const values = (await durations.allTextContents()).map(parseDuration);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    // Finished instances took well under a minute; the sleeper, still running, has been going longest.
    expect(await page.getByTestId('instance-row').first().getAttribute('data-id')).toBe('sleeper-1');
  });

  it('shows every time in UTC or local time, and remembers the choice', async () => {
    const { instance, history } = await detail('quick-1');
    await open('#/instances/quick-1');
    await expect.poll(() => page.getByTestId('created-time').textContent()).toBe(`${shown(instance.createdTime)} UTC`);
    await page.getByTestId('zone-local').click();
    await expect
      .poll(() => page.getByTestId('created-time').textContent())
      .toBe(`${shown(instance.createdTime, 330)} local (UTC+05:30)`);
    await page.getByTestId('tab-history').click();
    const firstTime = page.getByTestId('history-time').first();
    await expect
      .poll(() => firstTime.textContent())
      .toBe(new Date(Date.parse(history[0]!.timestamp) + 330 * 60_000).toISOString().slice(0, 23).replace('T', ' '));
    // Remembered across a reload, and applied to the list.
    await open('#/');
    const created = page.locator('[data-testid="instance-row"][data-id="quick-1"] td.time').first();
    await expect.poll(() => created.textContent()).toBe(shown(instance.createdTime, 330));
    await page.getByTestId('zone-utc').click();
    await expect.poll(() => created.textContent()).toBe(shown(instance.createdTime));
  });

  it('starts an instance from a picked orchestrator, with checked JSON input and an id', async () => {
    await open('#/');
    await page.getByTestId('start-instance').click();
    await page.getByTestId('start-name').selectOption('Quick');
    // Every field has its own name: the input textarea is labelled, and the new id is not the filter's id prefix.
    expect(await page.getByRole('textbox', { name: 'Input (JSON; empty for none)' }).getAttribute('data-testid')).toBe(
      'start-input',
    );
    expect(await page.getByLabel('New instance id').getAttribute('data-testid')).toBe('start-id');
    expect(await page.getByLabel('Filter: id starts with').getAttribute('data-testid')).toBe('filter-prefix');
    await page.getByTestId('start-input').fill('{ not json');
    expect(await page.getByTestId('confirm').isDisabled()).toBe(true);
    await page.getByTestId('start-input').fill('7');
    await page.getByTestId('start-id').fill('started-1');
    await page.getByTestId('confirm').click();
    await expect.poll(() => page.getByTestId('instance-id').textContent()).toBe('started-1');
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 15_000 }).toBe('Completed');
    await expect.poll(() => page.getByTestId('output').textContent()).toBe('14');
  });

  it('offers no start or bulk action on a read-only host', async () => {
    const readOnly = await context.newPage();
    await readOnly.route('**/dashboard/api/info', async (route) => {
      const response = await route.fetch();
      await route.fulfill({
        response,
        json: { ...((await response.json()) as Record<string, unknown>), readOnly: true },
      });
    });
    await readOnly.goto(`${host.url}/#/`);
    await expect.poll(() => readOnly.getByTestId('instance-row').count()).toBeGreaterThan(0);
    expect(await readOnly.getByTestId('start-instance').count()).toBe(0);
    expect(await readOnly.getByTestId('bulk-bar').count()).toBe(0);
    await readOnly.close();
  });

  it('acts in bulk only on a selection or a filter', async () => {
    await open('#/');
    await expect.poll(() => page.getByTestId('instance-row').count()).toBeGreaterThanOrEqual(6);
    expect(await page.getByTestId('bulk-target').textContent()).toBe(
      'Select instances or set a filter for bulk actions',
    );
    expect(await page.getByTestId('bulk-purge').isDisabled()).toBe(true);

    await page.locator('[data-testid="instance-row"][data-id="quick-1"]').getByTestId('select-row').check();
    expect(await page.getByTestId('bulk-target').textContent()).toBe('Bulk on 1 selected:');
    await page.getByTestId('bulk-purge').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('purge: 1 of 1 done.');
    await expect.poll(() => page.locator('[data-testid="instance-row"][data-id="quick-1"]').count()).toBe(0);
    expect((await fetch(`${api}/instances/retry-1`)).status).toBe(200);

    await page.getByTestId('filter-name').fill('Retry');
    await page.getByTestId('apply-filter').click();
    await expect.poll(() => page.getByTestId('bulk-target').textContent()).toBe('Bulk on 1 matching the filter:');
    expect(await page.getByTestId('bulk-purge').isDisabled()).toBe(false);
    // retry-1 is Completed: suspend does not apply to it, and the confirmation says so before anything is done.
    await page.getByTestId('bulk-suspend').click();
    await expect
      .poll(() => page.getByTestId('bulk-preview').textContent())
      .toBe(
        'This applies suspend to 0 instances matching the current filter (Running, Pending) and leaves 1 other it ' +
          'matches alone (suspend does not apply to their status).',
      );
    expect(await page.getByTestId('confirm').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  });

  it('fits 1,024 px without horizontal overflow, with no missing glyph and a favicon', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    const overflow = () =>
      page.evaluate(() => {
        const root = (
          globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
        ).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
    await open('#/');
    await expect.poll(() => page.getByTestId('instance-row').count()).toBeGreaterThan(0);
    expect(await overflow()).toBe(0);
    await open('#/instances/pipe-1');
    await expect.poll(() => page.getByTestId('gantt-row').count()).toBeGreaterThan(0);
    expect(await overflow()).toBe(0);

    await page.getByTestId('tab-sequence').click();
    const heads = await page.locator('.seq-head').allTextContents();
    expect(heads.length).toBeGreaterThanOrEqual(3);
    // Plain printable characters only: nothing the system font may lack (the old header had a stopwatch emoji).
    for (const head of heads) expect(head).toMatch(/^[\x20-\x7e]+$/);

    const icon = await fetch(`${host.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/x-icon');
    expect(Buffer.from(await icon.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/dashboard/favicon.ico');
    expect(notFound).toEqual([]);
  });
});
