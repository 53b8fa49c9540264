// The test hub on every Durable Functions pattern, with virtual time moved by advance() and by autoAdvance.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestHub, durationMs, type TestHub } from '../../src/testing/index.js';
import { registry } from './approval-app.js';

const START = Date.parse('2025-01-01T00:00:00.000Z');
let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('human interaction: an approval event against a 24-hour timeout', () => {
  it('escalates when time is advanced past 24 hours, in a few milliseconds of real time', async () => {
    // The whole user test: create, start, skip a day, check. Best of three, so a loaded CI machine's hiccup or the
    // first run's module loading does not decide it.
    const durations: number[] = [];
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now();
      hub = await createTestHub({ registry });
      const id = await hub.client.startNew('Approval', { input: 'order-7' });
      await hub.advance('24h');
      expect((await hub.waitForCompletion(id)).output).toBe('escalated');
      await hub.close();
      hub = undefined;
      durations.push(performance.now() - t0);
    }
    expect(Math.min(...durations)).toBeLessThan(50);
  });

  it('is still waiting one minute before the deadline, and the event then wins', async () => {
    hub = await createTestHub({ registry });
    const id = await hub.client.startNew('Approval');
    await hub.advance('23h59m');
    expect((await hub.client.getStatus(id)).runtimeStatus).toBe('Running');
    await hub.client.raiseEvent(id, 'Approved', true);
    expect((await hub.waitForCompletion(id)).output).toBe('approved');
  });

  it('skips to the timeout with autoAdvance', async () => {
    hub = await createTestHub({ registry, autoAdvance: true, startTime: START });
    const escalate = hub.mockActivity('Escalate', (input) => `paged the manager about ${String(input)}`);
    const id = await hub.client.startNew('Approval', { input: 'order-9' });
    expect((await hub.waitForCompletion(id)).output).toBe('paged the manager about order-9');
    expect(escalate.calls).toEqual(['order-9']);
    expect(hub.now().toISOString()).toBe('2025-01-02T00:00:00.000Z');
  });

  it('an event raised before waiting wins over autoAdvance', async () => {
    hub = await createTestHub({ registry, autoAdvance: true });
    const id = await hub.client.startNew('Approval');
    await hub.client.raiseEvent(id, 'Approved', false);
    expect((await hub.waitForCompletion(id)).output).toBe('rejected');
  });

  it('fails fast, saying what the instance waits for, instead of hanging', async () => {
    hub = await createTestHub({ registry, startTime: START });
    const id = await hub.client.startNew('Approval');
    await expect(hub.waitForCompletion(id)).rejects.toThrow(
      /is Running and the test hub is idle: its next timer is due at 2025-01-02T00:00:00.000Z .*hub.advance\(86400000\)/,
    );
  });
});

describe('other patterns', () => {
  it('chaining, with a test double replacing one activity', async () => {
    hub = await createTestHub({ registry });
    const hello = hub.mockActivity('SayHello', (city) => `Hi ${String(city)}`);
    const id = await hub.client.startNew('Chain');
    expect((await hub.waitForCompletion(id)).output).toEqual(['Hi Tokyo', 'Hi Seattle', 'Hi Cairo']);
    expect(hello.calls).toEqual(['Tokyo', 'Seattle', 'Cairo']);
  });

  it('fan-out/fan-in', async () => {
    hub = await createTestHub({ registry });
    const id = await hub.client.startNew('FanOut', { input: 20 });
    expect((await hub.waitForCompletion(id)).output).toBe(380);
  });

  it('monitor with continueAsNew: each hourly timer fires at its own virtual time', async () => {
    hub = await createTestHub({ registry, startTime: START });
    hub.mockActivity('CheckJob', (polls) => (polls as number) >= 5);
    const id = await hub.client.startNew('Monitor', { input: 0 });
    await hub.advance('1d');
    const status = await hub.waitForCompletion(id);
    expect(status.output).toEqual({ polls: 5, at: '2025-01-01T05:00:00.000Z' });
    expect(hub.now().toISOString()).toBe('2025-01-02T00:00:00.000Z');
  });

  it('monitor with autoAdvance', async () => {
    hub = await createTestHub({ registry, autoAdvance: true, startTime: START });
    hub.mockActivity('CheckJob', (polls) => (polls as number) >= 48);
    const id = await hub.client.startNew('Monitor', { input: 0 });
    expect((await hub.waitForCompletion(id)).output).toEqual({ polls: 48, at: '2025-01-03T00:00:00.000Z' });
  });

  it('sub-orchestrations', async () => {
    hub = await createTestHub({ registry });
    const id = await hub.client.startNew('Parent');
    expect((await hub.waitForCompletion(id)).output).toEqual({
      a: ['Hello Tokyo!', 'Hello Seattle!', 'Hello Cairo!'],
      b: 6,
    });
  });

  it('retries with virtual backoff (1, 2 and 4 minutes between four attempts)', async () => {
    hub = await createTestHub({ registry, autoAdvance: true, startTime: START });
    const attempts: string[] = [];
    hub.mockActivity('Flaky', () => {
      attempts.push(hub!.now().toISOString());
      if (attempts.length < 4) throw new Error(`attempt ${attempts.length} failed`);
      return 'finally';
    });
    const id = await hub.client.startNew('Retry');
    expect((await hub.waitForCompletion(id)).output).toBe('finally');
    expect(attempts).toEqual([
      '2025-01-01T00:00:00.000Z',
      '2025-01-01T00:01:00.000Z',
      '2025-01-01T00:03:00.000Z',
      '2025-01-01T00:07:00.000Z',
    ]);
  });

  it('retries that run out fail the instance with the last error', async () => {
    hub = await createTestHub({ registry, autoAdvance: true });
    const id = await hub.client.startNew('Retry');
    const status = await hub.waitForCompletion(id);
    expect(status.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(status.output)).toContain('always down in production');
  });

  it('advance without work just moves the clock; waitForIdle resolves at once', async () => {
    hub = await createTestHub({ registry, startTime: START });
    await hub.waitForIdle();
    await hub.advance(1500);
    expect(hub.now().getTime()).toBe(START + 1500);
  });
});

describe('durations', () => {
  it('parses units and rejects typos', () => {
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('5m')).toBe(300_000);
    expect(durationMs('1h30m')).toBe(5_400_000);
    expect(durationMs('1d')).toBe(86_400_000);
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs(42)).toBe(42);
    expect(() => durationMs('1x')).toThrow(/not a duration/);
    expect(() => durationMs(-1)).toThrow(/not a duration/);
  });
});
