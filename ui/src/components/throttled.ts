import { formatCount, formatDateTime } from "./format";

// How an assignment run's throttled serials read (issue 11): serials Apple
// still throttled when a run ended are kept, and a follow-up run sends them
// once Apple allows. Shared by the device list's run view and a profile's
// re-assignment progress.

type Throttling = { throttled: number; throttledKept: number };

/** The throttled line of a run's outcome counts; `null` when there are none. */
export function throttledLine({ throttled, throttledKept }: Throttling): string | null {
  if (throttled === 0) return null;
  if (throttledKept === 0)
    return `${formatCount(throttled)} throttled by Apple (tried again later)`;
  return `${formatCount(throttledKept)} throttled by Apple, kept and sent by a later run once Apple allows`;
}

/** A follow-up run that is not due yet: "Waiting until Jun 1, 2026, 3:00 PM…"; otherwise `null`. */
export function waitingTitle(run: { waitingUntil: string | null; total: number }): string | null {
  if (run.waitingUntil === null) return null;
  const devices = `${formatCount(run.total)} ${run.total === 1 ? "device" : "devices"}`;
  return `Waiting until ${formatDateTime(run.waitingUntil)}: Apple asked Depot to wait before sending ${devices}`;
}
