import { afterEach, describe, expect, it } from "vitest";
import type { AlertDto } from "../bindings/AlertDto";
import { FAKE_NOW } from "../test/clock";
import { fakeAlert, type FakeAlert } from "../test/fakeDepot";
import {
  BURST_LIMIT,
  NOTIFIED_STORAGE_KEY,
  notificationsEnabled,
  notifyAlerts,
  setNotificationsEnabled,
  type DesktopNotification,
  type NotifyOptions,
} from "./notifications";

function alert(key: string, severity: AlertDto["severity"], more: Partial<FakeAlert> = {}) {
  return fakeAlert({
    key,
    kind: "tokenExpiring",
    severity,
    subject: { kind: "token", id: key, name: `Token ${key}` },
    since: "2026-05-01T00:00:00Z",
    message: `Alert ${key} (${severity})`,
    action: "Renew it.",
    ...more,
  });
}

/** Runs the notifier once with a recording `send`; resolves with what it showed. */
async function run(
  alerts: AlertDto[],
  options: Partial<NotifyOptions> = {},
): Promise<DesktopNotification[]> {
  const sent: DesktopNotification[] = [];
  await notifyAlerts(alerts, { send: (n) => void sent.push(n), ...options });
  return sent;
}

const HOUR = 3_600_000;

describe("desktop notifications for alerts", () => {
  afterEach(() => window.localStorage.clear());

  it("notifies a new alert once, and again when its severity changes", async () => {
    const sent = await run([alert("a", "warning")]);
    expect(sent).toEqual([{ title: "Depot: needs attention", body: "Alert a (warning)" }]);
    expect(await run([alert("a", "warning")])).toEqual([]);

    const worse = await run([alert("a", "critical")]);
    expect(worse).toEqual([{ title: "Depot: needs attention now", body: "Alert a (critical)" }]);
    expect(await run([alert("a", "critical")])).toEqual([]);
    // Better is a change too.
    expect(await run([alert("a", "warning")])).toHaveLength(1);
  });

  it("notifies again an alert that went away and came back", async () => {
    expect(await run([alert("a", "warning"), alert("b", "critical")])).toHaveLength(2);
    expect(await run([alert("b", "critical")])).toEqual([]);
    expect(JSON.parse(window.localStorage.getItem(NOTIFIED_STORAGE_KEY) ?? "")).toEqual({
      b: "critical",
    });
    expect(await run([alert("a", "warning"), alert("b", "critical")])).toEqual([
      { title: "Depot: needs attention", body: "Alert a (warning)" },
    ]);
  });

  it("never notifies info alerts", async () => {
    expect(await run([alert("i", "info")])).toEqual([]);
    expect(await run([alert("i", "info")])).toEqual([]);
    // Info that becomes a warning is news.
    expect(await run([alert("i", "warning")])).toHaveLength(1);
  });

  it("never notifies a snoozed alert, nor one whose snooze ends on the same severity", async () => {
    const until = new Date(FAKE_NOW + 24 * HOUR).toISOString();
    const snoozed = alert("s", "critical", { snoozedUntil: until, snoozedBy: "ana" });
    expect(await run([snoozed])).toEqual([]);
    // Not notified before the snooze: the first notification comes when it ends.
    expect(await run([alert("s", "critical")])).toHaveLength(1);

    expect(await run([alert("s", "critical", { snoozedUntil: until })])).toEqual([]);
    expect(await run([alert("s", "critical")])).toEqual([]);
    // A snooze that ran out since the list was fetched hides nothing.
    const past = new Date(FAKE_NOW - HOUR).toISOString();
    expect(await run([alert("t", "warning", { snoozedUntil: past })])).toHaveLength(1);
  });

  it("sends nothing while the setting is off, and not later for what was there meanwhile", async () => {
    expect(await run([alert("a", "critical")], { enabled: false })).toEqual([]);
    expect(await run([alert("a", "critical")], { enabled: true })).toEqual([]);
    expect(await run([alert("a", "critical"), alert("b", "warning")])).toHaveLength(1);
  });

  it("shows the three worst of a burst and counts the rest in one more", async () => {
    const many = ["c1", "c2", "w1", "w2", "w3"].map((key) =>
      alert(key, key.startsWith("c") ? "critical" : "warning"),
    );
    const sent = await run(many);
    expect(sent).toHaveLength(BURST_LIMIT + 1);
    expect(sent.slice(0, 3).map((n) => n.body)).toEqual([
      "Alert c1 (critical)",
      "Alert c2 (critical)",
      "Alert w1 (warning)",
    ]);
    expect(sent[3]).toEqual({
      title: "Depot: needs attention",
      body: "And 2 more need attention: see the dashboard.",
    });
    // All five count as notified.
    expect(await run(many)).toEqual([]);

    window.localStorage.clear();
    const four = await run(many.slice(0, 4));
    expect(four[3]?.body).toBe("And 1 more needs attention: see the dashboard.");
    window.localStorage.clear();
    expect(await run(many.slice(0, 3))).toHaveLength(3);
  });

  it("sends nothing when permission is refused, and never throws", async () => {
    expect(await run([alert("a", "warning")], { permitted: () => Promise.resolve(false) })).toEqual(
      [],
    );
    const failing = notifyAlerts([alert("b", "warning")], {
      send: () => Promise.reject(new Error("no notification daemon")),
    });
    await expect(failing).resolves.toEqual([]);
    // Unreadable memory is no memory.
    window.localStorage.setItem(NOTIFIED_STORAGE_KEY, "{not json");
    expect(await run([alert("c", "critical")])).toHaveLength(1);
  });

  it("remembers the setting, on unless turned off", () => {
    expect(notificationsEnabled()).toBe(true);
    setNotificationsEnabled(false);
    expect(notificationsEnabled()).toBe(false);
    setNotificationsEnabled(true);
    expect(notificationsEnabled()).toBe(true);
  });
});
