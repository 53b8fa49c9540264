// Store outages in one place: which errors are outages (storeFailureKind), how HTTP answers them (errorAnswer), and
// that a process logs an outage once and its end once (StoreHealth, watchStore), however many calls fail.
import { describe, expect, it } from 'vitest';
import { TaskhubError } from '../../src/core/errors.js';
import { errorAnswer } from '../../src/http/errors.js';
import { createLogger } from '../../src/log.js';
import { storeFailureKind } from '../../src/store/store-failure.js';
import { Backoff, StoreHealth, watchStore } from '../../src/store/store-health.js';

function coded(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { code });
}

describe('storeFailureKind', () => {
  it.each([
    ['ECONNREFUSED', 'unavailable'],
    ['ECONNRESET', 'unavailable'],
    ['57P01', 'unavailable'], // admin_shutdown: pg_ctl restart -m fast
    ['57P03', 'unavailable'], // the database system is starting up / shutting down
    ['08006', 'unavailable'],
    ['SQLITE_BUSY', 'unavailable'],
    ['SQLITE_IOERR_WRITE', 'unavailable'],
    ['SQLITE_FULL', 'full'],
    ['53100', 'full'], // PostgreSQL disk_full
  ] as const)('%s is %s', (code, kind) => {
    expect(storeFailureKind(coded(code))).toBe(kind);
  });

  it("knows node-postgres' dropped-connection errors, which carry no code, and looks through causes", () => {
    expect(storeFailureKind(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(storeFailureKind(new Error('Client has encountered a connection error and is not queryable'))).toBe(
      'unavailable',
    );
    expect(storeFailureKind(new Error('wrapped', { cause: coded('SQLITE_FULL') }))).toBe('full');
  });

  it('leaves bugs and request errors alone', () => {
    expect(storeFailureKind(new Error('boom'))).toBeUndefined();
    expect(storeFailureKind(coded('23505'))).toBeUndefined(); // unique violation
    expect(storeFailureKind(coded('SQLITE_CONSTRAINT_PRIMARYKEY'))).toBeUndefined();
    expect(storeFailureKind(new TaskhubError('INSTANCE_EXISTS', 'exists'))).toBeUndefined();
    expect(storeFailureKind(undefined)).toBeUndefined();
  });
});

describe('errorAnswer for store outages', () => {
  it('answers an unavailable store 503 with Retry-After, a full disk 507, neither as unexpected', () => {
    const unavailable = errorAnswer(coded('ECONNREFUSED'));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['Retry-After']).toBeDefined();
    expect(unavailable.body.code).toBe('STORE_UNAVAILABLE');
    expect(unavailable.unexpected).toBe(false);
    const full = errorAnswer(coded('SQLITE_FULL'));
    expect(full.status).toBe(507);
    expect(full.body.code).toBe('STORE_FULL');
    expect(full.body.Message).toMatch(/disk .* is full/);
    expect(full.unexpected).toBe(false);
  });
});

describe('Backoff', () => {
  it('doubles from 50 ms up to 5 s and starts over after reset', () => {
    const b = new Backoff();
    const delays = Array.from({ length: 10 }, () => b.next());
    expect(delays).toEqual([50, 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    b.reset();
    expect(b.next()).toBe(50);
  });
});

describe('StoreHealth', () => {
  function recorder(options: { now?: () => number; recoveredAfterMs?: number } = { recoveredAfterMs: 0 }): {
    health: StoreHealth;
    events: string[];
  } {
    const events: string[] = [];
    const logger = createLogger({ level: 'silent' });
    const record = (obj: unknown): void => {
      const event = (obj as { event?: string }).event;
      if (event) events.push(event);
    };
    logger.warn = record;
    logger.info = record;
    return { health: new StoreHealth(logger, options), events };
  }

  it('a write that gets through between failures does not end the outage (a full disk lets small writes pass)', () => {
    let now = 0;
    const { health, events } = recorder({ now: () => now });
    const full = coded('SQLITE_FULL');
    for (let i = 0; i < 10; i++) {
      health.failed(full, now);
      now += 100;
      health.succeeded();
      now += 100;
    }
    expect(events).toEqual(['store.full']);
    now += 1000;
    health.succeeded();
    expect(events).toEqual(['store.full', 'store.recovered']);
  });

  it('a success just after a failure ends the outage once nothing failed for a while, with no further call', async () => {
    const { health, events } = recorder({ recoveredAfterMs: 50 });
    health.failed(coded('ECONNREFUSED'));
    health.succeeded();
    expect(events).toEqual(['store.unavailable']);
    const deadline = Date.now() + 5000;
    while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['store.unavailable', 'store.recovered']);
  });

  it('logs an outage once, and its end once, through many failed and successful calls', async () => {
    const { health, events } = recorder();
    let up = false;
    const store = watchStore(
      {
        write: () => (up ? Promise.resolve(1) : Promise.reject(coded('ECONNREFUSED'))),
        getInstance: () => Promise.resolve(undefined),
      },
      health,
    );
    for (let i = 0; i < 20; i++) await store.write().catch(() => undefined);
    // A read that works says nothing about writes (a full disk still serves reads).
    await store.getInstance();
    expect(health.down).toBe('unavailable');
    up = true;
    for (let i = 0; i < 5; i++) await store.write();
    expect(events).toEqual(['store.unavailable', 'store.recovered']);
    expect(health.down).toBeUndefined();
  });

  it('does not start a new outage for a call that began before the last one ended', () => {
    const { health, events } = recorder();
    const before = Date.now() - 1000;
    health.failed(coded('57P01'));
    health.succeeded();
    health.failed(coded('57P01'), before);
    expect(events).toEqual(['store.unavailable', 'store.recovered']);
    expect(health.down).toBeUndefined();
  });
});
