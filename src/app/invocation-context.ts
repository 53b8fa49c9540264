// @azure/functions 4.x InvocationContext: what every function receives beside its trigger input. Logs go through pino,
// tagged with the function name and invocation id so they read like the Functions host's.
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { createLogger, type Logger } from '../log.js';

/** A binding descriptor (`input.generic`, `df.input.durableClient()`, a function.json binding). */
export interface FunctionInput {
  readonly type: string;
  readonly name: string;
  readonly [key: string]: unknown;
}
export type FunctionOutput = FunctionInput;
export type FunctionTrigger = FunctionInput;

export interface InvocationContextInit {
  readonly invocationId?: string;
  readonly functionName?: string;
  readonly logger?: Logger;
  readonly triggerMetadata?: Record<string, unknown>;
  readonly options?: {
    readonly trigger?: FunctionTrigger;
    readonly extraInputs?: readonly FunctionInput[];
    readonly extraOutputs?: readonly FunctionOutput[];
  };
  /** Values of the extra inputs, by binding name. */
  readonly inputValues?: Record<string, unknown>;
}

function nameOf(inputOrName: FunctionInput | string): string {
  return typeof inputOrName === 'string' ? inputOrName : inputOrName.name;
}

class BindingValues {
  readonly #values = new Map<string, unknown>();
  constructor(initial: Record<string, unknown> = {}) {
    for (const [name, value] of Object.entries(initial)) this.#values.set(name, value);
  }
  get(inputOrName: FunctionInput | string): unknown {
    return this.#values.get(nameOf(inputOrName));
  }
  set(inputOrName: FunctionInput | string, value: unknown): void {
    this.#values.set(nameOf(inputOrName), value);
  }
  /** Every value, by binding name (the host reads outputs, classic `context.bindings` mirrors inputs). */
  entries(): [string, unknown][] {
    return [...this.#values.entries()];
  }
}

let fallbackLogger: Logger | undefined;

export class InvocationContext {
  readonly invocationId: string;
  readonly functionName: string;
  readonly extraInputs: BindingValues;
  readonly extraOutputs = new BindingValues();
  readonly triggerMetadata: Record<string, unknown>;
  readonly traceContext = undefined;
  readonly retryContext = undefined;
  readonly options: {
    readonly trigger: FunctionTrigger;
    readonly extraInputs: readonly FunctionInput[];
    readonly extraOutputs: readonly FunctionOutput[];
  };
  readonly #logger: Logger;

  constructor(init: InvocationContextInit = {}) {
    this.invocationId = init.invocationId ?? randomUUID();
    this.functionName = init.functionName ?? 'unknown';
    this.triggerMetadata = init.triggerMetadata ?? {};
    this.options = {
      trigger: init.options?.trigger ?? { type: 'unknown', name: 'trigger' },
      extraInputs: init.options?.extraInputs ?? [],
      extraOutputs: init.options?.extraOutputs ?? [],
    };
    this.extraInputs = new BindingValues(init.inputValues);
    const base = init.logger ?? (fallbackLogger ??= createLogger());
    this.#logger = base.child({ function: this.functionName, invocationId: this.invocationId });
  }

  log(...args: unknown[]): void {
    this.#logger.info(format(...args));
  }
  trace(...args: unknown[]): void {
    this.#logger.trace(format(...args));
  }
  debug(...args: unknown[]): void {
    this.#logger.debug(format(...args));
  }
  info(...args: unknown[]): void {
    this.#logger.info(format(...args));
  }
  warn(...args: unknown[]): void {
    this.#logger.warn(format(...args));
  }
  error(...args: unknown[]): void {
    this.#logger.error(format(...args));
  }
}
