// The CLI's own output: plain lines and tables on stdout (logs go to stderr through pino).

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printError(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A left-aligned text table with a header row; cells are cut at `maxWidth` characters. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], maxWidth = 48): string {
  const cut = (s: string): string => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const all = [headers, ...rows].map((row) => row.map(cut));
  const widths = headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(all[0]!), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line)].join('\n');
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
