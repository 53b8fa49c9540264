// External events of one execution: events raised before anybody waits are buffered and delivered once each, in
// arrival order; several waiters on one name are served first come, first served. Names are case-insensitive, as in
// DTFx (durable-functions' JS shim differs: LIFO waiters, re-delivered early events; reference B7, not copied).
import { Fifo } from './fifo.js';
import type { EventRaisedEvent } from './history.js';
import type { EventTask } from './task.js';

export class ExternalEvents {
  readonly #waiters = new Map<string, Fifo<EventTask>>();
  /** By lower-cased name; `arrival` orders them across names for continueAsNew's carryover. */
  readonly #buffered = new Map<string, Fifo<{ arrival: number; event: EventRaisedEvent }>>();
  #arrivals = 0;

  /** A task starts waiting: it takes the oldest buffered event of its name at once, if any. */
  wait(task: EventTask): void {
    const key = task.eventName.toLowerCase();
    const buffered = this.#buffered.get(key)?.take();
    if (buffered) return task.receive(buffered.event.input);
    let waiters = this.#waiters.get(key);
    if (!waiters) this.#waiters.set(key, (waiters = new Fifo()));
    waiters.push(task);
  }

  /** An event arrives: the longest-waiting task of its name gets it, or it is buffered. */
  raise(event: EventRaisedEvent): void {
    const key = event.name.toLowerCase();
    const waiter = this.#waiters.get(key)?.take();
    if (waiter) return waiter.receive(event.input);
    let buffer = this.#buffered.get(key);
    if (!buffer) this.#buffered.set(key, (buffer = new Fifo()));
    buffer.push({ arrival: this.#arrivals++, event });
  }

  /** Buffered events nobody consumed, in arrival order. */
  unprocessed(): EventRaisedEvent[] {
    const all: { arrival: number; event: EventRaisedEvent }[] = [];
    for (const buffer of this.#buffered.values()) all.push(...buffer.toArray());
    return all.sort((a, b) => a.arrival - b.arrival).map((b) => b.event);
  }
}
