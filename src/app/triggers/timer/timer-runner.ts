// One timer-triggered function on one worker: waits for each occurrence of its schedule, claims it in the task hub
// store (so one worker of the hub fires it, once, whatever restarts), and invokes the function with Azure's timer
// value. It follows Azure's timer listener: a missed occurrence found at start fires once with `isPastDue` (with the
// schedule monitor on), else `runOnStartup` fires once; one invocation at a time; the next occurrence is the first
// one after the previous invocation ended; a failing function is logged and the schedule goes on.
import { LogEvents } from '../../../log.js';
import type { TimerStatus } from '../../../store/store.js';
import { invokeTriggerFunction, type TriggerEnvironment, type TriggerFunctionDefinition } from '../trigger-function.js';
import type { TimerSchedule } from './schedule.js';

/** The value a timer function receives (`Timer` of @azure/functions 4.x; the same object in the classic model). */
export interface TimerValue {
  readonly isPastDue: boolean;
  readonly schedule: { readonly adjustForDST: boolean };
  /** The status before this occurrence (`next` is this one); null without the schedule monitor, as in Azure. */
  readonly scheduleStatus: TimerStatus | null;
}

export interface TimerFunction {
  readonly definition: TriggerFunctionDefinition;
  readonly schedule: TimerSchedule;
  readonly useMonitor: boolean;
  readonly runOnStartup: boolean;
}

/** Azure's `Last` before a timer ever fired (.NET's default DateTime). */
const NEVER = '0001-01-01T00:00:00.000Z';
/** setTimeout's longest delay; a later occurrence is waited for in steps. */
const MAX_DELAY_MS = 2_147_483_647;

export class TimerRunner {
  readonly #env: TriggerEnvironment;
  readonly #timer: TimerFunction;
  readonly #workerId: string;
  /** The store key: function names are case-blind in Azure. */
  readonly #key: string;
  #handle: NodeJS.Timeout | undefined;
  /** The startup check or the occurrence being claimed and invoked; close() waits for it. */
  #busy: Promise<void> = Promise.resolve();
  #closed = false;
  #claimFailing = false;

  constructor(env: TriggerEnvironment, timer: TimerFunction, workerId: string) {
    this.#env = env;
    this.#timer = timer;
    this.#workerId = workerId;
    this.#key = timer.definition.name.toLowerCase();
  }

  get #name(): string {
    return this.#timer.definition.name;
  }

  /**
   * Reads the schedule status and, with a missed occurrence, claims it (or, with runOnStartup, decides to run), then
   * invokes in the background and goes on with the schedule: when this resolves, the start-up decision is stored, so
   * a worker that reports ready has already claimed (or not) what it missed.
   */
  async start(): Promise<void> {
    this.#logNextOccurrences();
    const invocation = await this.#startup();
    if (this.#closed) return;
    this.#busy = this.#owned(invocation ? invocation() : Promise.resolve());
  }

  /** As Azure's host does at start: the next few occurrences, so a schedule's meaning is visible at once. */
  #logNextOccurrences(): void {
    const next: string[] = [];
    for (let at: Date | undefined = new Date(); next.length < 3;) {
      at = this.#timer.schedule.next(at);
      if (at === undefined) break;
      next.push(at.toISOString());
    }
    this.#env.logger.info(
      { event: LogEvents.timerScheduled, function: this.#name, schedule: this.#timer.schedule.expression, next },
      `timer function '${this.#name}' (${this.#timer.schedule.expression}): next occurrences ${next.join(', ')}`,
    );
  }

  /** Stops the schedule and waits for the invocation in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#handle);
    await this.#busy;
  }

  /** The start-up invocation to run, if any (its claim, if it needs one, already won). */
  async #startup(): Promise<(() => Promise<void>) | undefined> {
    const { useMonitor, runOnStartup, schedule } = this.#timer;
    if (useMonitor) {
      const status = await this.#status();
      const now = new Date();
      const missed = status && this.#missedOccurrence(status, now);
      if (status && missed) {
        // One firing for whatever was missed, never one per missed occurrence (Azure's monitor does the same); the
        // claim names the first missed occurrence, so of several workers starting at once only one fires it.
        const claimed = await this.#claim(missed, schedule.next(now));
        const pastDue = { ...status, next: missed.toISOString() };
        return claimed ? () => this.#invoke({ isPastDue: true, status: pastDue }) : undefined;
      }
      // First start: the status is stored now (an occurrence of 0001-01-01 creates it and never overwrites one), so
      // an occurrence missed before the first run is still found at the next start, as Azure's monitor finds it.
      if (!status) await this.#claim(new Date(NEVER), schedule.next(now));
    }
    if (!runOnStartup) return undefined;
    // Azure runs it on every start of every instance (scale-out included): no claim, by design.
    const status = useMonitor ? ((await this.#status()) ?? this.#initialStatus(new Date())) : undefined;
    return () => this.#invoke({ isPastDue: false, status });
  }

  /**
   * Every step ends by arming the next occurrence. Nothing in a step rejects (store and function failures are
   * logged where they happen); anything unforeseen is logged here, so no rejection is left without an owner.
   */
  #owned(step: Promise<void>): Promise<void> {
    return step
      .then(() => this.#arm(new Date()))
      .catch((err: unknown) => {
        this.#env.logger.error(
          { event: LogEvents.timerFunctionFailed, function: this.#name, err },
          `timer function '${this.#name}' stopped: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
  }

  /**
   * The occurrence a stored status says is overdue, or undefined. A `next` the schedule does not have means the
   * schedule changed since: as in Azure, nothing then counts as missed.
   */
  #missedOccurrence(status: TimerStatus, now: Date): Date | undefined {
    const recorded = new Date(status.next);
    return this.#timer.schedule.isOccurrence(recorded) && recorded < now ? recorded : undefined;
  }

  #arm(after: Date): void {
    if (this.#closed) return;
    const occurrence = this.#timer.schedule.next(after);
    if (occurrence === undefined) return;
    this.#wait(occurrence);
  }

  #wait(occurrence: Date): void {
    if (this.#closed) return;
    const delay = occurrence.getTime() - Date.now();
    if (delay > 0) {
      this.#handle = setTimeout(() => this.#wait(occurrence), Math.min(delay, MAX_DELAY_MS));
      this.#handle.unref();
      return;
    }
    this.#busy = this.#owned(this.#fire(occurrence));
  }

  async #fire(occurrence: Date): Promise<void> {
    const before = this.#timer.useMonitor ? await this.#status() : undefined;
    if (!(await this.#claim(occurrence, this.#timer.schedule.next(occurrence)))) return;
    const status = this.#timer.useMonitor
      ? { ...(before ?? this.#initialStatus(occurrence)), next: occurrence.toISOString() }
      : undefined;
    await this.#invoke({ isPastDue: false, status });
  }

  #initialStatus(at: Date): TimerStatus {
    return {
      last: NEVER,
      next: (this.#timer.schedule.next(at) ?? at).toISOString(),
      lastUpdated: new Date().toISOString(),
    };
  }

  /** True when this worker won the occurrence. A store failure skips it (logged once until a claim works again). */
  async #claim(occurrence: Date, next: Date | undefined): Promise<boolean> {
    try {
      const won = await this.#env.store.claimTimerOccurrence({
        functionName: this.#key,
        occurrence: occurrence.toISOString(),
        next: (next ?? occurrence).toISOString(),
        workerId: this.#workerId,
      });
      this.#claimFailing = false;
      return won;
    } catch (err) {
      if (!this.#claimFailing) {
        this.#env.logger.error(
          { event: LogEvents.timerClaimFailed, function: this.#name, occurrence: occurrence.toISOString(), err },
          `timer function '${this.#name}' skipped its occurrence at ${occurrence.toISOString()}: the store failed`,
        );
      }
      this.#claimFailing = true;
      return false;
    }
  }

  /** The stored status; a store failure reads as none (the schedule goes on from now). */
  async #status(): Promise<TimerStatus | undefined> {
    try {
      return await this.#env.store.getTimerStatus(this.#key);
    } catch (err) {
      this.#env.logger.warn(
        { event: LogEvents.timerClaimFailed, function: this.#name, err },
        `timer function '${this.#name}' could not read its schedule status`,
      );
      return undefined;
    }
  }

  async #invoke({ isPastDue, status }: { isPastDue: boolean; status: TimerStatus | undefined }): Promise<void> {
    const value: TimerValue = {
      isPastDue,
      schedule: { adjustForDST: this.#timer.schedule.adjustForDST },
      scheduleStatus: status ?? null,
    };
    try {
      await invokeTriggerFunction(this.#env, this.#timer.definition, value);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#env.logger.error(
        { event: LogEvents.timerFunctionFailed, function: this.#name, err },
        `timer function '${this.#name}' failed: ${message}`,
      );
    }
  }
}
