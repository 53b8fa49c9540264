/* eslint-disable -- checked against Azure's own types (see the test), which the lint's type information is not */
// @ts-nocheck -- typecheck-real-packages.test.ts drops this line and compiles the file against the real packages
// A unit test written for durable-functions 3.x: it drives an orchestrator and an entity by hand with the package's
// DummyOrchestrationContext / DummyEntityContext. Compiled against the real packages' .d.ts; never run.
import * as df from 'durable-functions';
import type { EntityHandler, OrchestrationHandler } from 'durable-functions';

const hello: OrchestrationHandler = function* (context) {
  const name: string = yield context.df.callActivity('SayHello', context.df.getInput());
  return name;
};

export function firstAction(): unknown {
  const context = new df.DummyOrchestrationContext('Hello', 'test-invocation', (message: unknown) => void message);
  const generator = hello(context);
  return generator.next().value;
}

const counter: EntityHandler<number> = (context) => {
  context.df.setState((context.df.getState(() => 0) ?? 0) + 1);
};

export function oneIncrement(): number | undefined {
  const context = new df.DummyEntityContext<number>('Counter');
  counter(context);
  return context.df.getState();
}
