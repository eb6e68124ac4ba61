import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setSession } from "../../platform";
import { formatDateTime } from "../../components/format";
import { FAKE_NOW } from "../../test/clock";
import { failure } from "../../test/fakeBackend";
import { fakeDepot, type FakeAlert } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

// Issue 16: an admin snoozes an alert for a while; it moves to "Snoozed",
// leaves the banner, and comes back with "Unsnooze".

afterEach(() => setSession(null));

const WEEK_LATER = new Date(FAKE_NOW + 7 * 24 * 3_600_000).toISOString();

const expired: FakeAlert = {
  key: "tokenExpired:1",
  kind: "tokenExpired",
  severity: "critical",
  subject: { kind: "token", id: "1", name: "Retail West" },
  since: "2026-05-02T00:00:00Z",
  message: "The enrollment program token 'Retail West' expired on 2026-05-02.",
  action: "Download a new server token and renew it in Depot.",
};

const licences: FakeAlert = {
  key: "licencesLow:3",
  kind: "licencesLow",
  severity: "warning",
  subject: { kind: "vppToken", id: "3", name: "HQ Apps" },
  since: "2026-05-01T00:00:00Z",
  message: "40 devices wait for the Company Portal, but only 10 licences are available.",
  action: "Buy more licences.",
};

const asRole = (role: string, actions: string[]) =>
  setSession({
    signInRequired: true,
    current: () => Promise.resolve({ name: "ana@example.org", role, scopeTags: [], actions }),
    signIn: () => Promise.reject(new Error("unused")),
    signOut: () => Promise.resolve(),
  });

describe("snoozing alerts", () => {
  it("snoozes an alert for the chosen days; it moves to Snoozed and leaves the banner", async () => {
    const depot = fakeDepot({ alerts: [expired, licences] });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/dashboard" });
    const card = await screen.findByTestId("needs-attention");
    expect(await screen.findByTestId("critical-banner")).toBeInTheDocument();

    await user.click(await within(card).findByTestId("alert-snooze-tokenExpired:1"));
    expect(screen.getAllByRole("menuitem").map((item) => item.textContent)).toEqual([
      "1 day",
      "3 days",
      "7 days",
      "30 days",
    ]);
    await user.click(screen.getByTestId("alert-snooze-tokenExpired:1-168"));

    await waitFor(() =>
      expect(backend.calls.filter((c) => c.name === "alerts.snooze")).toEqual([
        { name: "alerts.snooze", payload: { key: "tokenExpired:1", hours: 168 } },
      ]),
    );
    const toggle = await within(card).findByTestId("alerts-snoozed-toggle");
    expect(toggle).toHaveTextContent("Snoozed (1)");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    const active = within(card).getByRole("list", { name: "Alerts, worst first" });
    expect(
      within(active)
        .getAllByRole("listitem")
        .map((i) => i.dataset.kind),
    ).toEqual(["licencesLow"]);
    await waitFor(() => expect(screen.queryByTestId("critical-banner")).not.toBeInTheDocument());
  });

  it("lists snoozed alerts folded away, each with until when, by whom, and Unsnooze", async () => {
    const depot = fakeDepot({
      alerts: [{ ...expired, snoozedUntil: WEEK_LATER, snoozedBy: "bo@example.org" }, licences],
    });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/dashboard" });
    const card = await screen.findByTestId("needs-attention");
    const toggle = await within(card).findByTestId("alerts-snoozed-toggle");
    expect(within(card).queryByTestId("alerts-snoozed")).not.toBeInTheDocument();
    expect(within(card).queryByTestId("alert-tokenExpired:1")).not.toBeInTheDocument();

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const snoozed = within(card).getByTestId("alerts-snoozed");
    expect(within(snoozed).getByTestId("alert-snoozed-tokenExpired:1")).toHaveTextContent(
      `Snoozed until ${formatDateTime(WEEK_LATER)} by bo@example.org.`,
    );

    await user.click(within(snoozed).getByTestId("alert-unsnooze-tokenExpired:1"));
    await waitFor(() =>
      expect(backend.calls.filter((c) => c.name === "alerts.unsnooze")).toEqual([
        { name: "alerts.unsnooze", payload: { key: "tokenExpired:1" } },
      ]),
    );
    await waitFor(() =>
      expect(within(card).queryByTestId("alerts-snoozed-toggle")).not.toBeInTheDocument(),
    );
    const active = within(card).getByRole("list", { name: "Alerts, worst first" });
    expect(
      within(active)
        .getAllByRole("listitem")
        .map((i) => i.dataset.kind),
    ).toEqual(["tokenExpired", "licencesLow"]);
    expect(await screen.findByTestId("critical-banner")).toBeInTheDocument();
  });

  it("keeps a snoozed critical alert out of the banner, and the calm message says why", async () => {
    const depot = fakeDepot({
      alerts: [{ ...expired, snoozedUntil: WEEK_LATER, snoozedBy: "bo@example.org" }],
    });
    renderApp({ handlers: depot.handlers, at: "#/dashboard" });
    const card = await screen.findByTestId("needs-attention");
    expect(await within(card).findByTestId("needs-attention-none")).toHaveTextContent(
      "Nothing needs attention but what was snoozed.",
    );
    expect(within(card).getByTestId("alerts-snoozed-toggle")).toHaveTextContent("Snoozed (1)");
    expect(screen.queryByTestId("critical-banner")).not.toBeInTheDocument();
  });

  it("shows a read-only person the alerts and the snoozed ones, without Snooze or Unsnooze", async () => {
    asRole("helpdesk", ["read", "export", "assign", "sync"]);
    const depot = fakeDepot({
      alerts: [licences, { ...expired, snoozedUntil: WEEK_LATER, snoozedBy: "bo@example.org" }],
    });
    const { user } = renderApp({ handlers: depot.handlers, at: "#/dashboard" });
    const card = await screen.findByTestId("needs-attention");
    expect(await within(card).findByTestId("alert-licencesLow:3")).toBeInTheDocument();
    expect(within(card).queryByTestId("alert-snooze-licencesLow:3")).not.toBeInTheDocument();
    await user.click(within(card).getByTestId("alerts-snoozed-toggle"));
    expect(within(card).getByTestId("alert-snoozed-tokenExpired:1")).toBeInTheDocument();
    expect(within(card).queryByTestId("alert-unsnooze-tokenExpired:1")).not.toBeInTheDocument();
  });

  it("says when a snooze fails", async () => {
    const depot = fakeDepot({ alerts: [licences] });
    const { user } = renderApp({
      handlers: {
        ...depot.handlers,
        "alerts.snooze": () => failure("FORBIDDEN", "Your role may not do that."),
      },
      at: "#/dashboard",
    });
    const card = await screen.findByTestId("needs-attention");
    await user.click(await within(card).findByTestId("alert-snooze-licencesLow:3"));
    await user.click(screen.getByTestId("alert-snooze-licencesLow:3-24"));
    expect(await within(card).findByTestId("alert-snooze-error")).toHaveTextContent(
      "Couldn't snooze the alert",
    );
  });
});
