// The df.app callables, the 2.x wrappers, EntityId, entity/HTTP action shapes, and the pure SHA-1 / UUID v5.
import { describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import {
  activityCallable,
  entity,
  isEntity,
  isOrchestrator,
  orchestrationCallable,
  orchestrator,
} from '../../src/core/df-app.js';
import { EntityId } from '../../src/core/entity-id.js';
import { sha1, utf8, uuidV5 } from '../../src/core/guid.js';
import { RetryOptions } from '../../src/core/retry-options.js';
import { describeActions, Driver, ev, outputOf } from './history-builder.js';

describe('df.app callables', () => {
  const sayHello = activityCallable('SayHello');
  const child = orchestrationCallable('Child');

  it('schedule activities and sub-orchestrations inside any orchestrator', () => {
    const d = new Driver(function* () {
      const a = yield sayHello('Ada');
      const b = yield child('Bob', 'child-1');
      return [a, b];
    });
    expect(d.start().actions).toEqual([{ kind: 'ScheduleTask', sequenceId: 0, name: 'SayHello', input: '"Ada"' }]);
    expect(d.run(ev.completed(0, 'Hello Ada')).actions).toEqual([
      { kind: 'CreateSubOrchestration', sequenceId: 1, name: 'Child', instanceId: 'child-1', input: '"Bob"' },
    ]);
    expect(outputOf(d.run(ev.subCompleted(1, 'Hello Bob')))).toEqual(['Hello Ada', 'Hello Bob']);
  });

  it('.withRetry makes the retried variant, and refuses once the task was yielded', () => {
    let message = '';
    const d = new Driver(function* () {
      const first = sayHello('x');
      yield first;
      try {
        first.withRetry(new RetryOptions(100, 2));
      } catch (e) {
        message = (e as Error).message;
      }
      return yield child().withRetry(new RetryOptions(1000, 2));
    });
    d.start();
    expect(describeActions(d.run(ev.completed(0)))).toEqual(['CreateSubOrchestration#1 Child']);
    expect(message).toMatch(/^Invalid use of `.withRetry`/);
    expect(describeActions(d.run(ev.subFailed(1, 'no')))).toEqual(['CreateTimer#2']);
  });

  it('throw a clear error outside orchestrator code', () => {
    expect(() => sayHello('x')).toThrow(/can only be called from orchestrator code/);
  });
});

describe('2.x wrappers', () => {
  it('orchestrator() returns a handler that runs the generator, marked as an orchestrator', () => {
    const handler = orchestrator(function* (context: OrchestrationContext) {
      return yield context.df.callActivity('A');
    });
    expect(isOrchestrator(handler)).toBe(true);
    const d = new Driver(handler);
    d.start();
    expect(outputOf(d.run(ev.completed(0, 5)))).toBe(5);
    expect(isEntity(entity(() => undefined))).toBe(true);
    expect(() => orchestrator(undefined as never)).toThrow(/needs a generator function/);
  });
});

describe('entities and HTTP (actions and history shapes)', () => {
  it('EntityId renders its scheduler id and parses it back', () => {
    const id = new EntityId('Counter', 'my@Key');
    expect(id.toString()).toBe('@counter@my@Key');
    expect(EntityId.fromSchedulerId('@counter@my@Key')).toEqual(new EntityId('counter', 'my@Key'));
    expect(() => new EntityId('', 'k')).toThrow(/non-empty entity name/);
  });

  it('signalEntity sends at once; callEntity sends when yielded and completes from the response event', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      const counter = new EntityId('Counter', 'c1');
      ctx.df.signalEntity(counter, 'add', 1);
      const value = yield ctx.df.callEntity(counter, 'get');
      return value;
    });
    const r = d.start();
    expect(r.actions.map((a) => a.kind === 'SendEvent' && [a.sequenceId, a.instanceId, a.name])).toEqual([
      [0, '@counter@c1', 'op'],
      [1, '@counter@c1', 'op'],
    ]);
    const [signal, call] = r.actions.map((a) =>
      a.kind === 'SendEvent' ? (JSON.parse(a.input ?? '') as Record<string, unknown>) : {},
    );
    expect(signal).toMatchObject({ op: 'add', signal: true, input: '1', parent: 'test-instance' });
    expect(call).toMatchObject({ op: 'get', signal: false, parent: 'test-instance' });
    expect(r.newHistory.filter((e) => e.eventType === 'EventSent')).toHaveLength(2);
    const response = ev.raised(String(call?.id), { result: JSON.stringify(41) });
    expect(outputOf(d.run(response))).toBe(41);
  });

  it('an entity operation error fails the call', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      try {
        yield ctx.df.callEntity(new EntityId('E', 'k'), 'boom');
      } catch (e) {
        return (e as Error).message;
      }
    });
    const call = JSON.parse((d.start().actions[0] as { input: string }).input) as { id: string };
    expect(outputOf(d.run(ev.raised(call.id, { result: '"it broke"', exceptionType: 'Error' })))).toBe('it broke');
  });

  it('callHttp schedules the built-in HTTP activity with the serialized request', () => {
    const d = new Driver(function* (ctx: OrchestrationContext) {
      return yield ctx.df.callHttp({
        method: 'POST',
        url: 'https://example.com/x',
        body: { a: 1 },
        headers: { h: 'v' },
      });
    });
    const r = d.start();
    expect(r.actions[0]).toMatchObject({ kind: 'ScheduleTask', name: 'BuiltIn::HttpActivity' });
    expect(JSON.parse((r.actions[0] as { input: string }).input)).toEqual({
      method: 'POST',
      uri: 'https://example.com/x',
      content: '{"a":1}',
      headers: { h: 'v' },
      asynchronousPatternEnabled: true,
    });
    expect(outputOf(d.run(ev.completed(0, { statusCode: 200, content: 'ok' })))).toEqual({
      statusCode: 200,
      content: 'ok',
    });
  });
});

describe('pure SHA-1 and UUID v5', () => {
  const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  it('matches the standard test vectors', () => {
    expect(hex(sha1(utf8('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex(sha1(utf8('')))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(hex(sha1(utf8('a'.repeat(1000))))).toBe('291e9a6c66994949b57ba5e650361e98fc36b1ba');
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    expect(hex(utf8('é€😀'))).toBe(Buffer.from('é€😀').toString('hex'));
  });
});
