// Retries: callActivityWithRetry re-runs a failing activity on durable timers (first interval, backoff, attempts).
// `failTimes` makes the demo activity fail that many times per key before it succeeds.
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';

interface FlakyInput {
  readonly key: string;
  readonly failTimes: number;
  readonly maxAttempts?: number;
}

const attempts = new Map<string, number>();

df.app.activity('FlakyCall', {
  handler: (input: FlakyInput) => {
    const attempt = (attempts.get(input.key) ?? 0) + 1;
    attempts.set(input.key, attempt);
    if (attempt <= input.failTimes) throw new Error(`Attempt ${attempt} of ${input.key} failed`);
    return { key: input.key, succeededOnAttempt: attempt };
  },
});

df.app.orchestration('CallWithRetries', function* (context: OrchestrationContext) {
  const input = context.df.getInput<FlakyInput>();
  const retry = new df.RetryOptions(100, input.maxAttempts ?? 5);
  retry.backoffCoefficient = 2;
  try {
    const result: unknown = yield context.df.callActivityWithRetry('FlakyCall', retry, input);
    return { outcome: 'Succeeded', result };
  } catch (err) {
    return { outcome: 'GaveUp', error: (err as Error).message };
  }
});
