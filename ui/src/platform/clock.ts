// The UI's one clock and its one source of deliberate waits.
//
// Everything that asks "what time is it" (relative times, countdowns, file
// names with today's date) reads `now()`, and every wait the UI makes on
// purpose (debouncing, polling a running job, re-reading the clock) goes
// through `wait()`. Tests replace both: the clock with a fixed one, so no test
// depends on the real date, and the waits with short ones, so no test sleeps.
// A lint rule keeps `Date.now()` and `new Date()` out of every other file.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

const systemClock: Clock = {
  // eslint-disable-next-line no-restricted-syntax -- the one place that reads the real clock
  now: () => Date.now(),
};

let clock: Clock = systemClock;
let waitScale = 1;

/** The current time in milliseconds since the Unix epoch. */
export function now(): number {
  return clock.now();
}

/** The current time as an ISO 8601 string. */
export function nowIso(): string {
  return new Date(now()).toISOString();
}

/** Today's date as `YYYY-MM-DD` in UTC (file names). */
export function todayStamp(): string {
  return nowIso().slice(0, 10);
}

/**
 * How long to really wait for a deliberate wait of `ms` (a debounce, a poll
 * interval). Always `ms` in the app; tests shrink it.
 */
export function wait(ms: number): number {
  return Math.max(1, Math.round(ms * waitScale));
}

/** Replaces the clock (tests). `null` goes back to the system clock. */
export function setClock(replacement: Clock | null): void {
  clock = replacement ?? systemClock;
}

/** Scales every deliberate wait (tests); 1 is real time. */
export function setWaitScale(scale: number): void {
  waitScale = scale;
}
