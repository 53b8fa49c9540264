// Which claimed work items run, and with whom. A work item whose earlier deliveries ended with their worker (a crash,
// process.exit, a kill) may be what ended it, or may have been a bystander. To tell them apart, a suspect runs alone:
// no other activity starts beside it, and nothing is held claimed-but-not-running meanwhile (a claim counts as a
// delivery, so a held item would be charged for a crash it had no part in). If the suspect ends this worker again,
// the count lands on it alone; after maxDeliveryCount deliveries it is quarantined instead of run.
import type { WorkItem } from '../store/store.js';

/**
 * Deliveries without completion after which a work item runs alone. One is what every bystander of a single crash
 * has (a SIGKILL, a restart); two in a row make it a suspect.
 */
export const SUSPECT_AFTER = 2;
/**
 * How long a solo run keeps others out, and how long a suspect waits for the running activities to finish before it
 * runs anyway: a solo run helps the counting, it must never stall the worker (a slow activity is not a crashing one).
 */
export const SOLO_MS = 5000;

/** What to do with one claim's work items. */
export interface ClaimPlan {
  /** Run now, side by side. */
  readonly run: readonly WorkItem[];
  /** Run now, alone. */
  readonly solo?: WorkItem;
  /** Delivered maxDeliveryCount times without completing: fail their tasks, do not run them. */
  readonly quarantine: readonly WorkItem[];
  /** Hand back as never delivered (their claim does not count): they wait for the solo run to end. */
  readonly giveBack: readonly WorkItem[];
}

export class SoloRuns {
  readonly #maxDeliveryCount: number;
  readonly #now: () => number;
  /** A suspect was claimed while other activities ran: claims wait for those to end, then the suspect runs alone. */
  #wanted = false;
  #drainingSince: number | undefined;
  #running = false;
  #runningUntil = 0;

  constructor(maxDeliveryCount: number, now: () => number) {
    this.#maxDeliveryCount = maxDeliveryCount;
    this.#now = now;
  }

  /** Whether new local work must go through the store instead (a solo run is wanted or running). */
  get exclusive(): boolean {
    return this.#wanted || this.#running;
  }

  /** Before a claim: ms to wait first (for the solo run to end, or for the others to drain), or 0 to claim now. */
  waitBeforeClaim(activitiesRunning: number): number {
    const now = this.#now();
    if (this.#running) {
      const left = this.#runningUntil - now;
      if (left > 0) return left;
      this.#running = false;
    }
    if (!this.#wanted || activitiesRunning === 0) return 0;
    this.#drainingSince ??= now;
    return Math.max(0, this.#drainingSince + SOLO_MS - now);
  }

  /** Sorts one claim's items (see ClaimPlan). `activitiesRunning` counts those started before this claim. */
  plan(items: readonly WorkItem[], activitiesRunning: number): ClaimPlan {
    const quarantine = items.filter((item) => item.deliveryCount >= this.#maxDeliveryCount);
    const candidates = items.filter((item) => item.deliveryCount < this.#maxDeliveryCount);
    const suspect = candidates.find((item) => item.deliveryCount >= SUSPECT_AFTER);
    if (!suspect) {
      this.#wanted = false;
      this.#drainingSince = undefined;
      return { run: candidates, quarantine, giveBack: [] };
    }
    const drained = this.#drainingSince !== undefined && this.#now() - this.#drainingSince >= SOLO_MS;
    if (activitiesRunning > 0 && !drained) {
      this.#wanted = true;
      return { run: [], quarantine, giveBack: candidates };
    }
    this.#wanted = false;
    this.#drainingSince = undefined;
    this.#running = true;
    this.#runningUntil = this.#now() + SOLO_MS;
    return { run: [], solo: suspect, quarantine, giveBack: candidates.filter((item) => item !== suspect) };
  }

  /** The solo run ended (completed or failed in the ordinary way). */
  soloEnded(): void {
    this.#running = false;
  }
}
