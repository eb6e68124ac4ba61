const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "short",
});
const numberFormat = new Intl.NumberFormat();

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** "in 12 days", "tomorrow", "today", "3 days ago". */
export function daysLeftText(daysLeft: number): string {
  if (daysLeft === 0) return "expires today";
  if (daysLeft === 1) return "1 day left";
  if (daysLeft > 1) return `${formatCount(daysLeft)} days left`;
  if (daysLeft === -1) return "expired yesterday";
  return `expired ${formatCount(-daysLeft)} days ago`;
}

/** Loose check that an Apple ID is email-shaped; the backend decides for real. */
export function isEmailShaped(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}
