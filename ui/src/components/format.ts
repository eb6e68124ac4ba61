// Dates and counts as the admin's locale writes them, in one place.

/**
 * The admin's locale. A machine without one (the POSIX "C" locale, which ICU
 * calls en-US-POSIX) would print 200000 instead of 200,000: read it as US English.
 */
const LOCALE = /posix/i.test(new Intl.NumberFormat().resolvedOptions().locale)
  ? "en-US"
  : undefined;

const dateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" });
const secondsFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "medium" });
const numberFormat = new Intl.NumberFormat(LOCALE);

export const relativeTimeFormat = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });

function format(iso: string | null, with_: Intl.DateTimeFormat): string {
  if (iso === null) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : with_.format(date);
}

/** "Nov 26, 2026"; "—" for none; an unreadable time as given. */
export function formatDate(iso: string | null): string {
  return format(iso, dateFormat);
}

/** "Nov 26, 2026, 9:49 PM"; "—" for none; an unreadable time as given. */
export function formatDateTime(iso: string | null): string {
  return format(iso, dateTimeFormat);
}

/** "Nov 26, 2026, 9:49:07 PM": where seconds matter (the audit log). */
export function formatDateTimeSeconds(iso: string | null): string {
  return format(iso, secondsFormat);
}

/** "200,000". */
export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** "1 device", "2,500 devices". */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
