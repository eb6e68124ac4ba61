import type { AlertDto } from "../bindings/AlertDto";
import { now } from "./clock";
import { PATHS, TOKEN_PATHS, hrefTo } from "./paths";

export type { AlertDto } from "../bindings/AlertDto";

/**
 * Whether an admin snoozed the alert and the snooze still lasts. The backend
 * ends a snooze early when the alert gets worse; a list fetched a while ago
 * may hold one that ran out since.
 */
export function isSnoozed(alert: AlertDto, at: number = now()): boolean {
  if (alert.snoozedUntil === null) return false;
  const until = Date.parse(alert.snoozedUntil);
  return Number.isNaN(until) || until > at;
}

/** Where an alert's fix is: the page the admin goes to. */
export function alertHref(alert: AlertDto): string {
  const { subject } = alert;
  switch (alert.kind) {
    case "syncFailing":
    case "syncStale":
      return hrefTo("sync");
    case "noDefaultProfile":
      return subject.kind === "token"
        ? `#${PATHS.profiles}?token=${encodeURIComponent(subject.id)}`
        : hrefTo("profiles");
    case "devicesCoolingDown":
    case "runFailed":
      return hrefTo("devices");
    default:
      break;
  }
  switch (subject.kind) {
    case "token":
      return `#${TOKEN_PATHS.detail(subject.id)}`;
    case "vppToken":
      return hrefTo("vpp");
    case "run":
      return hrefTo("devices");
    case "orgAccount":
      return hrefTo("organisation");
    case "webhook":
      return hrefTo("settings");
  }
}

/** What the link to an alert's fix says. */
export function alertLinkText(alert: AlertDto): string {
  switch (alert.subject.kind) {
    case "token":
      return alert.kind === "syncFailing" || alert.kind === "syncStale"
        ? "Open Sync"
        : alert.kind === "noDefaultProfile"
          ? "Open the token's profiles"
          : `Open ${alert.subject.name}`;
    case "vppToken":
      return "Open Apps and Books tokens";
    case "run":
      return "Open Devices";
    case "orgAccount":
      return "Open Organisation";
    case "webhook":
      return "Open Settings";
  }
}
