// Stored rows to DurableOrchestrationStatus and the status API JSON; instance ids; the in-process completion waiter.
import { describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../src/store/store.js';
import { CompletionWaiter } from '../../src/client/completion-waiter.js';
import { newInstanceId, validateInstanceId } from '../../src/client/instance-id.js';
import { toOrchestrationStatus, toStatusJson } from '../../src/client/status-view.js';
import { isTaskhubError } from '../../src/core/errors.js';

const record = (overrides: Partial<InstanceRecord> = {}): InstanceRecord => ({
  instanceId: 'i1',
  executionId: 'e1',
  name: 'Hello',
  runtimeStatus: 'Completed',
  input: '{"a":1}',
  output: '"done"',
  customStatus: '{"step":2}',
  createdTime: '2024-05-01T12:00:00.123Z',
  lastUpdatedTime: '2024-05-01T12:00:05.987Z',
  historyLength: 4,
  ...overrides,
});

describe('toOrchestrationStatus', () => {
  it('parses payloads and dates', () => {
    const status = toOrchestrationStatus(record());
    expect(status).toEqual({
      name: 'Hello',
      instanceId: 'i1',
      runtimeStatus: 'Completed',
      input: { a: 1 },
      output: 'done',
      customStatus: { step: 2 },
      createdTime: new Date('2024-05-01T12:00:00.123Z'),
      lastUpdatedTime: new Date('2024-05-01T12:00:05.987Z'),
    });
  });

  it('hides the input with showInput false and uses null for absent values', () => {
    const status = toOrchestrationStatus(
      record({ runtimeStatus: 'Running', output: undefined, customStatus: undefined }),
      { showInput: false },
    );
    expect(status.input).toBeNull();
    expect(status.output).toBeNull();
    expect(status.customStatus).toBeNull();
  });

  it("shows a failure as Durable Functions' message and keeps the details", () => {
    const failureDetails = { errorType: 'Error', errorMessage: 'boom', stackTrace: 'Error: boom' };
    const status = toOrchestrationStatus(record({ runtimeStatus: 'Failed', output: undefined, failureDetails }));
    expect(status.output).toBe("Orchestrator function 'Hello' failed: boom");
    expect(status.failureDetails).toEqual(failureDetails);
    const already = toOrchestrationStatus(
      record({
        runtimeStatus: 'Failed',
        failureDetails: { errorType: 'Error', errorMessage: "Orchestrator function 'Hello' failed: boom" },
      }),
    );
    expect(already.output).toBe("Orchestrator function 'Hello' failed: boom");
  });

  it('renders history only when given one', () => {
    const history = [
      {
        eventType: 'ExecutionStarted' as const,
        eventId: -1,
        timestamp: '2024-05-01T12:00:00.123Z',
        name: 'Hello',
        instanceId: 'i1',
        executionId: 'e1',
        input: '{"a":1}',
      },
    ];
    expect(toOrchestrationStatus(record())).not.toHaveProperty('history');
    expect(toOrchestrationStatus(record(), { showInput: false }, history).history).toEqual([
      { EventType: 'ExecutionStarted', Timestamp: '2024-05-01T12:00:00.123Z', FunctionName: 'Hello' },
    ]);
  });
});

describe('toStatusJson', () => {
  it('gives the status API shape with second-precision times', () => {
    expect(toStatusJson(toOrchestrationStatus(record()))).toEqual({
      name: 'Hello',
      instanceId: 'i1',
      runtimeStatus: 'Completed',
      input: { a: 1 },
      customStatus: { step: 2 },
      output: 'done',
      createdTime: '2024-05-01T12:00:00Z',
      lastUpdatedTime: '2024-05-01T12:00:05Z',
    });
  });

  it('adds historyEvents only when history was requested', () => {
    const json = toStatusJson(toOrchestrationStatus(record(), {}, []));
    expect(json.historyEvents).toEqual([]);
    expect(toStatusJson(toOrchestrationStatus(record()))).not.toHaveProperty('historyEvents');
  });
});

describe('instance ids', () => {
  it('generates 32 hex characters', () => {
    const id = newInstanceId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(newInstanceId()).not.toBe(id);
  });

  it.each([
    ['', 'non-empty'],
    ['x'.repeat(257), '256'],
    ['@counter@k', "'@'"],
    ['a/b', '/, \\, #, ?'],
    ['a\\b', '/, \\, #, ?'],
    ['a#b', '/, \\, #, ?'],
    ['a?b', '/, \\, #, ?'],
    ['a\nb', 'control characters'],
    ['a\u007fb', 'control characters'],
  ])('rejects %j saying why', (id, why) => {
    let error: unknown;
    try {
      validateInstanceId(id);
    } catch (err) {
      error = err;
    }
    expect(isTaskhubError(error, 'INVALID_INSTANCE_ID')).toBe(true);
    expect((error as Error).message).toContain(why);
  });

  it('accepts ordinary ids up to 256 characters', () => {
    expect(() => validateInstanceId('order-42_x.y:z@home')).not.toThrow();
    expect(() => validateInstanceId('x'.repeat(256))).not.toThrow();
  });
});

describe('CompletionWaiter', () => {
  it('wakes every waiter of the instance, with the committed row when given, and forgets them', async () => {
    const waiter = new CompletionWaiter();
    const a = waiter.wait('i1');
    const b = waiter.wait('i1');
    const other = waiter.wait('i2');
    expect(waiter.waiting('i1')).toBe(2);
    const record = {
      instanceId: 'i1',
      executionId: 'e1',
      name: 'Hello',
      runtimeStatus: 'Completed' as const,
      output: '"hi"',
      createdTime: '2024-01-01T00:00:00.000Z',
      lastUpdatedTime: '2024-01-01T00:00:01.000Z',
      historyLength: 5,
    };
    waiter.notifyCompleted('i1', record);
    await expect(Promise.all([a, b])).resolves.toEqual([{ record }, { record }]);
    expect(waiter.waiting()).toBe(1);
    waiter.notifyCompleted('i2');
    await expect(other).resolves.toEqual({});
    expect(waiter.waiting()).toBe(0);
  });

  it('resolves false on abort and leaves nothing behind', async () => {
    const waiter = new CompletionWaiter();
    const controller = new AbortController();
    const waiting = waiter.wait('i1', controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBe(false);
    expect(waiter.waiting()).toBe(0);
    await expect(waiter.wait('i1', controller.signal)).resolves.toBe(false);
    waiter.notifyCompleted('nobody');
  });

  it('a registered wait is woken before it sleeps, times out after sleeping, or is cancelled, leaving nothing behind', async () => {
    const waiter = new CompletionWaiter();
    // Woken while the caller was still reading the store: sleep then returns the wake at once.
    const early = waiter.register('i1');
    waiter.notifyCompleted('i1');
    await expect(early.sleep(60_000)).resolves.toEqual({});
    // Nobody reports the end: the timer ends the wait.
    const late = waiter.register('i1');
    expect(waiter.waiting('i1')).toBe(1);
    await expect(late.sleep(1)).resolves.toBe(false);
    expect(waiter.waiting()).toBe(0);
    // The read already answered: cancel, and a later report finds nobody.
    const cancelled = waiter.register('i1');
    cancelled.cancel();
    waiter.notifyCompleted('i1');
    await expect(cancelled.woken).resolves.toBe(false);
    expect(waiter.waiting()).toBe(0);
  });
});
