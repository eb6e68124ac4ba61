import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { queryKeys } from "../../app/api";
import { NOTIFICATIONS_SETTING_KEY } from "../../app/notifications";
import { setNotifier, type DesktopNotification } from "../../platform";
import { FAKE_NOW } from "../../test/clock";
import { fakeAlert, fakeDepot, type FakeAlert } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

// Issue 16: desktop notifications for alerts, and the setting that turns them off.

afterEach(() => setNotifier(null));

/** The desktop app's notifier, recording what it shows. */
function desktop(permitted = true) {
  const sent: DesktopNotification[] = [];
  let asked = 0;
  setNotifier({
    available: true,
    permitted: () => {
      asked += 1;
      return Promise.resolve(permitted);
    },
    send: (notification) => {
      sent.push(notification);
      return Promise.resolve();
    },
  });
  return { sent, asked: () => asked };
}

function alert(key: string, severity: FakeAlert["severity"], more: Partial<FakeAlert> = {}) {
  return fakeAlert({
    key,
    kind: "syncFailing",
    severity,
    subject: { kind: "token", id: key, name: `Token ${key}` },
    since: "2026-05-01T00:00:00Z",
    message: `Alert ${key}`,
    action: "Look at Sync.",
    ...more,
  });
}

const WEEK_LATER = new Date(FAKE_NOW + 7 * 24 * 3_600_000).toISOString();

describe("the Notifications setting", () => {
  it("is on by default in the desktop app, and remembers being turned off", async () => {
    desktop();
    const { user } = renderApp({ handlers: fakeDepot().handlers, at: "#/settings" });
    const toggle = await screen.findByRole("switch", { name: "Desktop notifications for alerts" });
    expect(toggle).toBeChecked();
    await user.click(toggle);
    expect(toggle).not.toBeChecked();
    expect(window.localStorage.getItem(NOTIFICATIONS_SETTING_KEY)).toBe("off");
    await user.click(toggle);
    expect(toggle).toBeChecked();
    expect(window.localStorage.getItem(NOTIFICATIONS_SETTING_KEY)).toBeNull();
  });

  it("says in a browser that notifications are a desktop-app feature", async () => {
    renderApp({ handlers: fakeDepot().handlers, at: "#/settings" });
    expect(await screen.findByTestId("settings-notifications-desktop-only")).toHaveTextContent(
      "a feature of the Depot desktop app",
    );
    expect(screen.queryByRole("switch")).not.toBeInTheDocument();
  });
});

describe("desktop notifications", () => {
  it("notifies each warning and critical alert once, not info nor snoozed ones", async () => {
    const notes = desktop();
    const depot = fakeDepot({
      alerts: [
        alert("crit", "critical"),
        alert("quiet", "critical", { snoozedUntil: WEEK_LATER, snoozedBy: "bo" }),
        alert("warn", "warning"),
        alert("info", "info"),
      ],
    });
    const { client } = renderApp({ handlers: depot.handlers, at: "#/settings" });
    await waitFor(() =>
      expect(notes.sent.map((n) => n.body)).toEqual(["Alert crit", "Alert warn"]),
    );

    // Fetched again, nothing new: nothing more.
    await client.refetchQueries({ queryKey: queryKeys.alerts });
    // A new one, and one that got worse.
    depot.state.alerts = [
      alert("crit", "critical"),
      alert("warn", "critical"),
      alert("new", "warning"),
    ];
    await client.refetchQueries({ queryKey: queryKeys.alerts });
    await waitFor(() => expect(notes.sent).toHaveLength(4));
    expect(notes.sent.slice(2).map((n) => n.body)).toEqual(["Alert warn", "Alert new"]);
  });

  it("shows nothing while the setting is off", async () => {
    window.localStorage.setItem(NOTIFICATIONS_SETTING_KEY, "off");
    const notes = desktop();
    const depot = fakeDepot({ alerts: [alert("crit", "critical")] });
    const { backend } = renderApp({ handlers: depot.handlers, at: "#/settings" });
    await screen.findByTestId("critical-banner");
    await waitFor(() => expect(backend.calls.some((c) => c.name === "alerts.list")).toBe(true));
    expect(notes.sent).toEqual([]);
    expect(notes.asked()).toBe(0);
  });

  it("shows nothing, and no error, when the operating system refuses", async () => {
    const notes = desktop(false);
    const depot = fakeDepot({ alerts: [alert("crit", "critical")] });
    renderApp({ handlers: depot.handlers, at: "#/settings" });
    await waitFor(() => expect(notes.asked()).toBe(1));
    expect(notes.sent).toEqual([]);
    expect(await screen.findByTestId("settings-notifications")).toBeInTheDocument();
  });
});
