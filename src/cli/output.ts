// The CLI's own output: plain lines and tables on stdout (logs go to stderr through pino). Colours only on a terminal
// (never when piped, never with NO_COLOR set, always with FORCE_COLOR=1), so scripts read plain text.
import { createInterface } from 'node:readline/promises';
import { colorsFor } from '../log-pretty.js';

export { colorsFor };

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printError(line: string): void {
  process.stderr.write(`${line}\n`);
}

export type Paint = (text: string) => string;

export interface Palette {
  readonly bold: Paint;
  readonly dim: Paint;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly cyan: Paint;
  readonly magenta: Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const same: Paint = (text) => text;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { bold: same, dim: same, red: same, green: same, yellow: same, cyan: same, magenta: same };
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    magenta: sgr(35, 39),
  };
}

/** stdout's palette, decided once per process. */
export const out: Palette = palette(colorsFor(process.stdout));

/** A runtime status in its colour: green done, red failed, yellow stopped or waiting, cyan running. */
export function paintStatus(status: string, colors: Palette = out): string {
  switch (status) {
    case 'Completed':
      return colors.green(status);
    case 'Failed':
      return colors.red(status);
    case 'Terminated':
    case 'Suspended':
    case 'Pending':
      return colors.yellow(status);
    case 'Running':
      return colors.cyan(status);
    default:
      return status;
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (s: string): number => s.replace(ANSI, '').length;

/** Shortens text to `max` characters (an ellipsis marks the cut); newlines become spaces. */
export function abbreviate(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length > max ? `${flat.slice(0, Math.max(0, max - 1))}…` : flat;
}

export interface TableOptions {
  /** Longest cell in characters before it is cut (default 48). */
  readonly maxWidth?: number;
  /** Paints cells (after cutting); the header row is painted bold when colours are on. */
  readonly paint?: (cell: string, column: number) => string;
  readonly colors?: Palette;
}

/** A left-aligned text table with a header row; cells are cut at `maxWidth` characters. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions | number = {},
): string {
  const { maxWidth = 48, paint, colors = out } = typeof options === 'number' ? { maxWidth: options } : options;
  const all = [headers, ...rows].map((row) => row.map((cell) => abbreviate(cell, maxWidth)));
  const widths = headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[], painter: (cell: string, i: number) => string): string =>
    row
      .map((cell, i) => {
        const painted = painter(cell, i);
        return painted + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(painted)));
      })
      .join('  ')
      .trimEnd();
  const body = all.slice(1).map((row) => line(row, paint ?? ((cell) => cell)));
  return [
    line(all[0]!, (cell) => colors.bold(cell)),
    line(
      widths.map((w) => '-'.repeat(w)),
      (cell) => colors.dim(cell),
    ),
    ...body,
  ].join('\n');
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/**
 * Asks a yes/no question on the terminal; false for anything but y/yes. Only call it when stdin is a TTY: a script
 * must say --yes instead (see confirmOrRefuse).
 */
export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
