// Conformance: timer-trigger schedules. The status of a timer function and the claim of each occurrence, which is
// what makes one worker, and only one, fire each occurrence of a schedule.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';

const at = (second: number): string => new Date(Date.UTC(2025, 0, 1, 9, 0, second)).toISOString();

export function storeTimerTests(fresh: () => Promise<Store>): void {
  describe('timer schedules', () => {
    it('has no status before the first claim, then the claimed occurrence and the next one', async () => {
      const store = await fresh();
      expect(await store.getTimerStatus('nightly')).toBeUndefined();
      const before = Date.now();
      expect(
        await store.claimTimerOccurrence({ functionName: 'nightly', occurrence: at(0), next: at(5), workerId: 'w1' }),
      ).toBe(true);
      const status = await store.getTimerStatus('nightly');
      expect(status).toMatchObject({ last: at(0), next: at(5) });
      expect(Date.parse(status!.lastUpdated)).toBeGreaterThanOrEqual(before - 1000);
      expect(await store.getTimerStatus('other')).toBeUndefined();
    });

    it('claims an occurrence once: the same one or an earlier one is refused, a later one advances the status', async () => {
      const store = await fresh();
      const claim = (occurrence: string, next: string, workerId: string) =>
        store.claimTimerOccurrence({ functionName: 't', occurrence, next, workerId });
      expect(await claim(at(10), at(15), 'w1')).toBe(true);
      expect(await claim(at(10), at(15), 'w2')).toBe(false);
      expect(await claim(at(5), at(10), 'w2')).toBe(false);
      expect(await store.getTimerStatus('t')).toMatchObject({ last: at(10), next: at(15) });
      expect(await claim(at(15), at(20), 'w2')).toBe(true);
      expect(await store.getTimerStatus('t')).toMatchObject({ last: at(15), next: at(20) });
    });

    it('gives an occurrence claimed by many at once to exactly one of them', async () => {
      const store = await fresh();
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, w) =>
            store.claimTimerOccurrence({
              functionName: 'race',
              occurrence: at(round),
              next: at(round + 1),
              workerId: `w${w}`,
            }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      }
      expect(await store.getTimerStatus('race')).toMatchObject({ last: at(4), next: at(5) });
    });
  });
}
