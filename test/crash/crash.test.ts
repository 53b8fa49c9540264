// Crash test with real child processes: a host running 200 instances of a 20-step chain is killed with SIGKILL 20
// times and restarted; every instance completes with the right output and no history holds a completion twice
// (activities run at least once, orchestrators observe each result exactly once). Each kill waits for evidence that
// the host made progress since it started (step results committed to the file), then lands a random number of
// results later, so the kills hit every phase (recovery, claims, activities mid-run, commits) on a busy machine too.
import { describe, expect, it } from 'vitest';
import { ChainHub, expectEveryChainCompletedOnce, killAfterProgress } from './chain-runs.js';

const COUNT = 200;
const STEPS = 20;
const KILLS = 20;
const hub = new ChainHub('taskhub-crash-');
const startHost = () => hub.startHost({ count: COUNT, steps: STEPS });

describe('crash recovery', () => {
  it(`survives ${KILLS} SIGKILLs: every instance completes once, with the right output`, async () => {
    // Past its first committed step result, a host is killed after 0 to 60 more (well below COUNT * STEPS / KILLS).
    const kills = await killAfterProgress(hub, startHost, { kills: KILLS, maxStepsPastEvidence: 60 });
    // The kills must have landed mid-work, or the test proves nothing.
    expect(kills.filter((k) => k.running > 0)).toHaveLength(KILLS);
    const lastAt = Date.now();
    const text = await startHost().output;
    if (process.env.CRASH_DEBUG) process.stderr.write(`last host done after ${Date.now() - lastAt} ms\n`);
    expect(text).toContain('done');
    await expectEveryChainCompletedOnce(hub, COUNT, STEPS);
  }, 300_000);
});
