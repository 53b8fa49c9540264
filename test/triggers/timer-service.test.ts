// The timer trigger service in one process, on a real SQLite task hub: Azure's timer value, the schedule monitor's
// status, runOnStartup, one isPastDue firing for missed occurrences whatever number of workers start, failures
// logged while the schedule goes on, an invalid schedule leaving out only its function, and close() waiting for the
// invocation in flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppDefinition } from '../../src/app/app-definition.js';
import type { TriggerEnvironment, TriggerFunctionDefinition } from '../../src/app/triggers/index.js';
import { parseTimerSchedule } from '../../src/app/triggers/timer/schedule.js';
import type { TimerValue } from '../../src/app/triggers/timer/timer-runner.js';
import { startTimers, timerFunctionOf } from '../../src/app/triggers/timer/timer-service.js';
import { openTaskHub, type OpenedTaskHub } from '../../src/hub.js';
import { until } from '../until.js';

interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly event?: string;
  readonly function?: string;
}

let dir: string;
let hubs: OpenedTaskHub[];
let records: LogRecord[];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'taskhub-timer-'));
  hubs = [];
  records = [];
});
afterEach(async () => {
  for (const hub of hubs) await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A client-only hub on the test's SQLite file: each call is another connection, as another worker would have. */
async function environment(): Promise<TriggerEnvironment> {
  const hub = await openTaskHub({ store: path.join(dir, 'hub.db'), worker: false });
  hubs.push(hub);
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()) as LogRecord);
      done();
    },
  });
  return {
    app: new AppDefinition(),
    client: hub.client,
    store: hub.store,
    urls: { origin: 'http://localhost:7071', taskHubName: hub.name },
    logger: pino({ level: 'warn' }, stream),
    root: dir,
  };
}

function timer(
  name: string,
  trigger: Record<string, unknown>,
  handler: (value: TimerValue) => unknown,
): TriggerFunctionDefinition {
  return {
    name,
    trigger: { type: 'timerTrigger', name: 'myTimer', ...trigger },
    extraInputs: [],
    extraOutputs: [],
    handler: (value) => handler(value as TimerValue),
    model: 'code-first',
    directory: dir,
  };
}

const YEARLY = '0 0 0 1 1 *';
const NEVER = '0001-01-01T00:00:00.000Z';

describe('timer trigger service', () => {
  it("fires each occurrence with Azure's timer value and keeps the schedule status in the store", async () => {
    const env = await environment();
    const values: TimerValue[] = [];
    const running = await startTimers(
      [timer('EverySecond', { schedule: '* * * * * *', useMonitor: true }, (v) => values.push(v))],
      env,
    );
    await until(() => values.length >= 3, { what: 'three occurrences' });
    await running.close();
    for (const v of values) {
      expect(v).toMatchObject({ isPastDue: false, schedule: { adjustForDST: true } });
      expect(parseTimerSchedule('* * * * * *').isOccurrence(new Date(v.scheduleStatus!.next))).toBe(true);
    }
    // During an invocation, `next` is the occurrence being fired and `last` the one before it.
    expect(values[0]?.scheduleStatus?.last).toBe(NEVER);
    expect(values[1]?.scheduleStatus?.last).toBe(values[0]?.scheduleStatus?.next);
    const nexts = values.map((v) => v.scheduleStatus!.next);
    expect(new Set(nexts).size).toBe(nexts.length);
    const stored = await env.store.getTimerStatus('everysecond');
    expect(stored?.last).toBe(nexts.at(-1));
    expect(Date.parse(stored!.next) - Date.parse(stored!.last)).toBe(1000);
  });

  it('gives scheduleStatus null without the schedule monitor (the default below a minute), as Azure does', async () => {
    const env = await environment();
    const values: TimerValue[] = [];
    const running = await startTimers([timer('Frequent', { schedule: '00:00:01' }, (v) => values.push(v))], env);
    await until(() => values.length >= 2, { what: 'two occurrences of a TimeSpan schedule' });
    await running.close();
    expect(values[0]).toEqual({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: null });
  });

  it('runs a runOnStartup function at start, not past due', async () => {
    const env = await environment();
    const values: TimerValue[] = [];
    const running = await startTimers(
      [timer('AtStart', { schedule: YEARLY, runOnStartup: true }, (v) => values.push(v))],
      env,
    );
    await until(() => values.length === 1, { what: 'the start-up run' });
    await running.close();
    expect(values[0]?.isPastDue).toBe(false);
    expect(values[0]?.scheduleStatus?.last).toBe(NEVER);
    expect(values).toHaveLength(1);
  });

  it('fires missed occurrences once, past due, whatever the number missed or of workers starting', async () => {
    const seed = await environment();
    // As a worker that last fired on 2020-01-01 and then stopped for years would have left it.
    await seed.store.claimTimerOccurrence({
      functionName: 'yearly',
      occurrence: '2020-01-01T00:00:00.000Z',
      next: '2021-01-01T00:00:00.000Z',
      workerId: 'gone',
    });
    const values: TimerValue[] = [];
    const fn = timer('Yearly', { schedule: YEARLY }, (v) => values.push(v));
    const envs = [seed, await environment(), await environment()];
    const running = await Promise.all(envs.map((env) => startTimers([fn], env)));
    await until(() => values.length >= 1, { what: 'the past-due run' });
    await Promise.all(running.map((r) => r.close()));
    expect(values).toHaveLength(1);
    expect(values[0]).toMatchObject({
      isPastDue: true,
      schedule: { adjustForDST: true },
      scheduleStatus: { last: '2020-01-01T00:00:00.000Z', next: '2021-01-01T00:00:00.000Z' },
    });
    const status = await seed.store.getTimerStatus('yearly');
    expect(status?.last).toBe('2021-01-01T00:00:00.000Z');
    expect(Date.parse(status!.next)).toBeGreaterThan(Date.now());
    // Started again: nothing is past due any more.
    const again = await startTimers([fn], await environment());
    await again.close();
    expect(values).toHaveLength(1);
    expect(await seed.store.getTimerStatus('yearly')).toEqual(status);
  });

  it('stores the schedule status at first start, so an occurrence missed before the first run is found later', async () => {
    const env = await environment();
    const values: TimerValue[] = [];
    const fn = timer('FirstStart', { schedule: YEARLY, useMonitor: true }, (v) => values.push(v));
    const first = await startTimers([fn], env);
    await first.close();
    const stored = await env.store.getTimerStatus('firststart');
    expect(stored?.last).toBe(NEVER);
    expect(Date.parse(stored!.next)).toBeGreaterThan(Date.now());
    expect(values).toHaveLength(0);
    // Started again, it keeps what is stored (0001-01-01 never overwrites a status).
    const again = await startTimers([fn], await environment());
    await again.close();
    expect(await env.store.getTimerStatus('firststart')).toEqual(stored);
  });

  it('logs a failing function in one line naming it and its error, and goes on with the schedule', async () => {
    const env = await environment();
    let calls = 0;
    const running = await startTimers(
      [
        timer('Failing', { schedule: '* * * * * *' }, () => {
          calls++;
          throw new Error(`boom ${String(calls)}`);
        }),
      ],
      env,
    );
    await until(() => calls >= 2, { what: 'a second occurrence after a failure' });
    await running.close();
    const failures = records.filter((r) => r.event === 'timer.function-failed');
    expect(failures.map((r) => r.msg).slice(0, 2)).toEqual([
      "timer function 'Failing' failed: boom 1",
      "timer function 'Failing' failed: boom 2",
    ]);
    expect(failures[0]).toMatchObject({ level: 50, function: 'Failing' });
  });

  it('leaves out a function with an invalid schedule, with an error naming it, and serves the others', async () => {
    const env = await environment();
    let good = 0;
    const running = await startTimers(
      [
        timer('Broken', { schedule: '0 0 25 * * *' }, () => undefined),
        timer('Missing', {}, () => undefined),
        timer('Good', { schedule: '* * * * * *' }, () => good++),
      ],
      env,
    );
    await until(() => good >= 1, { what: 'the valid timer' });
    await running.close();
    const invalid = records.filter((r) => r.event === 'timer.schedule-invalid');
    expect(invalid.map((r) => r.function)).toEqual(['Broken', 'Missing']);
    expect(invalid[0]?.msg).toContain(
      "timer function 'Broken' is not served: The schedule '0 0 25 * * *' is not valid",
    );
    expect(invalid[0]?.msg).toContain("'25' is not a valid Hour field");
    expect(invalid[1]?.msg).toBe(
      `timer function 'Missing' is not served: it has no schedule; set "schedule" (e.g. "0 */5 * * * *").`,
    );
  });

  it('close() stops the schedule and waits for the invocation in flight', async () => {
    const env = await environment();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    let finished = 0;
    const running = await startTimers(
      [
        timer('Slow', { schedule: '* * * * * *' }, async () => {
          entered++;
          await gate;
          finished++;
        }),
      ],
      env,
    );
    await until(() => entered === 1, { what: 'the invocation to start' });
    let closed = false;
    const closing = running.close().then(() => (closed = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(finished).toBe(1);
    expect(entered).toBe(1);
  });

  it('reads schedules in WEBSITE_TIME_ZONE, and refuses a name that is not an IANA time zone', () => {
    const fn = timer('Morning', { schedule: '0 0 9 * * *' }, () => undefined);
    const paris = timerFunctionOf(fn, 'Europe/Paris');
    if (paris instanceof Error) throw paris;
    expect(paris.schedule.next(new Date('2025-01-03T12:00:00.000Z'))?.toISOString()).toBe('2025-01-04T08:00:00.000Z');
    const windows = timerFunctionOf(fn, 'Romance Standard Time');
    expect(windows).toBeInstanceOf(Error);
    expect((windows as Error).message).toBe(
      "WEBSITE_TIME_ZONE 'Romance Standard Time' is not an IANA time zone (e.g. Europe/Paris).",
    );
  });

  it("reads useMonitor and runOnStartup from JSON booleans or resolved settings, with Azure's defaults", () => {
    const of = (trigger: Record<string, unknown>) => {
      const t = timerFunctionOf(
        timer('T', trigger, () => undefined),
        'UTC',
      );
      if (t instanceof Error) throw t;
      return { useMonitor: t.useMonitor, runOnStartup: t.runOnStartup };
    };
    expect(of({ schedule: '0 */5 * * * *' })).toEqual({ useMonitor: true, runOnStartup: false });
    expect(of({ schedule: '*/5 * * * * *' })).toEqual({ useMonitor: false, runOnStartup: false });
    expect(of({ schedule: '*/5 * * * * *', useMonitor: 'True', runOnStartup: true })).toEqual({
      useMonitor: true,
      runOnStartup: true,
    });
    expect(of({ schedule: '0 */5 * * * *', useMonitor: false, runOnStartup: 'false' })).toEqual({
      useMonitor: false,
      runOnStartup: false,
    });
  });
});
