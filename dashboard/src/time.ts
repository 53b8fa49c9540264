// Times as the operator chose to read them: UTC or the browser's local zone, one choice for every view (header, list,
// history, timeline), remembered in localStorage. Views read it while rendering; the shell re-renders on a change.
export type TimeZoneChoice = 'utc' | 'local';

const STORAGE = 'taskhub-timezone';

function stored(): TimeZoneChoice {
  try {
    return localStorage.getItem(STORAGE) === 'local' ? 'local' : 'utc';
  } catch {
    return 'utc';
  }
}

let choice: TimeZoneChoice = stored();

export function timeZone(): TimeZoneChoice {
  return choice;
}

export function setTimeZone(next: TimeZoneChoice): void {
  choice = next;
  try {
    localStorage.setItem(STORAGE, next);
  } catch {
    // Storage may be off (private mode): the choice still holds for this tab.
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2026-11-30 06:42:17` (with `.123` when ms), in the chosen zone; the zone is named once, by the toggle. */
export function formatTime(value: string | number, ms = false): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const utc = choice === 'utc';
  const [y, mo, da, h, mi, s, milli] = utc
    ? [
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
        d.getUTCMilliseconds(),
      ]
    : [
        d.getFullYear(),
        d.getMonth() + 1,
        d.getDate(),
        d.getHours(),
        d.getMinutes(),
        d.getSeconds(),
        d.getMilliseconds(),
      ];
  return `${y}-${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}${ms ? `.${pad(milli, 3)}` : ''}`;
}

/** Time of day only (the timeline's axis). */
export function formatClock(value: string | number): string {
  return formatTime(value).slice(11);
}

/** The zone's short name for labels: 'UTC', or the browser's offset such as 'UTC+01:00'. */
export function zoneLabel(at = Date.now()): string {
  if (choice === 'utc') return 'UTC';
  const offset = -new Date(at).getTimezoneOffset();
  if (offset === 0) return 'local (UTC)';
  const sign = offset > 0 ? '+' : '-';
  return `local (UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)})`;
}
