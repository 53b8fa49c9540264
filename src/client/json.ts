// Payloads are stored as JSON text, serialized once where they enter (invariant: never re-encoded); these helpers are
// the client's two crossings of that boundary.
import { TaskhubError } from '../core/errors.js';

/** JSON text of a caller's value; undefined (and values JSON cannot represent, like functions) means "no payload". */
export function toJsonText(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    // Typed as string, but undefined for functions and symbols.
    text = JSON.stringify(value);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TaskhubError('INVALID_ARGUMENT', `The ${what} cannot be serialized to JSON: ${reason}`, { cause: err });
  }
  return text;
}

/** The value of stored JSON text. Text that is not JSON (written by hand or by another tool) is shown as it is. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
