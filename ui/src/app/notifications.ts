import { useEffect, useSyncExternalStore } from "react";
import type { AlertDto } from "../bindings/AlertDto";
import type { AlertSeverity } from "../bindings/AlertSeverity";
import { notifier, type DesktopNotification } from "../platform";
import { isSnoozed } from "./alerts";
import { useAlerts } from "./api";
import { now } from "./clock";

// Desktop notifications for alerts: one per alert when it appears, and one
// more each time its severity changes. Warnings and critical alerts only;
// never info, never a snoozed alert. What was notified is remembered in
// localStorage (alert key → severity); a key whose alert is gone is
// forgotten, so an alert raised again notifies again.

export type { DesktopNotification } from "../platform";

/** localStorage: alert key → the severity last notified. */
export const NOTIFIED_STORAGE_KEY = "depot.alerts.notified";
/** localStorage: "off" when the admin turned desktop notifications off (on unless so). */
export const NOTIFICATIONS_SETTING_KEY = "depot.alerts.desktopNotifications";
/** At most this many notifications at once, then one that counts the rest. */
export const BURST_LIMIT = 3;

type Notified = Record<string, AlertSeverity>;

function storage(): Storage | null {
  try {
    return typeof window !== "undefined" ? window.localStorage : null;
  } catch {
    return null;
  }
}

function readNotified(store: Storage | null): Notified {
  try {
    const parsed: unknown = JSON.parse(store?.getItem(NOTIFIED_STORAGE_KEY) ?? "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(
        (entry): entry is [string, AlertSeverity] =>
          entry[1] === "critical" || entry[1] === "warning",
      ),
    );
  } catch {
    return {};
  }
}

function writeNotified(store: Storage | null, notified: Notified): void {
  try {
    store?.setItem(NOTIFIED_STORAGE_KEY, JSON.stringify(notified));
  } catch {
    // Storage full or refused: at worst an alert notifies once more.
  }
}

/** What one alert's notification says. */
export function alertNotification(alert: AlertDto): DesktopNotification {
  return {
    title: alert.severity === "critical" ? "Depot: needs attention now" : "Depot: needs attention",
    body: alert.message,
  };
}

/** The notification that stands for the alerts past the burst limit. */
export function moreNotification(count: number): DesktopNotification {
  return {
    title: "Depot: needs attention",
    body: `And ${count} more ${count === 1 ? "needs" : "need"} attention: see the dashboard.`,
  };
}

/**
 * Which notifications `alerts` call for, given what was notified before, and
 * what is notified after them. Pure: the caller stores and sends.
 */
export function planAlertNotifications(
  alerts: readonly AlertDto[],
  previous: Readonly<Notified>,
  at: number = now(),
): { send: DesktopNotification[]; notified: Notified } {
  const notified: Notified = {};
  const due: AlertDto[] = [];
  for (const alert of alerts) {
    const before = previous[alert.key];
    // Info never notifies; forgetting it means a return to warning notifies again.
    if (alert.severity === "info") continue;
    if (isSnoozed(alert, at)) {
      // Kept while snoozed: the snooze ending on the same severity is no news.
      if (before !== undefined) notified[alert.key] = before;
      continue;
    }
    notified[alert.key] = alert.severity;
    if (before !== alert.severity) due.push(alert);
  }
  // The list is worst first, so the burst keeps the worst.
  const send =
    due.length > BURST_LIMIT
      ? [
          ...due.slice(0, BURST_LIMIT).map(alertNotification),
          moreNotification(due.length - BURST_LIMIT),
        ]
      : due.map(alertNotification);
  return { send, notified };
}

export type NotifyOptions = {
  /** Shows one notification (the platform's; tests inject their own). */
  send: (notification: DesktopNotification) => void | Promise<void>;
  /** Whether notifications may be shown (asks the first time). Always, unless given. */
  permitted?: () => Promise<boolean>;
  /** The setting; on unless given. Off: alerts are remembered as seen, nothing is shown. */
  enabled?: boolean;
  /** Where what was notified is remembered; localStorage unless given. */
  store?: Storage | null;
  at?: number;
};

/**
 * Notifies what is new or changed in `alerts`, once: what it notified is
 * remembered before anything is sent. Resolves with what was sent; never rejects.
 */
export async function notifyAlerts(
  alerts: readonly AlertDto[],
  options: NotifyOptions,
): Promise<DesktopNotification[]> {
  const store = options.store === undefined ? storage() : options.store;
  const plan = planAlertNotifications(alerts, readNotified(store), options.at ?? now());
  writeNotified(store, plan.notified);
  if (options.enabled === false || plan.send.length === 0) return [];
  try {
    if (options.permitted && !(await options.permitted())) return [];
    for (const notification of plan.send) await options.send(notification);
    return plan.send;
  } catch {
    return [];
  }
}

// The setting, shared by every component that shows or reads it.

const listeners = new Set<() => void>();

/** Whether desktop notifications for alerts are on (the default). */
export function notificationsEnabled(): boolean {
  try {
    return storage()?.getItem(NOTIFICATIONS_SETTING_KEY) !== "off";
  } catch {
    return true;
  }
}

/** Turns desktop notifications for alerts on or off (remembered on this machine). */
export function setNotificationsEnabled(on: boolean): void {
  try {
    if (on) storage()?.removeItem(NOTIFICATIONS_SETTING_KEY);
    else storage()?.setItem(NOTIFICATIONS_SETTING_KEY, "off");
  } catch {
    // Not remembered; the switch still shows what was chosen until reload.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The setting, kept current in every component that reads it. */
export function useNotificationsEnabled(): boolean {
  return useSyncExternalStore(subscribe, notificationsEnabled, () => true);
}

/** Whether this app can show desktop notifications (the desktop app; not a browser). */
export function desktopNotificationsAvailable(): boolean {
  return notifier().available;
}

/**
 * Mounted once (Layout): sends the desktop notifications the alerts call
 * for, each time they are fetched. Nothing in a browser.
 */
export function useAlertNotifications(): void {
  const alerts = useAlerts();
  const enabled = useNotificationsEnabled();
  const data = alerts.data;
  useEffect(() => {
    const platform = notifier();
    if (!platform.available || data === undefined) return;
    void notifyAlerts(data.alerts, {
      enabled,
      send: platform.send,
      permitted: platform.permitted,
    });
  }, [data, enabled]);
}
