// Storage bindings around one invocation, for every kind of function that has them (trigger functions, HTTP
// functions, activities): blob inputs are read into `context.extraInputs` first, blob and queue outputs are delivered
// from `context.extraOutputs` (and the return value, for a storage `return` binding) once the function succeeded.
// A failed delivery fails the invocation, as on Azure: a queue-triggered one is retried, an activity fails.
import type { BindingValues } from '../../core/binding-values.js';
import { deliverStorageOutputs, readStorageInputs, storageOutputsOf, STORAGE_OUTPUT_TYPES } from './storage.js';

/** The bindings of a function, as far as storage goes. */
export interface BoundFunction {
  readonly name: string;
  readonly extraInputs?: readonly { readonly type: string; readonly name: string }[];
  readonly extraOutputs?: readonly { readonly type: string; readonly name: string }[];
  readonly return?: { readonly type: string; readonly name: string } | undefined;
}

/** What InvocationContext and ActivityContext both have. */
export interface BindingSlots {
  readonly extraInputs: BindingValues;
  readonly extraOutputs: BindingValues;
}

/** Whether the function has a blob input or a blob/queue output (else it runs with no wrapper at all). */
export function hasStorageBindings(fn: BoundFunction): boolean {
  return (
    (fn.extraInputs ?? []).some((b) => b.type === 'blob') ||
    (fn.extraOutputs ?? []).some((b) => STORAGE_OUTPUT_TYPES.has(b.type)) ||
    (fn.return !== undefined && STORAGE_OUTPUT_TYPES.has(fn.return.type))
  );
}

/**
 * Runs `invoke` between reading the blob inputs and delivering the storage outputs. `data` is the binding data that
 * `{name}` expressions in paths and queue names read; `appRoot` finds host.json (queue message encoding).
 */
export async function invokeWithStorageBindings<T>(
  fn: BoundFunction,
  context: BindingSlots,
  data: Record<string, unknown>,
  appRoot: string | undefined,
  invoke: () => T | Promise<T>,
): Promise<T> {
  if (!hasStorageBindings(fn)) return invoke();
  const inputs = await readStorageInputs(fn.extraInputs ?? [], data, fn.name);
  for (const [name, value] of Object.entries(inputs)) context.extraInputs.set(name, value);
  const result = await invoke();
  const outputs = storageOutputsOf(fn.extraOutputs ?? [], context.extraOutputs.entries(), fn.return, result);
  if (outputs.length > 0) await deliverStorageOutputs(outputs, data, fn.name, appRoot);
  return result;
}

/**
 * An activity handler with its storage bindings (`df.app.activity(name, { extraInputs, extraOutputs })`, or a
 * function.json activity's blob/queue bindings). The handler itself when it has none, so nothing changes then.
 */
export function activityWithStorageBindings<H extends (input: unknown, context: never) => unknown>(
  fn: BoundFunction,
  appRoot: () => string | undefined,
  handler: H,
): H {
  if (!hasStorageBindings(fn)) return handler;
  const cached = wrappedActivities.get(handler);
  if (cached) return cached as H;
  const wrapped = (input: unknown, context: BindingSlots): Promise<unknown> =>
    invokeWithStorageBindings(
      fn,
      context,
      input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {},
      appRoot(),
      () => handler(input, context as never),
    );
  // One wrapper per handler: registering the same activity twice stays the no-op it is without bindings.
  wrappedActivities.set(handler, wrapped);
  return wrapped as unknown as H;
}

const wrappedActivities = new WeakMap<object, unknown>();
