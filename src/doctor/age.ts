// Ages as people type them for `taskhub doctor` (`90s`, `15m`, `6h`, `30d`, or a plain number of seconds) and as it
// prints them back ("3 h 5 min"). Bad input is refused with the shape it wants.

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m` → 900000 (ms). Throws a sentence naming `what` for anything else. */
export function parseAge(raw: string, what: string): number {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(raw);
  const amount = match ? Number(match[1]) : NaN;
  if (!match || !Number.isSafeInteger(amount)) {
    throw new Error(`${what} must be an age such as 90s, 15m, 6h or 30d (a plain number is seconds), not '${raw}'.`);
  }
  return amount * (UNITS[(match[2] || 's').toLowerCase()] ?? 1000);
}

/** 93_000 → "1 min 33 s"; rounded to the two largest units. */
export function formatAge(ms: number): string {
  if (ms <= 0) return '0 s';
  if (ms < 1000) return 'under 1 s';
  const parts: [number, string][] = [
    [Math.floor(ms / 86_400_000), 'd'],
    [Math.floor(ms / 3_600_000) % 24, 'h'],
    [Math.floor(ms / 60_000) % 60, 'min'],
    [Math.floor(ms / 1000) % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
