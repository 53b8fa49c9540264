// Error classes with stable string codes; the HTTP layer maps codes to status codes in one place.

export type TaskhubErrorCode =
  | 'NON_DETERMINISTIC'
  | 'INSTANCE_NOT_FOUND'
  | 'INSTANCE_EXISTS'
  | 'INSTANCE_FINISHED'
  | 'INVALID_INSTANCE_ID'
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_FUNCTION'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_SUPPORTED'
  | 'TIMEOUT'
  | 'STORE_CLOSED';

export class TaskhubError extends Error {
  readonly code: TaskhubErrorCode;
  constructor(code: TaskhubErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TaskhubError';
    this.code = code;
  }
}

export function isTaskhubError(err: unknown, code?: TaskhubErrorCode): err is TaskhubError {
  return err instanceof TaskhubError && (code === undefined || err.code === code);
}
