// The test hub's clock: time stands still until the test moves it, so a 24-hour timer costs no waiting at all.
import type { Clock } from '../clock.js';

export class VirtualClock implements Clock {
  #now: number;

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward to `ms` (never backward: stored leases and timers assume time only grows). */
  set(ms: number): void {
    if (ms > this.#now) this.#now = ms;
  }
}
