// A first-in first-out queue with O(1) take: Array.prototype.shift is O(n), and a history may buffer thousands of
// events for one name before the code waits for them.
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  take(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The items still queued, oldest first. */
  toArray(): T[] {
    return this.#items.slice(this.#head);
  }
}
