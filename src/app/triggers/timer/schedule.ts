// A timer trigger's `schedule`, as Azure reads it: an NCRONTAB expression (`0 */5 * * * *`), else a TimeSpan
// (`hh:mm:ss`, `d.hh:mm:ss`; `24:00:00` and above read as `dd:hh:mm`). Occurrences come from croner for NCRONTAB and
// from a fixed grid for a TimeSpan, so every worker of a hub computes the same occurrences and can claim them.
import { Cron } from 'croner';
import { TaskhubError } from '../../../core/errors.js';
import { firesWithinEveryMinute, NcrontabError, parseNcrontab, toCronerPattern } from './ncrontab.js';

export interface TimerSchedule {
  /** The expression as written (after `%SETTING%` resolution). */
  readonly expression: string;
  /** The first occurrence strictly after `after`, or undefined when there is none (`0 0 0 30 2 *`). */
  next(after: Date): Date | undefined;
  /** Whether `at` is an occurrence: a stored `next` that is not one means the schedule changed since. */
  isOccurrence(at: Date): boolean;
  /**
   * Azure's default for `useMonitor`: false for schedules that fire more often than once a minute (a TimeSpan under
   * a minute, or NCRONTAB with several seconds and every minute, hour, day, month and day of week), else true.
   */
  readonly monitorByDefault: boolean;
  /** Whether Azure's timer value says `adjustForDST` (true for NCRONTAB, false for a TimeSpan). */
  readonly adjustForDST: boolean;
}

export interface TimerScheduleOptions {
  /** IANA time zone NCRONTAB occurrences are read in (Azure's WEBSITE_TIME_ZONE); default the process's local one. */
  readonly timeZone?: string;
}

const HINT =
  "use six-field NCRONTAB '{second} {minute} {hour} {day} {month} {day-of-week}' (e.g. '0 */5 * * * *') " +
  "or a TimeSpan 'hh:mm:ss' (e.g. '00:05:00')";

/**
 * Reads a schedule; throws TaskhubError INVALID_ARGUMENT naming what is wrong with it (Azure refuses to index such a
 * function: the caller names the function and leaves it unserved).
 */
export function parseTimerSchedule(expression: string, options: TimerScheduleOptions = {}): TimerSchedule {
  const text = expression.trim();
  const invalid = (why: string): TaskhubError =>
    new TaskhubError('INVALID_ARGUMENT', `The schedule '${expression}' is not valid: ${why}; ${HINT}.`);
  if (text.includes(' ')) {
    try {
      return cronSchedule(expression, text, options);
    } catch (err) {
      if (err instanceof NcrontabError) throw invalid(err.message);
      throw err;
    }
  }
  const ms = parseTimeSpan(text);
  if (ms === undefined) throw invalid('it is neither an NCRONTAB expression nor a TimeSpan');
  if (ms <= 0) throw invalid('a TimeSpan schedule must be longer than zero');
  return timeSpanSchedule(expression, ms);
}

function cronSchedule(expression: string, text: string, options: TimerScheduleOptions): TimerSchedule {
  const fields = parseNcrontab(text);
  let cron: Cron;
  try {
    cron = new Cron(toCronerPattern(fields), {
      mode: '6-part',
      domAndDow: true,
      ...(options.timeZone === undefined ? {} : { timezone: options.timeZone }),
    });
  } catch (err) {
    throw new NcrontabError((err as Error).message);
  }
  const next = (after: Date): Date | undefined => cron.nextRun(after) ?? undefined;
  if (next(new Date()) === undefined) throw new NcrontabError('it has no occurrence (a day that no month has?)');
  return {
    expression,
    next,
    isOccurrence: (at) => next(new Date(at.getTime() - 1))?.getTime() === at.getTime(),
    monitorByDefault: !firesWithinEveryMinute(fields),
    adjustForDST: true,
  };
}

/**
 * A TimeSpan schedule fires every `ms` on a grid that starts at the Unix epoch (Azure counts from the host's start;
 * a grid lets every worker of a hub agree on the occurrences without asking each other).
 */
function timeSpanSchedule(expression: string, ms: number): TimerSchedule {
  return {
    expression,
    next: (after) => new Date((Math.floor(after.getTime() / ms) + 1) * ms),
    isOccurrence: (at) => at.getTime() % ms === 0,
    monitorByDefault: ms >= 60_000,
    adjustForDST: false,
  };
}

/**
 * .NET's TimeSpan text, as Azure parses it: `d`, `hh:mm`, `hh:mm:ss`, `d.hh:mm[:ss[.fffffff]]`, and `hh:mm:ss` with
 * hh of 24 or more read as `dd:hh:mm`. Undefined when it is not one; components out of range are not one either.
 */
export function parseTimeSpan(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 86_400_000;
  const m = /^(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(?:\.(\d{1,7}))?)?$/.exec(text);
  if (!m) return undefined;
  let [days, hours, minutes, seconds] = [m[1], m[2], m[3], m[4]].map((v) => (v === undefined ? 0 : Number(v))) as [
    number,
    number,
    number,
    number,
  ];
  const fraction = m[5] === undefined ? 0 : Number(`0.${m[5]}`);
  if (m[1] === undefined && m[4] !== undefined && m[5] === undefined && hours >= 24) {
    [days, hours, minutes, seconds] = [hours, minutes, seconds, 0];
  }
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds + fraction) * 1000;
}
