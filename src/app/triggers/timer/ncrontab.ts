// NCRONTAB, the cron dialect of Azure Functions' timer trigger, read by its own rules and handed to croner as the plain
// numeric pattern it means. NCRONTAB differs from the cron croner speaks in small ways that change when a function
// runs, so the fields are read here and croner does only the calendar (month lengths, leap years, time zones, DST):
// - six fields `{second} {minute} {hour} {day} {month} {day-of-week}`, or five without the seconds (Azure takes both);
// - a name is any prefix of an English month or day name, any case (`Jan`, `january`, `Mon`, `Tues`);
// - `a-b` with a > b is the range b-a, `a/n` is `a-max/n`, a step of 0 is a step of 1;
// - day-of-week is 0-6 (Sunday is 0; 7 is out of range), and a day must match both day and day-of-week when both
//   are restricted (`0 0 0 13 * 5` is Friday the 13th, where Vixie cron would run on every 13th and every Friday);
// - no `?`, `L`, `W` or `#`.

/** A schedule field NCRONTAB refused, with its reason (the message names the field as NCRONTAB does). */
export class NcrontabError extends Error {}

interface Field {
  readonly kind: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const FIELDS: readonly Field[] = [
  { kind: 'Second', min: 0, max: 59 },
  { kind: 'Minute', min: 0, max: 59 },
  { kind: 'Hour', min: 0, max: 23 },
  { kind: 'Day', min: 1, max: 31 },
  { kind: 'Month', min: 1, max: 12, names: MONTHS },
  {
    kind: 'DayOfWeek',
    min: 0,
    max: 6,
    names: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  },
];

/** The values each field allows, seconds first (a five-field expression gets seconds `0`). */
export interface NcrontabFields {
  readonly second: readonly number[];
  readonly minute: readonly number[];
  readonly hour: readonly number[];
  readonly day: readonly number[];
  readonly month: readonly number[];
  readonly dayOfWeek: readonly number[];
}

/** Reads an NCRONTAB expression; throws NcrontabError saying which field is wrong and why. */
export function parseNcrontab(expression: string): NcrontabFields {
  const tokens = expression.split(' ').filter((t) => t !== '');
  if (tokens.length !== 6 && tokens.length !== 5) {
    throw new NcrontabError(
      `it has ${String(tokens.length)} field${tokens.length === 1 ? '' : 's'}; NCRONTAB needs 6: ` +
        '{second} {minute} {hour} {day} {month} {day-of-week}',
    );
  }
  const six = tokens.length === 6 ? tokens : ['0', ...tokens];
  const [second, minute, hour, day, month, dayOfWeek] = FIELDS.map((field, i) => parseField(field, six[i]!));
  return { second: second!, minute: minute!, hour: hour!, day: day!, month: month!, dayOfWeek: dayOfWeek! };
}

/** The numeric pattern croner reads (six fields, `*` for a full field); run it with `domAndDow: true`. */
export function toCronerPattern(fields: NcrontabFields): string {
  const parts = [fields.second, fields.minute, fields.hour, fields.day, fields.month, fields.dayOfWeek];
  return parts.map((values, i) => (isFull(values, FIELDS[i]!) ? '*' : values.join(','))).join(' ');
}

/**
 * Whether an expression fires more often than once a minute: several seconds, and every minute, hour, day, month and
 * day of week (Azure then turns its schedule monitor off by default).
 */
export function firesWithinEveryMinute(fields: NcrontabFields): boolean {
  const minuteAndAbove = [fields.minute, fields.hour, fields.day, fields.month, fields.dayOfWeek];
  return fields.second.length > 1 && minuteAndAbove.every((values, i) => isFull(values, FIELDS[i + 1]!));
}

/** Whether a field allows every value (`*`, or a list or range that covers them all). */
function isFull(values: readonly number[], field: Field): boolean {
  return values.length === field.max - field.min + 1;
}

function parseField(field: Field, text: string): number[] {
  const values = new Set<number>();
  try {
    addValues(field, text, values);
  } catch (err) {
    if (!(err instanceof NcrontabError)) throw err;
    throw new NcrontabError(`'${text}' is not a valid ${field.kind} field: ${err.message}`);
  }
  return [...values].sort((a, b) => a - b);
}

function addValues(field: Field, text: string, into: Set<number>): void {
  if (text.includes(',')) {
    for (const item of text.split(',')) {
      if (item === '') throw new NcrontabError('a list has an empty item');
      addValues(field, item, into);
    }
    return;
  }
  let step: number | undefined;
  let range = text;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const stepText = text.slice(slash + 1);
    if (slash === 0 || !/^\d+$/.test(stepText)) throw new NcrontabError(`'${text}' is not a step (use */n or a-b/n)`);
    step = Math.max(1, Number(stepText));
    range = text.slice(0, slash);
  }
  let first: number;
  let last: number;
  if (range === '*') {
    first = field.min;
    last = field.max;
  } else if (range.indexOf('-') > 0) {
    const dash = range.indexOf('-');
    first = valueOf(field, range.slice(0, dash));
    last = valueOf(field, range.slice(dash + 1));
    if (first > last) [first, last] = [last, first];
  } else {
    first = valueOf(field, range);
    last = step === undefined ? first : field.max;
  }
  for (let v = first; v <= last; v += step ?? 1) into.add(v);
}

function valueOf(field: Field, text: string): number {
  if (text === '') throw new NcrontabError('a value is empty');
  let value: number;
  if (/^\d+$/.test(text)) {
    value = Number(text);
  } else if (/^[A-Za-z]+$/.test(text) && field.names) {
    const index = field.names.findIndex((name) => name.toLowerCase().startsWith(text.toLowerCase()));
    if (index < 0) throw new NcrontabError(`'${text}' is not a known name; use one of ${field.names.join(', ')}`);
    value = index + field.min;
  } else {
    throw new NcrontabError(
      `'${text}' is not a value` +
        (field.names ? ` (a number from ${field.min} to ${field.max}, or a name)` : ` (${field.min} to ${field.max})`),
    );
  }
  if (value < field.min || value > field.max) {
    throw new NcrontabError(`${value} is out of range; the ${field.kind} field takes ${field.min} to ${field.max}`);
  }
  return value;
}
