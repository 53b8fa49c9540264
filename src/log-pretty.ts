// Log lines for people, on a terminal: pino's JSON records turned into `[time] message key=value` lines, the level
// shown (and coloured) only when it is not info, errors with their message (and stack at error level). JSON stays the
// format for anything but a terminal, so log collectors get every field.

/** Whether a stream gets colours: FORCE_COLOR (non-zero) forces them, NO_COLOR (any value) turns them off. */
export function colorsFor(stream: { readonly isTTY?: boolean }): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0') return true;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

const LEVELS: Record<number, { readonly label: string; readonly color: number }> = {
  10: { label: 'TRACE', color: 90 },
  20: { label: 'DEBUG', color: 90 },
  30: { label: 'INFO', color: 0 },
  40: { label: 'WARN', color: 33 },
  50: { label: 'ERROR', color: 31 },
  60: { label: 'FATAL', color: 31 },
};

/** Fields every record has, or that the line already shows another way. */
const HIDDEN = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'name',
  'msg',
  'event',
  'err',
  // An invocation's line says these in its own words (`Executed 'Functions.X' (Succeeded, Id=…, Duration=…)`).
  'functionName',
  'id',
  'outcome',
  'durationMs',
]);

interface LogRecord {
  readonly level?: number;
  readonly time?: number;
  readonly msg?: string;
  readonly err?: { readonly message?: string; readonly stack?: string; readonly type?: string };
  readonly [key: string]: unknown;
}

/** One JSON record (a line pino wrote) as one or more readable lines, ending in a newline. */
export function formatPrettyLine(json: string, colors: boolean): string {
  let record: LogRecord;
  try {
    record = JSON.parse(json) as LogRecord;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const paint = (code: number, text: string): string =>
    colors && code !== 0 ? `\u001b[${code}m${text}\u001b[0m` : text;
  const level = LEVELS[record.level ?? 30] ?? LEVELS[30]!;
  const time = new Date(record.time ?? Date.now()).toISOString();
  const parts = [paint(90, `[${time}]`)];
  if (level.label !== 'INFO') parts.push(paint(level.color, level.label));
  const message = typeof record.msg === 'string' ? record.msg : typeof record.event === 'string' ? record.event : '';
  parts.push(level.color === 31 || level.color === 33 ? paint(level.color, message) : message);
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined)
    .filter(
      ([key]) => !(key === 'instanceId' && typeof record.event === 'string' && record.event.startsWith('function.')),
    )
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  if (record.err?.message !== undefined && !message.includes(record.err.message)) {
    parts.push(paint(level.color, `: ${record.err.message}`));
  }
  if (fields.length > 0) parts.push(paint(90, fields.join(' ')));
  let line = parts.join(' ');
  // The stack of an error-level record says where to look; a warning's message is enough.
  if ((record.level ?? 30) >= 50 && record.err?.stack) {
    line += `\n${paint(90, record.err.stack.split('\n').slice(1).join('\n'))}`;
  }
  return `${line}\n`;
}

/** A pino destination that writes readable lines to `stream` (stderr). */
export function prettyDestination(stream: NodeJS.WriteStream = process.stderr): { write(line: string): void } {
  const colors = colorsFor(stream);
  return {
    write(line: string): void {
      stream.write(formatPrettyLine(line, colors));
    },
  };
}
