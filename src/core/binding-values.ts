// `context.extraInputs` / `context.extraOutputs` of an @azure/functions InvocationContext: values by binding name.
// Activities get them too (durable-functions 3.x hands activities an InvocationContext), so they live here, beside
// the activity context, with no I/O: what to do with an output nobody delivers is the caller's `onUndelivered`.

/** A binding as `get` / `set` accept it: its descriptor, or only its name. */
export type BindingRef = { readonly name: string; readonly type?: string } | string;

export interface BindingValuesOptions {
  /** Values present from the start, by binding name (the extra inputs the host resolved). */
  readonly initial?: Record<string, unknown>;
  /**
   * Called on the first `set` of each binding name: the host decides whether it delivers that binding, and says so
   * when it does not. Never allowed to make `set` throw.
   */
  readonly onFirstSet?: (binding: BindingRef) => void;
}

function nameOf(binding: BindingRef | undefined | null): string {
  if (typeof binding === 'string') return binding;
  // A descriptor without a name (a caller's slip) still gets a key, so `set` never throws.
  return typeof binding?.name === 'string' ? binding.name : (JSON.stringify(binding) ?? 'undefined');
}

export class BindingValues {
  readonly #values = new Map<string, unknown>();
  readonly #onFirstSet: ((binding: BindingRef) => void) | undefined;

  constructor(options: BindingValuesOptions = {}) {
    for (const [name, value] of Object.entries(options.initial ?? {})) this.#values.set(name, value);
    this.#onFirstSet = options.onFirstSet;
  }

  get(binding: BindingRef): unknown {
    return this.#values.get(nameOf(binding));
  }

  set(binding: BindingRef, value: unknown): void {
    const name = nameOf(binding);
    const first = !this.#values.has(name);
    this.#values.set(name, value);
    if (!first || !this.#onFirstSet) return;
    try {
      this.#onFirstSet(binding);
    } catch {
      // Reporting an undelivered output must never fail the function that set it.
    }
  }

  /** Every value, by binding name (the host reads outputs, classic `context.bindings` mirrors inputs). */
  entries(): [string, unknown][] {
    return [...this.#values.entries()];
  }
}

/**
 * Output binding types whose values Taskhub delivers: an HTTP function's response, and Azure Storage blobs and queue
 * messages (src/app/bindings/storage.ts).
 */
export const DELIVERED_OUTPUT_TYPES: ReadonlySet<string> = new Set(['http', 'blob', 'queue']);

/**
 * The `onFirstSet` of an `extraOutputs`: warns once per (function, binding) in `warned` (owned by the worker or the
 * HTTP host that makes the contexts) when the binding is of a type Taskhub does not deliver. Never silent, never fatal.
 */
export function warnUndeliveredOutput(
  functionName: string,
  warned: Set<string>,
  warn: (message: string, binding: { name: string; type: string | undefined }) => void,
  delivered: ReadonlySet<string> = DELIVERED_OUTPUT_TYPES,
): (binding: BindingRef) => void {
  return (binding) => {
    const type = typeof binding === 'string' ? undefined : binding.type;
    if (type !== undefined && delivered.has(type)) return;
    const name = nameOf(binding);
    const key = `${functionName.toLowerCase()}\u0000${name}`;
    if (warned.has(key)) return;
    warned.add(key);
    const kind = type === undefined ? 'an output binding' : `a ${type} output binding`;
    warn(
      `The function '${functionName}' set '${name}', ${kind} Taskhub does not deliver: the value is kept in ` +
        'context.extraOutputs and goes nowhere else. Deliver it from the function code, or run this function on Azure.',
      { name, type },
    );
  };
}
