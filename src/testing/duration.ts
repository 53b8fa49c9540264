// Durations for the test hub: '30s', '5m', '1h', '1d', '1h30m', '250ms', or a number of milliseconds.
import { TaskhubError } from '../core/errors.js';

export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function durationMs(duration: Duration): number {
  if (typeof duration === 'number') {
    if (Number.isFinite(duration) && duration >= 0) return duration;
  } else {
    const text = duration.trim();
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
    // Every character must belong to a part: '1x' or '1h 2' is a typo, not 1 hour.
    if (parts.length > 0 && parts.map((p) => p[0]).join('') === text) {
      return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2]!] ?? 0), 0);
    }
  }
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    `'${String(duration)}' is not a duration: use milliseconds (a number >= 0) or text like '30s', '5m', '1h', '1d', '1h30m'.`,
  );
}
