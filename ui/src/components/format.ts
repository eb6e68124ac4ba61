// Dates and counts as the admin's locale writes them, in one place.

/**
 * The admin's locale. A machine without one (the POSIX "C" locale, which ICU
 * calls en-US-POSIX) would print 200000 instead of 200,000: read it as US English.
 */
function machineLocale(): string | undefined {
  return /posix/i.test(new Intl.NumberFormat().resolvedOptions().locale) ? "en-US" : undefined;
}

type Formats = {
  date: Intl.DateTimeFormat;
  day: Intl.DateTimeFormat;
  dateTime: Intl.DateTimeFormat;
  seconds: Intl.DateTimeFormat;
  number: Intl.NumberFormat;
  relative: Intl.RelativeTimeFormat;
};

function formatsFor(locale: string | undefined, timeZone: string | undefined): Formats {
  return {
    date: new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone }),
    // A calendar day is the same day everywhere: read and written in UTC.
    day: new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }),
    dateTime: new Intl.DateTimeFormat(locale, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone,
    }),
    seconds: new Intl.DateTimeFormat(locale, {
      dateStyle: "medium",
      timeStyle: "medium",
      timeZone,
    }),
    number: new Intl.NumberFormat(locale),
    relative: new Intl.RelativeTimeFormat(locale, { numeric: "auto" }),
  };
}

let formats = formatsFor(machineLocale(), undefined);

/**
 * Formats with `locale` in `timeZone` instead of the machine's (tests, which
 * must not depend on where they run). `null` goes back to the machine's.
 */
export function setFormatLocale(settings: { locale: string; timeZone: string } | null): void {
  formats = settings
    ? formatsFor(settings.locale, settings.timeZone)
    : formatsFor(machineLocale(), undefined);
}

/** "in 3 hours", "yesterday". */
export function formatRelative(value: number, unit: Intl.RelativeTimeFormatUnit): string {
  return formats.relative.format(value, unit);
}

function format(iso: string | null, with_: Intl.DateTimeFormat): string {
  if (iso === null) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : with_.format(date);
}

/** "Nov 26, 2026"; "—" for none; an unreadable time as given. */
export function formatDate(iso: string | null): string {
  return format(iso, formats.date);
}

/** "Nov 26, 2026, 9:49 PM"; "—" for none; an unreadable time as given. */
export function formatDateTime(iso: string | null): string {
  return format(iso, formats.dateTime);
}

/** "Nov 26, 2026, 9:49:07 PM": where seconds matter (the audit log). */
export function formatDateTimeSeconds(iso: string | null): string {
  return format(iso, formats.seconds);
}

/**
 * A calendar day (`YYYY-MM-DD`, no time or zone) as "Nov 26", the same day in
 * every time zone; anything else as given.
 */
export function formatDay(day: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const [, y, m, d] = match;
  return formats.day.format(new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))));
}

/** "200,000". */
export function formatCount(n: number): string {
  return formats.number.format(n);
}

/** "1 device", "2,500 devices". */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
