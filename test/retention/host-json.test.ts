// The retention setting as an app gives it: durations in both forms, host.json's `extensions.durableTask.retention`
// read by a real `taskhub worker` (which then purges the app's old instances), and wrong settings refused with a
// sentence that names them, at load, by the worker's exit code.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retentionSetting } from '../../src/app/settings.js';
import { parseDuration, parseRetentionFlag } from '../../src/retention/policy.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeApp } from '../cli/cli-helpers.js';
import { startWorker, type RunningWorker } from '../outage/outage-helpers.js';
import { until } from '../until.js';
import { daysAgo, remaining, seed } from './seed.js';

describe('retention settings', () => {
  it('reads TimeSpan and short durations, and refuses others saying both forms', () => {
    expect(parseDuration('7.00:00:00', 'x')).toBe(7 * 86_400_000);
    expect(parseDuration('01:30:00', 'x')).toBe(90 * 60_000);
    expect(parseDuration('00:00:01.5', 'x')).toBe(1500);
    expect(parseDuration('12h', 'x')).toBe(12 * 3_600_000);
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('2w', 'x')).toBe(14 * 86_400_000);
    for (const bad of ['7', 'a week', '00:61:00', '-1d', 7]) {
      expect(() => parseDuration(bad, 'age')).toThrow(/age must be a duration such as "7.00:00:00".*"7d"/);
    }
  });

  it('takes host.json keys in any case, and names a wrong one', () => {
    expect(
      retentionSetting(
        { completed: '1d', FAILED: '30.00:00:00', interval: '00:01:00', batchSize: '200', cleanEntityStorage: false },
        'host.json',
      ),
    ).toEqual({
      olderThanMs: { Completed: 86_400_000, Failed: 30 * 86_400_000 },
      intervalMs: 60_000,
      batchSize: 200,
      cleanEntityStorage: false,
    });
    expect(retentionSetting(undefined, 'host.json')).toBeUndefined();
    expect(() => retentionSetting({ ContinuedAsNew: '1d' }, 'host.json')).toThrow(
      /'ContinuedAsNew' is not a status retention purges \(a ContinuedAsNew instance is running again/,
    );
    expect(() => retentionSetting({ Running: '1d' }, 'host.json')).toThrow(/use Completed, Failed, Terminated/);
    expect(() => retentionSetting({ batchSize: 0 }, 'host.json')).toThrow(/batchSize must be a whole number/);
    expect(() => retentionSetting({ interval: '500ms' }, 'host.json')).toThrow(/interval must be at least 1 second/);
    expect(() => retentionSetting('7d', 'host.json')).toThrow(/must be an object/);
  });

  it('reads --retention as one age for every finished status, or as pairs', () => {
    expect(parseRetentionFlag('7d')).toEqual({
      olderThanMs: { Completed: 7 * 86_400_000, Failed: 7 * 86_400_000, Terminated: 7 * 86_400_000 },
    });
    expect(parseRetentionFlag('completed=1d, interval=30s')).toEqual({
      olderThanMs: { Completed: 86_400_000 },
      intervalMs: 30_000,
    });
    expect(parseRetentionFlag('interval=30s')).toEqual({ intervalMs: 30_000 });
    expect(() => parseRetentionFlag('Completed')).toThrow(/--retention must be a duration/);
    expect(() => parseRetentionFlag('Completed=1d,Failed')).toThrow(/write Status=duration, not 'Failed'/);
  });
});

describe('host.json retention under taskhub worker', () => {
  let app: ReturnType<typeof makeApp>;
  let store: SqliteStore;
  let worker: RunningWorker | undefined;
  beforeEach(async () => {
    app = makeApp();
    mkdirSync(path.join(app.dir, '.taskhub'));
    store = openSqliteStore({ path: path.join(app.dir, '.taskhub/taskhub.db'), hubName: 'CliHub' });
    await store.migrate();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await store.close();
    app.remove();
  });

  function withRetention(retention: unknown): void {
    const file = path.join(app.dir, 'host.json');
    const host = JSON.parse(readFileSync(file, 'utf8')) as { extensions: { durableTask: Record<string, unknown> } };
    host.extensions.durableTask.retention = retention;
    writeFileSync(file, JSON.stringify(host));
  }

  it("purges the app's old instances as host.json says", async () => {
    withRetention({ Completed: '2.00:00:00', Terminated: '10d', interval: '00:00:01' });
    await seed(store, [
      { id: 'completed-old', status: 'Completed', updated: daysAgo(3) },
      { id: 'completed-new', status: 'Completed', updated: daysAgo(1) },
      { id: 'terminated-mid', status: 'Terminated', updated: daysAgo(3) },
      { id: 'failed-old', status: 'Failed', updated: daysAgo(300) },
    ]);
    worker = startWorker(app.dir, []);
    await until(async () => (await remaining(store)).join() === 'completed-new,failed-old,terminated-mid', {
      what: 'completed-old purged, the others kept',
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${worker?.output() ?? ''}`);
    });
    expect(worker.output()).toContain('retention pass: purged 1 Completed, 0 Terminated');
  }, 120_000);

  it('refuses a wrong setting at load: the worker exits 1 naming it', async () => {
    withRetention({ Completed: 'a week' });
    const started = (worker = startWorker(app.dir, []));
    await until(() => started.child.exitCode !== null, { what: 'the worker to exit' });
    expect(started.child.exitCode).toBe(1);
    expect(worker.output()).toContain('extensions.durableTask.retention.Completed must be a duration');
  }, 120_000);

  it('refuses --retention with an interval but no ages when host.json gives none: it would purge nothing', async () => {
    withRetention(undefined);
    const started = (worker = startWorker(app.dir, ['--retention', 'interval=1m']));
    await until(() => started.child.exitCode !== null, { what: 'the worker to exit' });
    expect(started.child.exitCode).toBe(1);
    expect(worker.output()).toContain(
      '--retention sets no ages and host.json gives none, so retention would purge nothing',
    );
  }, 120_000);
});
