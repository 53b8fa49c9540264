// Errors crossing the durable boundary: an activity or sub-orchestration failure becomes an Error thrown into the
// orchestrator (catchable), and an uncaught error becomes the FailureDetails stored in history.
import type { FailureDetails } from './history.js';

/**
 * The error an orchestrator sees when a task it waits on failed. Its `message` is the host's reason, e.g.
 * "Activity function 'Charge' failed: card declined" (apps match on that prefix, as with Durable Functions); `name`,
 * `stack` and `details` are the original error's, and `failureDetails.errorMessage` its own message.
 */
export class TaskFailedError extends Error {
  /** The `details` the failing code attached to its error (decoded JSON), if any. */
  readonly details: unknown;
  /** The host-style reason, e.g. "Activity function 'Charge' failed: card declined". */
  readonly reason: string;
  readonly failureDetails: FailureDetails;

  constructor(reason: string, failureDetails: FailureDetails) {
    super(reason || failureDetails.errorMessage);
    this.name = failureDetails.errorType || 'Error';
    this.reason = reason;
    this.failureDetails = failureDetails;
    this.details = failureDetails.details === undefined ? undefined : parseOrText(failureDetails.details);
    if (failureDetails.stackTrace !== undefined) this.stack = failureDetails.stackTrace;
  }
}

/**
 * Where an error carries the custom properties an app's ExceptionPropertiesProvider gave for it (set by the app layer,
 * read into FailureDetails.properties).
 */
export const EXCEPTION_PROPERTIES: unique symbol = Symbol('taskhub.exceptionProperties');

/** FailureDetails of anything thrown: Error fields, plus `error.details` as JSON text and its custom properties. */
export function failureDetailsOf(err: unknown): FailureDetails {
  // Uncaught, a failed task's error reads as it read in the code ("Activity function 'X' failed: …"), as in Durable
  // Functions; its type, stack and details stay the failed task's own.
  if (err instanceof TaskFailedError) return { ...err.failureDetails, errorMessage: err.message };
  if (err instanceof Error) {
    const details = (err as { details?: unknown }).details;
    const properties = (err as { [EXCEPTION_PROPERTIES]?: Record<string, unknown> })[EXCEPTION_PROPERTIES];
    return {
      errorType: err.name || 'Error',
      errorMessage: err.message,
      ...(err.stack === undefined ? {} : { stackTrace: err.stack }),
      ...(details === undefined ? {} : { details: jsonText(details) }),
      ...(properties === undefined ? {} : { properties: JSON.parse(jsonText(properties)) as Record<string, unknown> }),
    };
  }
  return { errorType: 'Error', errorMessage: typeof err === 'string' ? err : jsonText(err) };
}

/**
 * JSON text of a payload, or undefined for undefined (and for functions, which JSON cannot carry). Cycles and BigInt
 * throw, so a bad payload fails where it is produced.
 */
export function toJson(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

/** JSON text of a value for messages and details; falls back to String() for what JSON cannot encode (cycles, BigInt). */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
