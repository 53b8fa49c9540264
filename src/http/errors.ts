// The one place that turns errors into HTTP answers: TaskhubError codes map to Durable Functions' status codes, HTTP
// request problems (bad JSON, wrong method, missing key) carry their own. Bodies say what happened and what to do.
import { isTaskhubError, type TaskhubErrorCode } from '../core/errors.js';
import { storeFailureKind, type StoreFailureKind } from '../store/store-failure.js';

/** A request problem the HTTP layer detects itself, before anything is written. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const STATUS_BY_CODE: Record<TaskhubErrorCode, number> = {
  UNKNOWN_FUNCTION: 400,
  INVALID_ARGUMENT: 400,
  INVALID_INSTANCE_ID: 400,
  INSTANCE_NOT_FOUND: 404,
  INSTANCE_EXISTS: 409,
  INSTANCE_FINISHED: 410,
  PAYLOAD_TOO_LARGE: 413,
  NOT_SUPPORTED: 501,
  NON_DETERMINISTIC: 500,
  TIMEOUT: 504,
  STORE_CLOSED: 503,
};

/** What to do next, appended where the error's own message leaves it implicit. */
const HINT_BY_CODE: Partial<Record<TaskhubErrorCode, string>> = {
  INSTANCE_EXISTS: 'Wait for it to finish, terminate it, or start with another instance id.',
  INSTANCE_FINISHED: 'The instance has finished; start a new one or restart it.',
  STORE_CLOSED: 'The host is shutting down; retry against a running host.',
};

export interface ErrorAnswer {
  readonly status: number;
  readonly body: { readonly Message: string; readonly code: string };
  readonly headers: Record<string, string>;
}

/**
 * Store outages: the client can retry, so they are never a 500. The outage itself is logged once by the store's
 * health watch, not once per request.
 */
const OUTAGE_ANSWERS: Record<StoreFailureKind, ErrorAnswer> = {
  unavailable: {
    status: 503,
    body: {
      Message:
        'The task hub store is unavailable right now (connection lost, database restarting or busy), so the request ' +
        'was not carried out. Retry after a few seconds.',
      code: 'STORE_UNAVAILABLE',
    },
    headers: { 'Retry-After': '2' },
  },
  full: {
    status: 507,
    body: {
      Message:
        "The disk under the task hub store is full, so nothing was written. Reads still work; free space on the store's " +
        'disk and retry.',
      code: 'STORE_FULL',
    },
    headers: { 'Retry-After': '10' },
  },
};

/** The answer for any error; unexpected ones are 500 and flagged so the caller logs them. */
export function errorAnswer(err: unknown): ErrorAnswer & { readonly unexpected: boolean } {
  if (err instanceof HttpError) {
    return {
      status: err.status,
      body: { Message: err.message, code: err.code },
      headers: err.headers,
      unexpected: false,
    };
  }
  if (isTaskhubError(err)) {
    const hint = HINT_BY_CODE[err.code];
    const message = hint && !err.message.includes(hint) ? `${err.message} ${hint}` : err.message;
    const status = STATUS_BY_CODE[err.code];
    return { status, body: { Message: message, code: err.code }, headers: {}, unexpected: status >= 500 };
  }
  const outage = storeFailureKind(err);
  if (outage) return { ...OUTAGE_ANSWERS[outage], unexpected: false };
  return {
    status: 500,
    body: { Message: 'Something went wrong while processing your request; see the host log.', code: 'INTERNAL' },
    headers: {},
    unexpected: true,
  };
}

export function malformedJson(what: string, cause: unknown): HttpError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new HttpError(
    400,
    'MALFORMED_JSON',
    `The ${what} is not valid JSON (${reason}). Send a JSON value or no body.`,
  );
}

export function methodNotAllowed(method: string, allowed: readonly string[]): HttpError {
  return new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed.join(' or ')}.`, {
    Allow: allowed.join(', '),
  });
}

export function payloadTooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than ${limit} bytes. Send less, or start the host with a larger --max-body-bytes.`,
  );
}
