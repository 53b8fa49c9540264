// durable-functions 3.x's DummyOrchestrationContext and DummyEntityContext, as users' existing unit tests use them:
// construct, assign a mocked `df`, call the function, and read the logs through the log handler.
import { describe, expect, it } from 'vitest';
import * as df from '../../src/app/durable-functions.js';
import type { DurableEntityContext, DurableOrchestrationContext } from '../../src/core/context.js';

describe('Dummy contexts', () => {
  it('DummyOrchestrationContext: an InvocationContext with an unset df, names and logs as durable-functions', () => {
    const logs: unknown[][] = [];
    const context = new df.DummyOrchestrationContext('HelloOrchestrator', 'inv-1', (level, ...args) =>
      logs.push([level, ...args]),
    );
    expect(context.df).toBeUndefined();
    expect(context.functionName).toBe('HelloOrchestrator');
    expect(context.invocationId).toBe('inv-1');
    expect(new df.DummyOrchestrationContext().functionName).toBe('dummyContextFunctionName');
    expect(new df.default.DummyOrchestrationContext().invocationId).toMatch(/\S/);

    const calls: unknown[] = [];
    context.df = {
      getInput: () => 'Tokyo',
      callActivity: (name: string, input?: unknown) => {
        calls.push([name, input]);
        return { name };
      },
    } as unknown as DurableOrchestrationContext;
    function* orchestrator(ctx: df.DummyOrchestrationContext): Generator<unknown, string, unknown> {
      ctx.log('starting', 1);
      const hello = yield ctx.df.callActivity('SayHello', ctx.df.getInput());
      ctx.warn('done');
      return String(hello);
    }
    const generator = orchestrator(context);
    expect(generator.next().value).toEqual({ name: 'SayHello' });
    expect(generator.next('Hello Tokyo').value).toBe('Hello Tokyo');
    expect(calls).toEqual([['SayHello', 'Tokyo']]);
    expect(logs).toEqual([
      ['information', 'starting', 1],
      ['warning', 'done'],
    ]);
  });

  it('DummyEntityContext: a mocked df drives an entity function', () => {
    const context = new df.DummyEntityContext<number>('Counter', undefined, () => undefined);
    expect(context.df).toBeUndefined();
    let state = 1;
    context.df = {
      operationName: 'add',
      getInput: () => 2,
      getState: () => state,
      setState: (value: number) => {
        state = value;
      },
    } as unknown as DurableEntityContext<number>;
    const counter = (ctx: df.DummyEntityContext<number>): void => {
      if (ctx.df.operationName === 'add') ctx.df.setState((ctx.df.getState() ?? 0) + Number(ctx.df.getInput()));
    };
    counter(context);
    expect(state).toBe(3);
  });
});
