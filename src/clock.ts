// Where the runtime reads the time: real time by default, a virtual clock in the test hub (taskhub/testing), so that
// timers, leases and episode timestamps all move when a test advances time instead of waiting for it.
export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
