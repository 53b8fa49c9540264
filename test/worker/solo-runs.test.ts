// Which claimed work items run with whom: suspects of ending their worker run alone, and nothing waits claimed (a
// claim is a delivery, so a held item would be charged for a crash it had no part in). Only a delivery alone can
// bring a work item to quarantine.
import { describe, expect, it } from 'vitest';
import type { WorkItem } from '../../src/store/store.js';
import { SOLO_MS, SoloRuns } from '../../src/worker/solo-runs.js';

const item = (taskScheduledId: number, deliveryCount: number, lastDeliveryAlone = false): WorkItem => ({
  instanceId: `i${taskScheduledId}`,
  executionId: 'e',
  taskScheduledId,
  name: 'Act',
  deliveryCount,
  ...(lastDeliveryAlone ? { lastDeliveryAlone } : {}),
});
const ids = (items: readonly WorkItem[]): number[] => items.map((i) => i.taskScheduledId);

describe('SoloRuns', () => {
  it('runs fresh work and first redeliveries side by side (bystanders of one crash are not suspects)', () => {
    const solo = new SoloRuns(5, () => 0);
    const plan = solo.plan([item(1, 0), item(2, 1)], 3);
    expect(ids(plan.run)).toEqual([1, 2]);
    expect(plan.solo).toBeUndefined();
    expect(solo.exclusive).toBe(false);
  });

  it('a suspect claimed while others run is handed back with everything else, then runs alone once they are done', () => {
    let now = 0;
    const solo = new SoloRuns(5, () => now);
    const first = solo.plan([item(1, 0), item(2, 2), item(3, 1)], 2);
    expect(first.run).toEqual([]);
    expect(ids(first.giveBack)).toEqual([1, 2, 3]);
    expect(solo.exclusive).toBe(true);
    // Claims wait while the two others run, at most SOLO_MS.
    expect(solo.waitBeforeClaim(2)).toBe(SOLO_MS);
    now = 1000;
    expect(solo.waitBeforeClaim(2)).toBe(SOLO_MS - 1000);
    expect(solo.waitBeforeClaim(0)).toBe(0);
    const second = solo.plan([item(1, 0), item(2, 2), item(3, 1)], 0);
    expect(second.solo?.taskScheduledId).toBe(2);
    expect(ids(second.giveBack)).toEqual([1, 3]);
    // Nothing is claimed while it runs alone, until it ends.
    expect(solo.waitBeforeClaim(1)).toBe(SOLO_MS);
    solo.soloEnded();
    expect(solo.waitBeforeClaim(0)).toBe(0);
    expect(solo.exclusive).toBe(false);
  });

  it('after SOLO_MS alone, a solo run is unmarked and shared; other suspects still wait for its end', () => {
    let now = 0;
    const solo = new SoloRuns(5, () => now);
    expect(solo.plan([item(1, 2)], 0).solo?.taskScheduledId).toBe(1);
    expect(solo.dueToShare()).toBeUndefined();
    now = SOLO_MS;
    expect(solo.dueToShare()?.taskScheduledId).toBe(1);
    solo.shared();
    expect(solo.exclusive).toBe(false);
    expect(solo.waitBeforeClaim(1)).toBe(0);
    const plan = solo.plan([item(2, 0), item(3, 2)], 1);
    expect(ids(plan.run)).toEqual([2]);
    expect(ids(plan.giveBack)).toEqual([3]);
    solo.soloEnded();
    expect(solo.plan([item(3, 2)], 0).solo?.taskScheduledId).toBe(3);
  });

  it('a suspect that cannot get its worker alone within SOLO_MS runs beside the others, not marked alone', () => {
    let now = 0;
    const solo = new SoloRuns(5, () => now);
    solo.plan([item(1, 3)], 1);
    expect(solo.waitBeforeClaim(1)).toBe(SOLO_MS);
    now = SOLO_MS;
    expect(solo.waitBeforeClaim(1)).toBe(0);
    const plan = solo.plan([item(1, 3)], 1);
    expect(plan.solo).toBeUndefined();
    expect(ids(plan.run)).toEqual([1]);
  });

  it('among suspects, the most delivered runs alone first, then the latest scheduled', () => {
    expect(new SoloRuns(5, () => 0).plan([item(1, 3), item(2, 2)], 0).solo?.taskScheduledId).toBe(1);
    expect(new SoloRuns(5, () => 0).plan([item(1, 2), item(2, 2)], 0).solo?.taskScheduledId).toBe(2);
  });

  it('quarantines what reached maxDeliveryCount with its last delivery alone, whatever else the claim holds', () => {
    const solo = new SoloRuns(3, () => 0);
    const plan = solo.plan([item(1, 3, true), item(2, 0)], 0);
    expect(ids(plan.quarantine)).toEqual([1]);
    expect(ids(plan.run)).toEqual([2]);
  });

  it('never quarantines a bystander: at maxDeliveryCount without a delivery alone it is a suspect and runs alone', () => {
    const solo = new SoloRuns(3, () => 0);
    const plan = solo.plan([item(1, 7)], 0);
    expect(plan.quarantine).toEqual([]);
    expect(plan.solo?.taskScheduledId).toBe(1);
  });
});
