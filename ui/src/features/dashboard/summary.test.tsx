import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { DashboardDay } from "../../bindings/DashboardDay";
import type { DashboardSummary } from "../../bindings/DashboardSummary";
import type { DashboardToken } from "../../bindings/DashboardToken";
import { queryKeys } from "../../app/api";
import { STALE_AFTER, type Change } from "../../app/invalidation";
import { formatCount, formatDay, setFormatLocale } from "../../components/format";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

// The dashboard: counts from workspace.info, everything else from one
// dashboard.summary (no call per token).

const SYNC: DashboardToken["sync"] = {
  lastSuccessAt: "2026-05-31T22:00:00Z",
  lastErrorAt: null,
  lastError: null,
  failuresSinceSuccess: 0,
  failures30Days: 0,
  nextRunAt: "2026-06-01T06:00:00Z",
  running: false,
};

function token(
  id: string,
  name: string,
  byStatus: Record<string, number>,
  extra: Partial<DashboardToken> = {},
): DashboardToken {
  const counts = Object.entries(byStatus).map(([label, count]) => ({ label, count }));
  return {
    id,
    name,
    expiresAt: "2027-03-01T00:00:00Z",
    devices: counts.reduce((sum, c) => sum + c.count, 0),
    byStatus: counts,
    waitingForDefault: [],
    sync: SYNC,
    ...extra,
  };
}

/** 30 days ending on 2026-06-01 (the fake clock's today), `days` filled in by date. */
function days(filled: Record<string, Partial<DashboardDay>> = {}): DashboardDay[] {
  return Array.from({ length: 30 }, (_, i) => {
    const date = new Date(Date.UTC(2026, 4, 3 + i)).toISOString().slice(0, 10);
    return { date, assigned: 0, failed: 0, throttled: 0, notSent: 0, ...filled[date] };
  });
}

const SUMMARY: DashboardSummary = {
  generatedAt: "2026-06-01T00:00:00Z",
  devices: 2_040,
  tokens: [
    token(
      "tok-1",
      "Retail West",
      { empty: 1_200, assigned: 300, pushed: 480, removed: 20 },
      {
        waitingForDefault: [{ label: "macOS", count: 1_200 }],
        sync: {
          ...SYNC,
          lastErrorAt: "2026-06-01T00:00:00Z",
          lastError: "Apple was unreachable",
          failuresSinceSuccess: 2,
          failures30Days: 5,
        },
      },
    ),
    token(
      "tok-2",
      "Retail East",
      { empty: 2, assigned: 0, pushed: 38, removed: 0 },
      {
        waitingForDefault: [
          { label: "tvOS", count: 2 },
          // A platform Depot makes no profiles for is not a missing default.
          { label: "watchOS", count: 5 },
        ],
        sync: { ...SYNC, lastSuccessAt: null, nextRunAt: null, running: true },
      },
    ),
  ],
  families: [
    { label: "iPad", count: 1_500 },
    { label: "Mac", count: 500 },
    { label: "AppleTV", count: 40 },
  ],
  models: [
    { model: "iPad Pro (11-inch)", family: "iPad", count: 900 },
    { model: "MacBook Air", family: "Mac", count: 500 },
  ],
  otherModels: 640,
  assignments: days({
    "2026-05-03": { assigned: 7 },
    "2026-06-01": { assigned: 12, failed: 1, throttled: 2, notSent: 3 },
  }),
  expiries: [
    {
      kind: "vpp",
      id: "4",
      name: "Old Apps",
      expiresAt: "2026-05-30T00:00:00Z",
      daysLeft: -2,
    },
    { kind: "vpp", id: "3", name: "HQ Apps", expiresAt: "2026-06-06T00:00:00Z", daysLeft: 5 },
    {
      kind: "ade",
      id: "tok-2",
      name: "Retail East",
      expiresAt: "2026-06-21T00:00:00Z",
      daysLeft: 20,
    },
    {
      kind: "ade",
      id: "tok-1",
      name: "Retail West",
      expiresAt: "2027-03-01T00:00:00Z",
      daysLeft: 273,
    },
  ],
};

/** A workspace with the summary's two tokens, answering dashboard.summary with `summary`. */
function setup(summary: DashboardSummary = SUMMARY) {
  const depot = fakeDepot({
    tokens: [
      tokenDetail({ id: "tok-1", serverName: "Retail West" }),
      tokenDetail({ id: "tok-2", serverName: "Retail East" }),
    ],
  });
  return renderApp({
    handlers: { ...depot.handlers, "dashboard.summary": () => summary },
    at: "#/dashboard",
  });
}

afterEach(() => setFormatLocale({ locale: "en-US", timeZone: "UTC" }));

describe("dashboard: charts from one summary", () => {
  it("asks for the summary once, and for no token one by one", async () => {
    const { backend } = setup();
    expect(await screen.findByTestId("dashboard-charts")).toBeInTheDocument();
    const names = backend.calls.map((c) => c.name);
    expect(names.filter((n) => n === "dashboard.summary")).toHaveLength(1);
    expect(backend.calls.find((c) => c.name === "dashboard.summary")?.payload).toEqual({});
    expect(names).not.toContain("tokens.get");
    // The four counts and the workspace card stay.
    expect(screen.getByTestId("count-tokens")).toHaveTextContent("2");
    expect(screen.getByTestId("workspace-path")).toBeInTheDocument();
    expect(screen.queryByTestId("dashboard-next-step")).not.toBeInTheDocument();
  });

  it("draws devices per token by status, each part a link to those devices", async () => {
    setup();
    const chart = await screen.findByTestId("chart-status");
    expect(chart).toHaveAccessibleName("Devices per token by profile status");
    const empty = within(chart).getByRole("link", {
      name: `Retail West, No profile: ${formatCount(1_200)} devices`,
    });
    expect(empty).toHaveAttribute("href", "#/devices?token=tok-1&status=empty");
    expect(within(chart).getByTestId("status-tok-2-pushed")).toHaveAttribute(
      "href",
      "#/devices?token=tok-2&status=pushed",
    );
    // A status with no devices has no part to select.
    expect(within(chart).queryByTestId("status-tok-2-assigned")).not.toBeInTheDocument();
    // Parts are links: reachable with Tab like any other.
    expect(within(chart).getAllByRole("link")).toHaveLength(6);
  });

  it("shows the same figures as a table on request", async () => {
    const { user } = setup();
    const chart = await screen.findByTestId("chart-status");
    const toggle = within(chart).getByRole("button", { name: "Show as table" });
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-pressed", "true");
    const table = within(chart).getByRole("table", { name: "Devices per token by profile status" });
    const rows = within(table).getAllByRole("row");
    expect(rows[0]).toHaveTextContent("TokenNo profileAssignedPushedRemovedTotal");
    expect(rows[1]).toHaveTextContent(
      `Retail West${formatCount(1_200)}300480202,000`.replace("2,000", formatCount(2_000)),
    );
    expect(
      within(rows[1] as HTMLElement).getByRole("link", { name: formatCount(1_200) }),
    ).toHaveAttribute("href", "#/devices?token=tok-1&status=empty");
    expect(within(chart).queryByTestId("status-tok-1-empty")).not.toBeInTheDocument();
    await user.click(toggle);
    expect(within(chart).getByTestId("status-tok-1-empty")).toBeInTheDocument();
  });

  it("counts devices by family and by model, each bar a link", async () => {
    const { user } = setup();
    const families = await screen.findByTestId("chart-families");
    expect(
      within(families).getByRole("link", { name: `iPad: ${formatCount(1_500)} devices` }),
    ).toHaveAttribute("href", "#/devices?family=iPad");
    expect(within(families).getByTestId("family-AppleTV")).toHaveAccessibleName(
      "Apple TV: 40 devices",
    );
    const models = screen.getByTestId("chart-models");
    expect(within(models).getByTestId("model-iPad Pro (11-inch)")).toHaveAttribute(
      "href",
      "#/devices?family=iPad&model=iPad%20Pro%20(11-inch)",
    );
    // "Other models" is a figure, not a filter.
    expect(within(models).getByTestId("model-other")).toHaveTextContent("Other models");
    expect(within(models).getByTestId("model-other").tagName).not.toBe("A");

    await user.click(within(models).getByRole("button", { name: "Show as table" }));
    const table = within(models).getByRole("table");
    expect(table).toHaveTextContent(`MacBook Air (Mac)500`);
    expect(table).toHaveTextContent(`Other models640`);
  });

  it("stacks assignment results per day, and lists the busy days as a table", async () => {
    const { user } = setup();
    const chart = await screen.findByTestId("chart-assignments");
    expect(within(chart).getByTestId("day-2026-06-01")).toHaveAccessibleName(
      "Jun 1: 12 assigned, 1 failed, 2 throttled, 3 not sent",
    );
    expect(within(chart).getAllByRole("listitem")).toHaveLength(30 + 4); // days + legend
    await user.click(within(chart).getByRole("button", { name: "Show as table" }));
    const rows = within(within(chart).getByRole("table")).getAllByRole("row");
    expect(rows.map((r) => r.textContent)).toEqual([
      "DayAssignedFailedThrottledNot sent",
      "May 37000",
      "Jun 112123",
    ]);
  });

  it("writes a day as the same calendar day in any time zone", async () => {
    // Kiritimati is UTC+14: 2026-06-01 must not become Jun 2 there, nor May 31 at UTC-12.
    setFormatLocale({ locale: "en-US", timeZone: "Pacific/Kiritimati" });
    expect(formatDay("2026-06-01")).toBe("Jun 1");
    setFormatLocale({ locale: "en-US", timeZone: "Etc/GMT+12" });
    expect(formatDay("2026-06-01")).toBe("Jun 1");
    expect(formatDay("not a day")).toBe("not a day");

    setFormatLocale({ locale: "en-US", timeZone: "Pacific/Kiritimati" });
    setup();
    const chart = await screen.findByTestId("chart-assignments");
    expect(within(chart).getByTestId("day-2026-05-03")).toHaveAccessibleName(
      "May 3: 7 assigned, 0 failed, 0 throttled, 0 not sent",
    );
    expect(within(chart).getByTestId("day-2026-06-01")).toHaveAccessibleName(/^Jun 1:/);
  });

  it("lists expiries soonest first, coloured by urgency, each with a link", async () => {
    setup();
    const chart = await screen.findByTestId("chart-expiries");
    const items = within(chart)
      .getAllByRole("listitem")
      .filter((li) => li.dataset.testid?.startsWith("expiry-"));
    expect(items.map((i) => [i.dataset.testid, i.dataset.urgency])).toEqual([
      ["expiry-vpp-4", "danger"],
      ["expiry-vpp-3", "danger"],
      ["expiry-ade-tok-2", "warning"],
      ["expiry-ade-tok-1", "ok"],
    ]);
    expect(items[0]).toHaveTextContent("Expired");
    expect(items[1]).toHaveTextContent("5 days left");
    expect(within(items[1] as HTMLElement).getByRole("link", { name: "HQ Apps" })).toHaveAttribute(
      "href",
      "#/vpp",
    );
    expect(
      within(items[2] as HTMLElement).getByRole("link", { name: "Retail East" }),
    ).toHaveAttribute("href", "#/tokens/tok-2");
  });

  it("shows each token's sync health, with the way to the Sync page", async () => {
    setup();
    const card = await screen.findByTestId("dashboard-sync");
    expect(within(card).getByRole("link", { name: "Open Sync" })).toHaveAttribute("href", "#/sync");
    const west = within(card).getByTestId("sync-tok-1");
    expect(west).toHaveTextContent("Retail West");
    expect(west).toHaveTextContent("Apple was unreachable");
    expect(within(card).getByTestId("sync-tok-2")).toHaveTextContent("Never");
    expect(within(card).getByTestId("sync-tok-2")).toHaveTextContent("Running now");
  });

  it("says so in a sentence when a chart has nothing to draw", async () => {
    setup({
      ...SUMMARY,
      tokens: SUMMARY.tokens.map((t) => ({
        ...t,
        byStatus: t.byStatus.map((c) => ({ ...c, count: 0 })),
      })),
      assignments: days(),
    });
    expect(await screen.findByTestId("chart-assignments-empty")).toHaveTextContent(
      "No profile was assigned in the last 30 days.",
    );
    expect(screen.getByTestId("chart-status-empty")).toHaveTextContent(
      "No devices on these tokens yet.",
    );
    expect(screen.queryByTestId("chart-status-toggle")).not.toBeInTheDocument();
    expect(screen.getByTestId("chart-families-toggle")).toBeInTheDocument();
  });

  it("shows only Get started in a workspace without tokens, and asks for no summary", async () => {
    const { backend } = renderApp({ handlers: fakeDepot().handlers, at: "#/dashboard" });
    const next = await screen.findByTestId("dashboard-next-step");
    expect(within(next).getByRole("link")).toHaveAttribute("href", "#/tokens");
    expect(screen.queryByTestId("dashboard-charts")).not.toBeInTheDocument();
    expect(screen.queryByTestId("chart-status")).not.toBeInTheDocument();
    expect(backend.calls.map((c) => c.name)).not.toContain("dashboard.summary");
  });
});

// PLT-2 on the dashboard: devices without a profile whose platform has no
// default, summed over every token.

describe("dashboard: devices without a default", () => {
  it("sums each token's waiting devices and says where to set a default", async () => {
    setup();
    const card = await screen.findByTestId("dashboard-without-default");
    expect(within(card).getByTestId("count-without-default")).toHaveTextContent(formatCount(1_202));
    const mac = within(card).getByTestId("without-default-tok-1-macOS");
    expect(mac).toHaveTextContent(`${formatCount(1_200)} Macs on Retail West: no macOS default.`);
    expect(within(mac).getByRole("link", { name: "Retail West" })).toHaveAttribute(
      "href",
      "#/tokens/tok-1",
    );
    expect(within(mac).getByRole("link", { name: "Set one" })).toHaveAttribute(
      "href",
      "#/profiles?token=tok-1",
    );
    expect(within(card).getByTestId("without-default-tok-2-tvOS")).toHaveTextContent(
      "2 Apple TVs on Retail East: no tvOS default.",
    );
    expect(within(card).queryByTestId("without-default-tok-2-watchOS")).not.toBeInTheDocument();
  });

  it("says so when every platform with new devices has a default", async () => {
    setup({ ...SUMMARY, tokens: SUMMARY.tokens.map((t) => ({ ...t, waitingForDefault: [] })) });
    const card = await screen.findByTestId("dashboard-without-default");
    expect(within(card).getByTestId("count-without-default")).toHaveTextContent("0");
    expect(card).toHaveTextContent("Every platform with new devices has a default profile.");
  });
});

describe("dashboard: fresh figures", () => {
  it("asks for the summary again after the changes it counts", () => {
    const changes: Change[] = [
      { kind: "token" },
      { kind: "profile" },
      { kind: "devices" },
      { kind: "vpp" },
      { kind: "syncNoticed", noticedBy: "overview" },
      { kind: "syncFinished", runId: null },
      { kind: "assignmentFinished", runId: "7" },
    ];
    for (const change of changes) {
      const stale = (STALE_AFTER[change.kind].stale as (c: Change) => readonly unknown[])(change);
      expect(stale, change.kind).toContainEqual(queryKeys.dashboard);
    }
  });
});
