// The environment knobs of the benchmark tools (RUNS, BENCH_SCALE, WORKLOADS, ENGINES ...), checked before anything
// runs: a value the tools cannot honour ends the process with exit code 1 and a message naming the valid ones, so a
// typo never runs an empty or silently different benchmark (nor overwrites saved results with it).

/** Prints `message` and ends the process with exit code 1. */
export function usageError(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** A positive integer from the environment (RUNS=3), or `fallback` when unset. */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < 1)
    usageError(`${name}=${raw}: expected a positive integer (for example ${name}=${fallback}).`);
  return n;
}

/** A number of at least `min` from the environment (milliseconds, seconds), or `fallback` when unset. */
export function numberAtLeast(name: string, min: number, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min)
    usageError(`${name}=${raw}: expected a number of at least ${min} (for example ${name}=${fallback}).`);
  return n;
}

/** BENCH_SCALE: the share of every workload's full count to run, in (0, 1]; 1 is a full run. */
export function benchScale(fallback: number): number {
  const raw = process.env.BENCH_SCALE;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1)
    usageError(
      `BENCH_SCALE=${raw}: expected a number greater than 0 and at most 1 (the share of each workload's full ` +
        'count: 1 is a full run, 0.05 a smoke run).',
    );
  return n;
}

/**
 * A comma or space separated list of names from the environment (WORKLOADS=W1,W5), each matched case-insensitively
 * against `valid` or one of `aliases` (alias -> valid name); undefined when unset. Returns the valid spellings.
 */
export function nameList(
  name: string,
  valid: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string[] | undefined {
  const raw = process.env[name];
  if (raw === undefined) return undefined;
  const byLower = new Map(valid.map((v) => [v.toLowerCase(), v]));
  for (const [alias, target] of Object.entries(aliases)) byLower.set(alias.toLowerCase(), target);
  const out: string[] = [];
  const unknown: string[] = [];
  for (const item of raw.split(/[\s,]+/).filter(Boolean)) {
    const known = byLower.get(item.toLowerCase());
    if (known === undefined) unknown.push(item);
    else if (!out.includes(known)) out.push(known);
  }
  const aliasText = Object.entries(aliases)
    .map(([a, t]) => `${a} = ${t}`)
    .join(', ');
  const validText = `${valid.join(', ')}${aliasText ? ` (also ${aliasText})` : ''}`;
  if (unknown.length > 0) usageError(`${name}: unknown ${unknown.join(', ')}. Valid names: ${validText}.`);
  if (out.length === 0) usageError(`${name} is set but names nothing. Valid names: ${validText}.`);
  return out;
}

/** A positive integer from the command line (`bench/pg-cost.ts 500`), or `fallback` when absent. */
export function positiveIntArg(what: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(raw)) usageError(`${what}: expected a positive integer (default ${fallback}), got ${raw}.`);
  return Number(raw);
}
