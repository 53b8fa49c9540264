// @azure/functions 4.x InvocationContext: what every function receives beside its trigger input. Logs go through pino,
// tagged with the function name and invocation id so they read like the Functions host's.
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { BindingValues, warnUndeliveredOutput, type BindingRef } from '../core/binding-values.js';
import { createLogger, LogEvents, type Logger } from '../log.js';

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
  /**
   * Where the host remembers which undelivered output bindings it already warned about (one warning per function
   * and binding); without it, this context warns on its own first set of each.
   */
  readonly warnedOutputs?: Set<string>;
}

let fallbackLogger: Logger | undefined;

export class InvocationContext {
  readonly invocationId: string;
  readonly functionName: string;
  readonly extraInputs: BindingValues;
  readonly extraOutputs: BindingValues;
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
    this.extraInputs = new BindingValues({ initial: init.inputValues });
    const base = init.logger ?? (fallbackLogger ??= createLogger());
    this.#logger = base.child({ function: this.functionName, invocationId: this.invocationId });
    const warn = warnUndeliveredOutput(this.functionName, init.warnedOutputs ?? new Set(), (message, binding) =>
      this.#logger.warn({ event: LogEvents.outputNotDelivered, binding }, message),
    );
    // A binding set by name is reported with the type its declaration gives it.
    const declared = (binding: BindingRef): BindingRef =>
      typeof binding === 'string' ? (this.options.extraOutputs.find((o) => o.name === binding) ?? binding) : binding;
    this.extraOutputs = new BindingValues({ onFirstSet: (binding) => warn(declared(binding)) });
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
