// Numeric command-line options, checked at startup with one message shape: anything but a whole number in range
// (`abc`, `-1`, `1.5`, empty) is refused, naming the option, the range and the value, before the command does any
// work. A bare Number() let them through: Number('') is 0 and Number('abc') is NaN, which a `>` limit never trips.

export interface WholeNumberRange {
  readonly min: number;
  readonly max?: number;
  /** What the number counts, e.g. 'bytes': the message reads "a whole number of bytes". */
  readonly unit?: string;
}

/** The option's value as a whole number, undefined when it was not given; throws a clear message otherwise. */
export function wholeNumberOption(name: string, raw: string | undefined, range: WholeNumberRange): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(value) && value >= range.min && (range.max === undefined || value <= range.max)) {
    return value;
  }
  const what = range.unit === undefined ? 'a whole number' : `a whole number of ${range.unit}`;
  const bounds = range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${range.max}`;
  const shown = raw.trim() === '' ? 'an empty value' : raw;
  throw new Error(`${name} must be ${what}, ${bounds}, not ${shown}`);
}

/** `--port`: 0 (any free port) to 65535. */
export function portOption(raw: string | undefined): number | undefined {
  return wholeNumberOption('--port', raw, { min: 0, max: 65535 });
}
