// The merchant's calendar: which day (YYYY-MM-DD) an instant falls on in the merchant's time zone, when a day starts and
// ends there, and business days (Monday to Friday there) for the graces Airwallex's booking takes. Pure, no clock.

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `timeZone` is an IANA zone this runtime knows (Asia/Shanghai, UTC, …). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone }).format(0);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of `timeZone` at `at`: its calendar day and hour, minute, second, and weekday (0 Sunday). */
function wallClock(at: number, timeZone: string): { day: string; hour: number; minute: number; second: number; weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', weekday: 'short',
    })
      .formatToParts(new Date(at))
      .map((part) => [part.type, part.value]),
  );
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday),
  };
}

/** The merchant's day `at` falls on. */
export function dayOf(at: number, timeZone: string): string {
  return wallClock(at, timeZone).day;
}

/** Minutes since midnight of `at` on the merchant's clock. */
export function minuteOfDay(at: number, timeZone: string): number {
  const wall = wallClock(at, timeZone);
  return wall.hour * 60 + wall.minute;
}

/** Whether `text` is a real calendar day written YYYY-MM-DD. */
export function isDay(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const match = DAY.exec(text);
  if (!match) return false;
  const utc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(utc).toISOString().slice(0, 10) === text;
}

/** `day` moved by `days` calendar days (negative: back). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instant `day` starts in `timeZone` (its first millisecond there). */
export function dayStartMs(day: string, timeZone: string): number {
  if (!isDay(day)) throw new RangeError(`not a day: ${JSON.stringify(day)} (YYYY-MM-DD)`);
  const utc = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset at a guess, then at the answer: they differ only around a change of offset (DST).
  const offsetAt = (at: number) => {
    const wall = wallClock(at, timeZone);
    return Date.parse(`${wall.day}T${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}:${String(wall.second).padStart(2, '0')}Z`) - Math.floor(at / 1000) * 1000;
  };
  const first = utc - offsetAt(utc);
  return utc - offsetAt(first);
}

/** [start, end) of `day` in `timeZone`: 24 hours, or 23 or 25 around a change of offset. */
export function dayWindow(day: string, timeZone: string): { from: number; to: number } {
  return { from: dayStartMs(day, timeZone), to: dayStartMs(addDays(day, 1), timeZone) };
}

/** `count` business days (Monday to Friday on the merchant's calendar) after `at`: the same time of day, weekends skipped. */
export function addBusinessDays(at: number, count: number, timeZone: string): number {
  let t = at;
  for (let left = count; left > 0; ) {
    t += DAY_MS;
    const weekday = wallClock(t, timeZone).weekday;
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return t;
}
