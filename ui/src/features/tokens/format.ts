export { formatCount, formatDate, formatDateTime } from "../../components/format";
import { formatCount } from "../../components/format";

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
