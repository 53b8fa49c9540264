// Crash recovery of async orchestrators with real child processes: a host running 50 instances of a 20-step async
// chain is killed with SIGKILL 5 times, each time after evidence of progress plus a random number of further steps,
// and restarted. Every instance completes once with the right output, and no history holds a completion twice: a
// suspended async function lost with its process is rebuilt by replaying its history.
import { describe, expect, it } from 'vitest';
import { ChainHub, expectEveryChainCompletedOnce, killAfterProgress } from '../crash/chain-runs.js';

const COUNT = 50;
const STEPS = 20;
const KILLS = 5;
const hub = new ChainHub('taskhub-async-crash-');
const startHost = () => hub.startHost({ count: COUNT, steps: STEPS, async: true });

describe('crash recovery of async orchestrators', () => {
  it(`survives ${KILLS} SIGKILLs mid-chain: every instance completes once, with the right output`, async () => {
    const kills = await killAfterProgress(hub, startHost, { kills: KILLS, maxStepsPastEvidence: 40 });
    // The kills must have landed mid-chain, or the test proves nothing.
    expect(kills.filter((k) => k.running > 0)).toHaveLength(KILLS);
    const text = await startHost().output;
    expect(text).toContain(`started ${COUNT} async chains of ${STEPS} steps`);
    expect(text).toContain('done');
    await expectEveryChainCompletedOnce(hub, COUNT, STEPS);
  }, 300_000);
});
