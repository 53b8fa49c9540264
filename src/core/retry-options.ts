// Retry policy for callActivityWithRetry / callSubOrchestratorWithRetry, with durable-functions' names and checks.
// The retry loop itself runs inside the replay engine (task.ts), with durable timers between attempts.

/** Default cap between attempts, as the Durable Functions extension: 6 days. */
export const DEFAULT_MAX_RETRY_INTERVAL_MS = 6 * 24 * 60 * 60 * 1000;

export class RetryOptions {
  /** Multiplier applied to the interval after each failed attempt (default 1). */
  backoffCoefficient: number | undefined;
  /** Upper bound of the interval between attempts (default 6 days). */
  maxRetryIntervalInMilliseconds: number | undefined;
  /** Give up once this much time passed since the first attempt (default: never). */
  retryTimeoutInMilliseconds: number | undefined;

  /**
   * @param firstRetryIntervalInMilliseconds delay before the second attempt; must be > 0.
   * @param maxNumberOfAttempts total attempts, the first one included.
   */
  constructor(
    readonly firstRetryIntervalInMilliseconds: number,
    readonly maxNumberOfAttempts: number,
  ) {
    if (typeof firstRetryIntervalInMilliseconds !== 'number' || Number.isNaN(firstRetryIntervalInMilliseconds)) {
      throw new TypeError(
        `firstRetryIntervalInMilliseconds: Expected number but got ${describe(firstRetryIntervalInMilliseconds)}.`,
      );
    }
    if (typeof maxNumberOfAttempts !== 'number' || Number.isNaN(maxNumberOfAttempts)) {
      throw new TypeError(`maxNumberOfAttempts: Expected number but got ${describe(maxNumberOfAttempts)}.`);
    }
    if (firstRetryIntervalInMilliseconds <= 0) {
      throw new RangeError('firstRetryIntervalInMilliseconds value must be greater than 0.');
    }
  }
}

/** The checked, defaulted policy the engine runs. */
export interface RetryPolicy {
  readonly firstRetryIntervalMs: number;
  readonly maxNumberOfAttempts: number;
  readonly backoffCoefficient: number;
  readonly maxRetryIntervalMs: number;
  readonly retryTimeoutMs: number;
}

/**
 * Accepts a RetryOptions or a plain object with its fields (JavaScript callers pass those), as durable-functions does,
 * and checks the optional fields too, so a bad policy fails at the call rather than after the first failure.
 */
export function retryPolicyOf(options: unknown): RetryPolicy {
  const o = options as Partial<Record<keyof RetryOptions, unknown>> | null | undefined;
  if (
    typeof o !== 'object' ||
    o === null ||
    !('firstRetryIntervalInMilliseconds' in o) ||
    !('maxNumberOfAttempts' in o)
  ) {
    throw new TypeError(
      `retryOptions: Expected object of type RetryOptions but got ${describe(options)}; are you missing properties?`,
    );
  }
  const checked = new RetryOptions(o.firstRetryIntervalInMilliseconds as number, o.maxNumberOfAttempts as number);
  const backoffCoefficient = optionalNumber(o.backoffCoefficient, 'backoffCoefficient', 1);
  if (backoffCoefficient <= 0) throw new RangeError('backoffCoefficient value must be greater than 0.');
  const maxRetryIntervalMs = optionalNumber(
    o.maxRetryIntervalInMilliseconds,
    'maxRetryIntervalInMilliseconds',
    DEFAULT_MAX_RETRY_INTERVAL_MS,
  );
  const retryTimeoutMs = optionalNumber(o.retryTimeoutInMilliseconds, 'retryTimeoutInMilliseconds', Infinity);
  return {
    firstRetryIntervalMs: checked.firstRetryIntervalInMilliseconds,
    maxNumberOfAttempts: checked.maxNumberOfAttempts,
    backoffCoefficient,
    maxRetryIntervalMs,
    retryTimeoutMs,
  };
}

/** DTFx's RetryInterceptor: first * coefficient^(failedAttempts - 1), capped at the max interval. */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number): number {
  const delay = policy.firstRetryIntervalMs * Math.pow(policy.backoffCoefficient, failedAttempts - 1);
  return Math.min(delay, policy.maxRetryIntervalMs);
}

function optionalNumber(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${name}: Expected number but got ${describe(value)}.`);
  }
  return value;
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
