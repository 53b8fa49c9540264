// A wake-up signal for a dispatcher loop: new work in this process wakes it at once instead of waiting for a poll.
// A notify that arrives while the loop is busy is remembered, so no wake-up is lost.

export class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  notify(): void {
    if (this.#resolve) {
      const resolve = this.#resolve;
      this.#clear();
      resolve();
    } else {
      this.#pending = true;
    }
  }

  /** Consume a remembered notify; true if there was one. */
  consume(): boolean {
    const had = this.#pending;
    this.#pending = false;
    return had;
  }

  /** Resolves on the next notify or after `ms` (whichever first). Returns at once if a notify is pending. */
  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(
        () => {
          this.#clear();
          resolve();
        },
        Math.max(0, ms),
      );
    });
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#resolve = undefined;
  }
}
