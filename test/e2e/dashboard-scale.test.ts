// The list with 100,000 instances in Chromium, measured: time to first rows, to apply a name filter, to a status
// filter, to the next page; and what the "waiting for" column costs a page of Running rows. A measurement, not a
// check of the suite: it runs only with TASKHUB_DASHBOARD_SCALE=1 (docs/dashboard.md holds the numbers) and prints
// one JSON line. TASKHUB_DASHBOARD_SCALE_COUNT changes the count.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/history.js';
import { openTaskHub } from '../../src/hub.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { until } from '../until.js';
import { ensureBuilt, hasChromium, launchChromium } from './dashboard-browser.js';
import { cliCommand, ROOT } from './host.js';

const enabled = process.env.TASKHUB_DASHBOARD_SCALE === '1' && hasChromium;
const COUNT = Number(process.env.TASKHUB_DASHBOARD_SCALE_COUNT ?? 100_000);
const RUNS = 5;
// One Running row in 20, and the status step pages past 50 of them.
if (COUNT < 2000) throw new Error('TASKHUB_DASHBOARD_SCALE_COUNT must be at least 2000 (two pages of Running rows).');
const NAMES = ['ProcessOrder', 'BillCustomer', 'ShipParcel', 'SendInvoice', 'Reconcile'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10;
}

/** OrchestratorStarted/Completed around each step, 9 activities done, a timer pending: 40 events. */
function runningHistory(instanceId: string, created: string): HistoryEvent[] {
  const at = (ms: number): string => new Date(Date.parse(created) + ms).toISOString();
  const events: HistoryEvent[] = [
    { eventType: 'OrchestratorStarted', eventId: -1, timestamp: at(0) },
    {
      eventType: 'ExecutionStarted',
      eventId: -1,
      timestamp: at(0),
      name: 'ProcessOrder',
      instanceId,
      executionId: 'e',
    },
  ];
  for (let step = 0; step < 9; step++) {
    events.push(
      { eventType: 'TaskScheduled', eventId: step, timestamp: at(step * 10), name: 'Step', input: String(step) },
      { eventType: 'OrchestratorCompleted', eventId: -1, timestamp: at(step * 10) },
      { eventType: 'OrchestratorStarted', eventId: -1, timestamp: at(step * 10 + 5) },
    );
    events.push({
      eventType: 'TaskCompleted',
      eventId: -1,
      timestamp: at(step * 10 + 5),
      taskScheduledId: step,
      result: '1',
    });
  }
  events.push(
    { eventType: 'TimerCreated', eventId: 9, timestamp: at(100), fireAt: at(86_400_000) },
    { eventType: 'OrchestratorCompleted', eventId: -1, timestamp: at(100) },
  );
  return events;
}

describe.skipIf(!enabled)(`the list with ${COUNT} instances`, () => {
  let dir = '';
  let url = '';
  let stop: () => Promise<void> = () => Promise.resolve();
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'taskhub-scale-'));
    const file = path.join(dir, 'hub.db');
    const hub = await openTaskHub({ store: file, worker: false });
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let i = next++; i < COUNT; i = next++) {
        const time = new Date(start + i * 1000).toISOString();
        const name = NAMES[i % NAMES.length]!;
        const instanceId = `scale-${String(i).padStart(6, '0')}`;
        await hub.store.createInstance({
          instanceId,
          executionId: `e-${i}`,
          name,
          createdTime: time,
          startEvent: {
            eventType: 'ExecutionStarted',
            eventId: -1,
            timestamp: time,
            name,
            instanceId,
            executionId: `e-${i}`,
          },
        });
      }
    };
    await Promise.all(Array.from({ length: 64 }, lane));
    // A realistic mix: most finished, some failed, a few running.
    const db = (hub.store as SqliteStore).db;
    db.prepare(
      `UPDATE instances SET runtime_status = CASE
         WHEN rowid % 20 = 0 THEN 'Running' WHEN rowid % 20 = 1 THEN 'Failed' ELSE 'Completed' END,
         last_updated_time = created_time`,
    ).run();
    // Running rows get a history of 40 events (a chain of 9 activities, then a timer), so the "waiting for"
    // column reads and parses what a real Running row has.
    const running = db
      .prepare(`SELECT instance_id AS id, created_time AS created FROM instances WHERE runtime_status = 'Running'`)
      .all() as { id: string; created: string }[];
    const insertHistory = db.prepare('INSERT INTO history (hub, instance_id, seq, events) VALUES (?, ?, 0, ?)');
    const setLength = db.prepare('UPDATE instances SET history_length = ? WHERE instance_id = ?');
    const hubName = (db.prepare('SELECT DISTINCT hub FROM instances').get() as { hub: string }).hub;
    db.transaction(() => {
      for (const { id, created } of running) {
        const events = runningHistory(id, created);
        insertHistory.run(hubName, id, JSON.stringify(events));
        setLength.run(events.length, id);
      }
    })();
    await hub.close();

    const child = spawn(process.execPath, [...cliCommand(), 'dashboard', '--store', `sqlite:${file}`, '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    stop = async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    };
    await until(() => /Dashboard: (http:\/\/\S+)\//.test(output), { what: `the dashboard to listen:\n${output}` });
    url = /Dashboard: (http:\/\/\S+)\//.exec(output)![1]!;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('measures first rows, filters and paging', async () => {
    const rows = page.getByTestId('instance-row');
    const firstRows: number[] = [];
    const nameFilter: number[] = [];
    const statusFilter: number[] = [];
    const nextPage: number[] = [];
    const timed = async (act: () => Promise<void>, done: () => Promise<boolean>): Promise<number> => {
      const t0 = performance.now();
      await act();
      await until(done, { what: 'the list', pollMs: 5, timeoutMs: 10_000 }).catch(async (err: unknown) => {
        console.log(await page.locator('main').innerText());
        throw err;
      });
      return performance.now() - t0;
    };
    for (let run = 0; run < RUNS; run++) {
      // A new query string each time, so each load is a whole page load, not a hash change.
      const load = (query: string) => page.goto(`${url}/?${query}#/`).then(() => undefined);
      firstRows.push(
        await timed(
          () => load(`#/`),
          async () => (await rows.count()) === 50,
        ),
      );
      statusFilter.push(
        await timed(
          () => page.getByTestId('count-Running').click(),
          async () =>
            (await rows.count()) === 50 &&
            ((await page.getByTestId('waiting').first().textContent()) ?? '').startsWith('timer due'),
        ),
      );
      const before = await rows.first().getAttribute('data-id');
      nextPage.push(
        await timed(
          () => page.getByTestId('next-page').click(),
          async () => (await rows.first().getAttribute('data-id')) !== before && (await rows.count()) === 50,
        ),
      );
      await load(`run=${run}&then=name`);
      await until(async () => (await rows.count()) === 50, { what: 'the first page' });
      nameFilter.push(
        await timed(
          async () => {
            await page.getByTestId('filter-name').fill('bill');
            await page.getByTestId('apply-filter').click();
          },
          async () =>
            (await rows.count()) === 50 &&
            (await rows.locator('td:nth-child(3)').allTextContents()).every((n) => n === 'BillCustomer'),
        ),
      );
    }
    // The API calls behind those, alone (a page of 50 Running rows with and without the waiting-for column).
    const api = async (query: string): Promise<number> => {
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const t0 = performance.now();
        const response = await fetch(`${url}/dashboard/api/${query}`);
        expect(response.status).toBe(200);
        await response.json();
        times.push(performance.now() - t0);
      }
      return median(times);
    };
    const result = {
      instances: COUNT,
      firstRowsMs: median(firstRows),
      nameFilterMs: median(nameFilter),
      statusFilterMs: median(statusFilter),
      nextPageMs: median(nextPage),
      apiFirstPageMs: await api('instances?top=50'),
      apiCountsMs: await api('counts'),
      apiNameFilterMs: await api('instances?top=50&name=bill'),
      apiNameCountsMs: await api('counts?name=bill'),
      apiRunningPageMs: await api('instances?top=50&runtimeStatus=Running&waitingFor=false'),
      apiRunningPageWithWaitingForMs: await api('instances?top=50&runtimeStatus=Running'),
    };
    console.log(JSON.stringify(result));
  }, 600_000);
});
