// What the outage tests' Chain orchestration returns: shared by the app and the tests that check its outputs.
export const STEPS = 5;

/** One step of the chain (the Step activity). */
export function step(acc: number, i: number): number {
  return acc * 3 + i;
}

/** The output of Chain for input n. */
export function chainOutput(n: number): number {
  let acc = n;
  for (let i = 0; i < STEPS; i++) acc = step(acc, i);
  return acc;
}
