import { useEffect, useState } from "react";
import { now as clockNow, wait } from "../../platform";
import { formatCount, formatDateTime, formatRelative } from "../format";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

export { formatCount, formatDateTime };

/**
 * "3 hours ago", "in 9 hours", "just now". `past` marks a moment that has
 * happened (a sync that ended): a page whose clock last ticked a few seconds
 * before it (or a server clock a little ahead) then still says "just now",
 * never "in less than a minute".
 */
export function relativeTime(iso: string, now: number, past = false): string {
  const t = parseTime(iso);
  if (t === null) return iso;
  const diff = past ? Math.min(0, t - now) : t - now;
  const abs = Math.abs(diff);
  if (abs < MINUTE) return diff <= 0 ? "just now" : "in less than a minute";
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    abs < HOUR
      ? [Math.round(diff / MINUTE), "minute"]
      : abs < DAY
        ? [Math.round(diff / HOUR), "hour"]
        : [Math.round(diff / DAY), "day"];
  return formatRelative(value, unit);
}

/** A length of time for people: "45 seconds", "12 minutes", "3 hours", "2 days". */
export function humanDuration(ms: number): string {
  const abs = Math.max(0, ms);
  const plural = (n: number, unit: string) => `${formatCount(n)} ${unit}${n === 1 ? "" : "s"}`;
  if (abs < MINUTE) return plural(Math.round(abs / SECOND), "second");
  if (abs < HOUR) return plural(Math.round(abs / MINUTE), "minute");
  if (abs < DAY) return plural(Math.round(abs / HOUR), "hour");
  return plural(Math.round(abs / DAY), "day");
}

/** A run's duration for a table cell: "42 s", "3 min 05 s", "1 h 02 min". */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / SECOND));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** A countdown: "12:34", or "1:02:03" past an hour. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / SECOND));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** Milliseconds until `iso`; 0 when it is null (now) or past. */
export function msUntil(iso: string | null, now: number): number {
  const t = parseTime(iso);
  return t === null ? 0 : Math.max(0, t - now);
}

/** The clock, re-read every `everyMs` so countdowns and "3 minutes ago" stay true. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => clockNow());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(clockNow()), wait(everyMs));
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}
