// durable-functions 3.x test helpers: InvocationContexts whose `df` the user's unit tests fill with their own mocks
// (the real package leaves `df` undefined too), so existing tests that import them run unchanged.
import { format } from 'node:util';
import type { DurableEntityContext, DurableOrchestrationContext } from '../core/context.js';
import { InvocationContext } from './invocation-context.js';

/** @azure/functions' log levels, as a LogHandler receives them. */
export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type LogHandler = (level: LogLevel, ...args: unknown[]) => void;

// The real package's default handler is console.log; library code writes to stdout directly (no console, STYLE 10).
const printLog: LogHandler = (_level, ...args) => {
  process.stdout.write(`${format(...args)}\n`);
};

class DummyContext extends InvocationContext {
  readonly #logHandler: LogHandler;

  constructor(functionName: string, invocationId: string | undefined, logHandler: LogHandler) {
    super({ functionName, ...(invocationId === undefined ? {} : { invocationId }) });
    this.#logHandler = logHandler;
  }

  override log(...args: unknown[]): void {
    this.#logHandler('information', ...args);
  }
  override trace(...args: unknown[]): void {
    this.#logHandler('trace', ...args);
  }
  override debug(...args: unknown[]): void {
    this.#logHandler('debug', ...args);
  }
  override info(...args: unknown[]): void {
    this.#logHandler('information', ...args);
  }
  override warn(...args: unknown[]): void {
    this.#logHandler('warning', ...args);
  }
  override error(...args: unknown[]): void {
    this.#logHandler('error', ...args);
  }
}

/** An orchestration context for unit tests: assign `df` (a mock of the durable API) before calling the orchestrator. */
export class DummyOrchestrationContext extends DummyContext {
  /** Undefined until the test sets it, as in durable-functions. */
  df: DurableOrchestrationContext = undefined as unknown as DurableOrchestrationContext;

  constructor(functionName = 'dummyContextFunctionName', invocationId?: string, logHandler: LogHandler = printLog) {
    super(functionName, invocationId, logHandler);
  }
}

/** An entity context for unit tests: assign `df` (a mock of the entity API) before calling the entity function. */
export class DummyEntityContext<TState = unknown> extends DummyContext {
  /** Undefined until the test sets it, as in durable-functions. */
  df: DurableEntityContext<TState> = undefined as unknown as DurableEntityContext<TState>;

  constructor(functionName = 'dummyContextFunctionName', invocationId?: string, logHandler: LogHandler = printLog) {
    super(functionName, invocationId, logHandler);
  }
}
