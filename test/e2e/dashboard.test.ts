// The dashboard in a real browser (Debian's Chromium driven by playwright-core) against `taskhub start` as a child
// process: the list with counts, filtering, an instance's timeline and sequence diagram, and an event raised from
// the page completing the instance while the page watches it change over the live feed, without a reload.
// TASKHUB_SCREENSHOTS=1 also writes docs/dashboard-list.png and docs/dashboard-detail.png.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, ensureBuilt, hasChromium, launchChromium, waitForStatus } from './dashboard-browser.js';
import { post, ROOT, startHost, type RunningHost } from './host.js';

if (!hasChromium) {
  console.warn(`Skipping the dashboard browser test: ${CHROMIUM} is missing (apt-get install -y chromium).`);
}

describe.skipIf(!hasChromium)('dashboard in Chromium', () => {
  let host: RunningHost;
  let browser: Browser;
  let page: Page;
  let api: string;

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost('test/e2e/dashboard-app.ts');
    api = `${host.url}/runtime/webhooks/durabletask`;
    for (const [name, id, input] of [
      ['Pipeline', 'order-1001', 1],
      ['Pipeline', 'order-1002', 2],
      ['Quick', 'quick-1', 5],
      ['Quick', 'quick-2', 6],
      ['Failing', 'failing-1', null],
    ] as const) {
      const started = await post(`${api}/orchestrators/${name}/${id}`, input);
      expect(started.status).toBe(202);
    }
    await waitForStatus(api, 'order-1001', (b) => JSON.stringify(b.customStatus).includes('awaiting approval'));
    await waitForStatus(api, 'order-1002', (b) => JSON.stringify(b.customStatus).includes('awaiting approval'));
    await waitForStatus(api, 'failing-1', (b) => b.runtimeStatus === 'Failed');
    await waitForStatus(api, 'quick-2', (b) => b.runtimeStatus === 'Completed');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('lists instances with counts per status and filters them', async () => {
    await page.goto(`${host.url}/`);
    const rows = page.getByTestId('instance-row');
    // Parents, the children they started, the quick ones and the failing one.
    await expect.poll(() => rows.count()).toBe(7);
    await expect.poll(() => page.getByTestId('count-Failed').locator('b').textContent()).toBe('1');
    await expect.poll(() => page.getByTestId('count-Running').locator('b').textContent()).toBe('2');
    if (process.env.TASKHUB_SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs/dashboard-list.png') });

    await page.getByTestId('filter-name').fill('pipe');
    await page.getByTestId('apply-filter').click();
    await expect.poll(() => rows.count()).toBe(2);

    await page.getByTestId('filter-custom-status').fill('awaiting');
    await page.getByTestId('filter-prefix').fill('order-1001');
    await page.getByTestId('apply-filter').click();
    await expect.poll(() => rows.count()).toBe(1);
  });

  it('opens an instance with its timeline, then completes it by an event and shows the change live', async () => {
    await page.getByRole('link', { name: 'order-1001', exact: true }).click();
    await expect.poll(() => page.getByTestId('instance-id').textContent()).toBe('order-1001');
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('Running');
    // 3 chained + 4 fanned-out activities, the sub-orchestration and the timer.
    await expect.poll(() => page.getByTestId('gantt-row').count()).toBe(9);
    expect(await page.getByTestId('gantt-row').last().isVisible()).toBe(true);
    await expect
      .poll(() => page.getByTestId('gantt').getByRole('link', { name: 'Child', exact: true }).getAttribute('href'))
      .toBe('#/instances/order-1001%3Achild');
    await page.getByTestId('tab-sequence').click();
    await expect.poll(() => page.getByTestId('sequence').locator('.seq-head').count()).toBeGreaterThanOrEqual(3);
    await page.getByTestId('tab-timeline').click();
    if (process.env.TASKHUB_SCREENSHOTS)
      await page.screenshot({ path: path.join(ROOT, 'docs/dashboard-detail.png'), fullPage: true });

    // A marker on window proves the status below changes in this page, not after a reload.
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    await page.getByTestId('action-raise').click();
    await page.getByTestId('event-name').fill('Approval');
    await page.getByTestId('event-data').fill('{"approved": true, "by": "ada"}');
    await page.getByTestId('confirm').click();
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 15_000 }).toBe('Completed');
    await expect.poll(() => page.getByTestId('output').textContent()).toContain('"by": "ada"');
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
  });

  it('shows a failure with its stack', async () => {
    await page.goto(`${host.url}/#/instances/failing-1`);
    await expect.poll(() => page.getByTestId('failure').textContent()).toContain('The warehouse refused the order');
  });

  it('lists entities and shows the state of one', async () => {
    for (const amount of [5, 7]) {
      const signaled = await fetch(`${api}/entities/counter/shop?op=add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(amount),
      });
      expect(signaled.status).toBe(202);
    }
    await expect.poll(async () => (await fetch(`${api}/entities/counter/shop`)).text(), { timeout: 10_000 }).toBe('12');
    await page.goto(`${host.url}/#/entities`);
    await page.getByTestId('entities').getByText('shop', { exact: true }).click();
    await expect.poll(() => page.getByTestId('entity-state').textContent()).toContain('12');
  });
});
