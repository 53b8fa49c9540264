// Waiting for a state in tests that drive real processes: poll until a condition holds, with a deadline generous
// enough that only a hang reaches it on a loaded machine. Never a sleep that hopes the work is done by then.

export interface UntilOptions {
  /** What is awaited, for the error when the deadline passes. */
  readonly what: string;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

export async function until(
  condition: () => boolean | Promise<boolean>,
  { what, timeoutMs = 60_000, pollMs = 50 }: UntilOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** A whole number in [min, max]: where, past the evidence of progress, a test kills its process. */
export function randomBetween(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
