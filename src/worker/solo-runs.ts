// Which claimed work items run, and with whom. A work item whose earlier deliveries ended with their worker (a crash,
// process.exit, a kill) may be what ended it, or may have been a bystander. To tell them apart, a suspect runs alone:
// no other activity or episode starts beside it, and nothing is held claimed-but-not-running meanwhile (a claim counts
// as a delivery, so a held item would be charged for a crash it had no part in). The store records whether a delivery
// ran alone, and only a work item whose latest fatal delivery ran alone is quarantined after maxDeliveryCount: a
// bystander's count may grow, but it is never quarantined for a crash it merely witnessed.
import type { WorkItem } from '../store/store.js';

/**
 * Deliveries without completion after which a work item runs alone. One is what every bystander of a single crash
 * has (a SIGKILL, a restart); two in a row make it a suspect.
 */
export const SUSPECT_AFTER = 2;
/**
 * How long a solo run keeps everything else out, and how long a suspect waits for the running work to finish before
 * it runs anyway (not alone, so its crash counts toward nothing): a solo run helps the counting, it must never stall
 * the worker (a slow activity is not a crashing one). Past it, a solo run is unmarked and others run beside it; other
 * suspects still wait until it ends.
 */
export const SOLO_MS = 5000;

/** What to do with one claim's work items. */
export interface ClaimPlan {
  /** Run now, side by side. */
  readonly run: readonly WorkItem[];
  /** Run now, alone: mark its delivery alone in the store first. */
  readonly solo?: WorkItem;
  /** Ended their worker maxDeliveryCount times, the last time alone: fail their tasks, do not run them. */
  readonly quarantine: readonly WorkItem[];
  /** Hand back as never delivered (their claim does not count): they wait for a solo run. */
  readonly giveBack: readonly WorkItem[];
}

export class SoloRuns {
  readonly #maxDeliveryCount: number;
  readonly #now: () => number;
  /** A suspect was claimed while other work ran: claims wait for that to end, then the suspect runs alone. */
  #wanted = false;
  #drainingSince: number | undefined;
  /** The suspect running now; `alone` while its delivery is marked alone in the store. */
  #solo: { readonly item: WorkItem; alone: boolean; readonly until: number } | undefined;

  constructor(maxDeliveryCount: number, now: () => number) {
    this.#maxDeliveryCount = maxDeliveryCount;
    this.#now = now;
  }

  /** Whether new local work must go through the store instead (a solo run is wanted, or runs alone). */
  get exclusive(): boolean {
    return this.#wanted || this.#solo?.alone === true;
  }

  /**
   * A solo run that kept others out for SOLO_MS: its delivery must be unmarked in the store (then call `shared`)
   * before anything runs beside it.
   */
  dueToShare(): WorkItem | undefined {
    const solo = this.#solo;
    return solo?.alone && this.#now() >= solo.until ? solo.item : undefined;
  }

  /** The solo run's delivery is no longer marked alone: others may run beside it. */
  shared(): void {
    if (this.#solo) this.#solo.alone = false;
  }

  /** Before a claim: ms to wait first (for the solo run's time alone, or for the others to drain), or 0 to claim now. */
  waitBeforeClaim(workRunning: number): number {
    const now = this.#now();
    if (this.#solo?.alone) return Math.max(0, this.#solo.until - now);
    if (!this.#wanted || workRunning === 0) return 0;
    this.#drainingSince ??= now;
    return Math.max(0, this.#drainingSince + SOLO_MS - now);
  }

  /** Sorts one claim's items (see ClaimPlan). `workRunning` counts activities and episodes started before it. */
  plan(items: readonly WorkItem[], workRunning: number): ClaimPlan {
    const quarantine = items.filter(
      (item) => item.deliveryCount >= this.#maxDeliveryCount && item.lastDeliveryAlone === true,
    );
    const candidates = items.filter((item) => !quarantine.includes(item));
    const suspects = candidates.filter((item) => item.deliveryCount >= SUSPECT_AFTER);
    if (suspects.length === 0) {
      this.#wanted = false;
      this.#drainingSince = undefined;
      return { run: candidates, quarantine, giveBack: [] };
    }
    if (this.#solo) {
      // One suspect at a time: the others wait for its end, the rest runs beside it (its run is no longer alone).
      return { run: candidates.filter((item) => !suspects.includes(item)), quarantine, giveBack: suspects };
    }
    const drained = this.#drainingSince !== undefined && this.#now() - this.#drainingSince >= SOLO_MS;
    if (workRunning > 0) {
      if (!drained) {
        this.#wanted = true;
        return { run: [], quarantine, giveBack: candidates };
      }
      // The others outlasted SOLO_MS: everything runs, side by side, and a crash now counts toward nobody's quarantine.
      this.#wanted = false;
      this.#drainingSince = undefined;
      return { run: candidates, quarantine, giveBack: [] };
    }
    // The most delivered suspect first; among equals the latest scheduled, which joined a process that had been running
    // the earlier ones (a long activity beside a new crasher: the crasher runs alone first, and is quarantined first).
    const suspect = suspects.reduce((a, b) => (b.deliveryCount >= a.deliveryCount ? b : a));
    this.#wanted = false;
    this.#drainingSince = undefined;
    this.#solo = { item: suspect, alone: true, until: this.#now() + SOLO_MS };
    return { run: [], solo: suspect, quarantine, giveBack: candidates.filter((item) => item !== suspect) };
  }

  /** The solo run ended (completed, failed in the ordinary way, or handed back). */
  soloEnded(): void {
    this.#solo = undefined;
  }
}
