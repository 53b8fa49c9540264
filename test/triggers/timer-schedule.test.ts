// Timer schedules as Azure reads them: six-field NCRONTAB (and the five-field form Azure also takes), names, steps,
// ranges, day-of-month AND day-of-week, TimeSpans; invalid ones refused with a message that says what is wrong.
import { describe, expect, it } from 'vitest';
import { parseTimerSchedule, parseTimeSpan } from '../../src/app/triggers/timer/schedule.js';

/** The next `count` occurrences after `from`, read in UTC. */
function occurrences(expression: string, from: string, count = 4): string[] {
  const schedule = parseTimerSchedule(expression, { timeZone: 'UTC' });
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < count; i++) {
    const next = schedule.next(at);
    if (!next) break;
    out.push(next.toISOString());
    at = next;
  }
  return out;
}

const FRIDAY = '2025-01-03T08:59:58.500Z';

describe('NCRONTAB schedules', () => {
  it('fires every five seconds on */5', () => {
    expect(occurrences('*/5 * * * * *', FRIDAY)).toEqual([
      '2025-01-03T09:00:00.000Z',
      '2025-01-03T09:00:05.000Z',
      '2025-01-03T09:00:10.000Z',
      '2025-01-03T09:00:15.000Z',
    ]);
  });

  it('fires at 9:30 on weekdays on 0 30 9 * * 1-5, skipping the weekend', () => {
    expect(occurrences('0 30 9 * * 1-5', FRIDAY)).toEqual([
      '2025-01-03T09:30:00.000Z',
      '2025-01-06T09:30:00.000Z',
      '2025-01-07T09:30:00.000Z',
      '2025-01-08T09:30:00.000Z',
    ]);
  });

  it('reads month and day names in any case, and any prefix of them, as NCRONTAB does', () => {
    const numeric = occurrences('0 0 12 * 1,7 1', FRIDAY, 6);
    expect(occurrences('0 0 12 * Jan,Jul Mon', FRIDAY, 6)).toEqual(numeric);
    expect(occurrences('0 0 12 * january,JULY monday', FRIDAY, 6)).toEqual(numeric);
    expect(occurrences('0 0 12 * 1,7 Mon-Tues', FRIDAY, 2)).toEqual([
      '2025-01-06T12:00:00.000Z',
      '2025-01-07T12:00:00.000Z',
    ]);
  });

  it('reads steps on ranges and on a start value, a step of 0 as 1, and a reversed range as its ordered one', () => {
    expect(occurrences('0 5/20 9 * * *', FRIDAY, 3)).toEqual([
      '2025-01-03T09:05:00.000Z',
      '2025-01-03T09:25:00.000Z',
      '2025-01-03T09:45:00.000Z',
    ]);
    expect(occurrences('0 0 1-10/3 * * *', FRIDAY, 4).map((d) => d.slice(11, 13))).toEqual(['10', '01', '04', '07']);
    expect(occurrences('1-3/0 0 10 * * *', FRIDAY, 3).map((d) => d.slice(17, 19))).toEqual(['01', '02', '03']);
    expect(occurrences('0 0 12-10 * * *', FRIDAY, 3).map((d) => d.slice(11, 13))).toEqual(['10', '11', '12']);
  });

  it('needs both day and day-of-week when both are set: 0 0 0 13 * Fri is Friday the 13th', () => {
    expect(occurrences('0 0 0 13 * Fri', FRIDAY, 3)).toEqual([
      '2025-06-13T00:00:00.000Z',
      '2026-02-13T00:00:00.000Z',
      '2026-03-13T00:00:00.000Z',
    ]);
  });

  it('skips months without the day, and takes five fields as minute-level (seconds 0), as Azure does', () => {
    expect(occurrences('0 0 0 31 * *', FRIDAY, 3)).toEqual([
      '2025-01-31T00:00:00.000Z',
      '2025-03-31T00:00:00.000Z',
      '2025-05-31T00:00:00.000Z',
    ]);
    expect(occurrences('15 10 * * *', FRIDAY, 2)).toEqual(['2025-01-03T10:15:00.000Z', '2025-01-04T10:15:00.000Z']);
  });

  it('keeps the schedule monitor off by default only for schedules more often than once a minute', () => {
    const monitor = (e: string): boolean => parseTimerSchedule(e).monitorByDefault;
    expect(monitor('*/5 * * * * *')).toBe(false);
    expect(monitor('* * * * * *')).toBe(false);
    expect(monitor('0 * * * * *')).toBe(true);
    expect(monitor('*/5 0-58 * * * *')).toBe(true);
    expect(monitor('0 30 9 * * 1-5')).toBe(true);
    expect(monitor('00:00:10')).toBe(false);
    expect(monitor('00:01:00')).toBe(true);
  });

  it('knows its own occurrences (a stored next that is not one means the schedule changed)', () => {
    const schedule = parseTimerSchedule('0 30 9 * * 1-5', { timeZone: 'UTC' });
    expect(schedule.isOccurrence(new Date('2025-01-06T09:30:00.000Z'))).toBe(true);
    expect(schedule.isOccurrence(new Date('2025-01-04T09:30:00.000Z'))).toBe(false);
    expect(schedule.isOccurrence(new Date('2025-01-06T09:30:00.500Z'))).toBe(false);
  });

  it('reads the schedule in a time zone (WEBSITE_TIME_ZONE)', () => {
    const paris = parseTimerSchedule('0 0 9 * * *', { timeZone: 'Europe/Paris' });
    expect(paris.next(new Date(FRIDAY))?.toISOString()).toBe('2025-01-04T08:00:00.000Z');
  });
});

describe('TimeSpan schedules', () => {
  it('reads hh:mm:ss, hh:mm, d.hh:mm:ss, and 24:00:00 and above as dd:hh:mm, as .NET does', () => {
    expect(parseTimeSpan('00:00:10')).toBe(10_000);
    expect(parseTimeSpan('01:30:00')).toBe(5_400_000);
    expect(parseTimeSpan('00:30')).toBe(1_800_000);
    expect(parseTimeSpan('1.02:00:00')).toBe(93_600_000);
    expect(parseTimeSpan('24:00:00')).toBe(24 * 86_400_000);
    expect(parseTimeSpan('00:00:00.5')).toBe(500);
    expect(parseTimeSpan('00:61:00')).toBeUndefined();
    expect(parseTimeSpan('5 minutes')).toBeUndefined();
  });

  it('fires on a grid of the interval that every worker computes alike', () => {
    expect(occurrences('00:00:10', FRIDAY, 3)).toEqual([
      '2025-01-03T09:00:00.000Z',
      '2025-01-03T09:00:10.000Z',
      '2025-01-03T09:00:20.000Z',
    ]);
    expect(parseTimerSchedule('00:00:10').adjustForDST).toBe(false);
  });
});

describe('invalid schedules', () => {
  const error = (expression: string): string => {
    try {
      parseTimerSchedule(expression);
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' });
      return (err as Error).message;
    }
    throw new Error(`'${expression}' was accepted`);
  };

  it.each([
    ['0 0 25 * * *', "'25' is not a valid Hour field: 25 is out of range; the Hour field takes 0 to 23"],
    ['0 0 0 * * 7', "'7' is not a valid DayOfWeek field: 7 is out of range; the DayOfWeek field takes 0 to 6"],
    ['0 0 0 0 * *', "'0' is not a valid Day field: 0 is out of range"],
    ['0 0 0 1 Jane *', "'Jane' is not a known name; use one of January"],
    ['0 0 0 * * L', "'L' is not a valid DayOfWeek field: 'L' is not a known name"],
    ['0 0 0 ? * *', "'?' is not a valid Day field: '?' is not a value"],
    ['0 0 0 * * 5#3', "'5#3' is not a valid DayOfWeek field"],
    ['*/x * * * * *', "'*/x' is not a step"],
    ['1,,2 * * * * *', 'a list has an empty item'],
    ['* * * * * * *', 'it has 7 fields; NCRONTAB needs 6'],
    ['* * * *', 'it has 4 fields'],
    ['0 0 0 30 2 *', 'it has no occurrence'],
    ['every 5 minutes', 'it has 3 fields'],
    ['soon', 'neither an NCRONTAB expression nor a TimeSpan'],
    ['00:00:00', 'a TimeSpan schedule must be longer than zero'],
    ['00:61:00', 'neither an NCRONTAB expression nor a TimeSpan'],
  ])('refuses %s', (expression, why) => {
    const message = error(expression);
    expect(message).toContain(`The schedule '${expression}' is not valid: `);
    expect(message).toContain(why);
    expect(message).toContain("six-field NCRONTAB '{second} {minute} {hour} {day} {month} {day-of-week}'");
  });
});
