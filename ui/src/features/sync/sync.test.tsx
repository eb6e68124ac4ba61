import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SYNC_POLL_IDLE_MS, SYNC_POLL_RUNNING_MS } from "../../app/sync";
import { formatCount, formatDateTime } from "../../components/format";
import { failure } from "../../test/fakeBackend";
import { wait } from "../../platform";
import { FAKE_NOW, testClock } from "../../test/clock";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (offset: number) => new Date(FAKE_NOW + offset).toISOString();
const dateTime = (offset: number) => formatDateTime(at(offset));
const fmt = formatCount;

const west = () => tokenDetail({ id: "tok-1", serverName: "Retail West", deviceCount: 1200 });
const lab = () =>
  tokenDetail({
    id: "tok-2",
    serverName: "Simulator — Fabrikam Demo",
    simulator: true,
    deviceCount: 40,
  });

describe("Sync page", () => {
  it("lists every token with its devices, last success, next run and last error", async () => {
    const depot = fakeDepot({
      tokens: [west(), lab()],
      sync: {
        "tok-1": {
          lastSuccessAt: at(-3 * HOUR),
          nextAutomaticAt: at(9 * HOUR),
          lastFullSyncAt: at(-5 * DAY),
        },
        "tok-2": {
          lastSuccessAt: at(-2 * DAY),
          lastError: {
            code: "TERMS_NOT_ACCEPTED",
            message: "Apple has new terms and conditions that nobody has accepted yet.",
            advice: "Sign in to Apple Business Manager as an administrator and accept the terms.",
            at: at(-1 * HOUR),
          },
        },
      },
    });
    renderApp({ handlers: depot.handlers, at: "#/sync" });

    const westRow = await screen.findByTestId("sync-row-tok-1");
    expect(within(westRow).getByRole("link", { name: "Retail West" })).toHaveAttribute(
      "href",
      "#/tokens/tok-1",
    );
    expect(within(westRow).queryByTestId("simulator-badge")).not.toBeInTheDocument();
    expect(within(westRow).getByTestId("sync-devices-tok-1")).toHaveTextContent(fmt(1200));
    expect(within(westRow).getByTestId("sync-last-success-tok-1")).toHaveTextContent("3 hours ago");
    expect(within(westRow).getByTestId("sync-last-success-tok-1")).toHaveTextContent(
      dateTime(-3 * HOUR),
    );
    expect(within(westRow).getByTestId("sync-next-tok-1")).toHaveTextContent("in 9 hours");
    expect(within(westRow).getByTestId("sync-state-tok-1")).toHaveAttribute("data-state", "idle");
    expect(within(westRow).queryByTestId("sync-error-tok-1")).not.toBeInTheDocument();
    expect(within(westRow).getByTestId("sync-now-tok-1")).toBeEnabled();

    const labRow = screen.getByTestId("sync-row-tok-2");
    expect(within(labRow).getByTestId("simulator-badge")).toBeInTheDocument();
    expect(within(labRow).getByTestId("sync-next-tok-2")).toHaveTextContent("Not scheduled");
    expect(within(labRow).getByTestId("sync-state-tok-2")).toHaveAttribute("data-state", "failed");
    const error = within(labRow).getByTestId("sync-error-tok-2");
    expect(error).toHaveAttribute("data-error-code", "TERMS_NOT_ACCEPTED");
    expect(error).toHaveTextContent("nobody has accepted yet");
    expect(error).toHaveTextContent("What to do: Sign in to Apple Business Manager");
  });

  it("hides an error that a later successful sync resolved", async () => {
    const depot = fakeDepot({
      tokens: [west()],
      sync: {
        "tok-1": {
          lastSuccessAt: at(-1 * HOUR),
          lastError: { code: "APPLE_UNAVAILABLE", message: "Down.", advice: "Wait.", at: at(-DAY) },
        },
      },
    });
    renderApp({ handlers: depot.handlers, at: "#/sync" });
    await screen.findByTestId("sync-row-tok-1");
    expect(screen.queryByTestId("sync-error-tok-1")).not.toBeInTheDocument();
  });

  it("points to the tokens page when there is nothing to sync", async () => {
    renderApp({ handlers: fakeDepot().handlers, at: "#/sync" });
    const empty = await screen.findByTestId("sync-empty");
    expect(within(empty).getByTestId("sync-empty-tokens")).toHaveAttribute("href", "#/tokens");
  });

  it("counts down the manual cooldown and enables Sync now when it is over", async () => {
    const depot = fakeDepot({
      tokens: [west()],
      sync: { "tok-1": { manualAllowedAt: at(12 * MINUTE + 34_000) } },
    });
    renderApp({ handlers: depot.handlers, at: "#/sync" });

    const button = await screen.findByTestId("sync-now-tok-1");
    expect(button).toBeDisabled();
    expect(screen.getByTestId("sync-cooldown-tok-1")).toHaveTextContent("Available in 12:34");

    testClock.set(FAKE_NOW + 34_000);
    await waitFor(() =>
      expect(screen.getByTestId("sync-cooldown-tok-1")).toHaveTextContent("Available in 12:00"),
    );
    expect(screen.getByTestId("sync-now-tok-1")).toBeDisabled();

    testClock.set(FAKE_NOW + 13 * MINUTE);
    await waitFor(() => expect(screen.getByTestId("sync-now-tok-1")).toBeEnabled());
    expect(screen.queryByTestId("sync-cooldown-tok-1")).not.toBeInTheDocument();
  });

  it("starts a sync, shows its progress, and shows the new device count when it finishes", async () => {
    const depot = fakeDepot({ tokens: [west()] });
    depot.scriptSync("tok-1", {
      steps: [
        { pages: 1, added: 120, modified: 4 },
        { pages: 1, added: 30, removed: 2 },
      ],
      held: true,
    });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/sync" });

    depot.releaseSync("tok-1");
    await user.click(await screen.findByTestId("sync-now-tok-1"));
    expect(backend.calls).toContainEqual({ name: "sync.start", payload: { id: "tok-1" } });

    const progress = await screen.findByTestId("sync-progress-tok-1");
    expect(progress).toHaveTextContent("1 page");
    expect(progress).toHaveTextContent("120 added");
    expect(progress).toHaveTextContent("4 modified");
    expect(screen.getByTestId("sync-now-tok-1")).toBeDisabled();
    expect(screen.getByTestId("sync-state-tok-1")).toHaveAttribute("data-state", "running");

    depot.releaseSync("tok-1");
    await waitFor(() => expect(progress).toHaveTextContent("150 added"));
    expect(progress).toHaveTextContent("2 pages");
    expect(progress).toHaveTextContent("2 removed");

    depot.releaseSync("tok-1");
    await waitFor(() =>
      expect(screen.queryByTestId("sync-progress-tok-1")).not.toBeInTheDocument(),
    );
    expect(screen.getByTestId("sync-devices-tok-1")).toHaveTextContent(fmt(1200 + 150 - 2));
    expect(screen.getByTestId("sync-state-tok-1")).toHaveAttribute("data-state", "idle");
    expect(screen.getByTestId("sync-last-success-tok-1")).toHaveTextContent("just now");
    // The manual cooldown starts with the run.
    expect(screen.getByTestId("sync-now-tok-1")).toBeDisabled();
    expect(screen.getByTestId("sync-cooldown-tok-1")).toHaveTextContent("Available in 15:00");
  });

  it("polls every second while a sync runs and stops polling fast when it is idle", async () => {
    const depot = fakeDepot({ tokens: [west()] });
    depot.scriptSync("tok-1", { steps: [{}, {}] });
    // When each poll arrived (a monotonic stopwatch, not the time of day).
    const polledAt: number[] = [];
    const overview = depot.handlers["sync.overview"]!;
    const { user } = renderApp({
      handlers: {
        ...depot.handlers,
        "sync.overview": (request) => {
          polledAt.push(performance.now());
          return overview(request);
        },
      },
      at: "#/sync",
    });
    await user.click(await screen.findByTestId("sync-now-tok-1"));
    await screen.findByTestId("sync-progress-tok-1");
    await waitFor(() =>
      expect(screen.queryByTestId("sync-progress-tok-1")).not.toBeInTheDocument(),
    );
    // The poll that saw the sync end; then wait for the page's next one.
    const idle = polledAt.length;
    await waitFor(() => expect(polledAt.length).toBeGreaterThan(idle));
    const gap = (polledAt[idle] ?? 0) - (polledAt[idle - 1] ?? 0);
    // An idle page asks again only after the idle interval, far longer than a running poll's.
    expect(gap).toBeGreaterThanOrEqual(wait(SYNC_POLL_IDLE_MS) - wait(SYNC_POLL_RUNNING_MS));
  });

  it("cancels a running sync", async () => {
    const depot = fakeDepot({ tokens: [west()] });
    depot.scriptSync("tok-1", { steps: Array.from({ length: 20 }, () => ({ added: 10 })) });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/sync" });

    await user.click(await screen.findByTestId("sync-now-tok-1"));
    await screen.findByTestId("sync-progress-tok-1");
    expect(screen.queryByTestId("sync-full-tok-1")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("sync-cancel-tok-1"));
    expect(backend.calls).toContainEqual({ name: "sync.cancel", payload: { id: "tok-1" } });

    await waitFor(() =>
      expect(screen.queryByTestId("sync-progress-tok-1")).not.toBeInTheDocument(),
    );
    expect(screen.queryByTestId("sync-cancel-tok-1")).not.toBeInTheDocument();
    expect(depot.state.sync["tok-1"]?.runs[0]?.result).toBe("cancelled");
  });

  it("shows why a sync did not start (SYNC_TOO_SOON, SYNC_RUNNING) instead of failing", async () => {
    const depot = fakeDepot({ tokens: [west()] });
    const answers = [
      failure("SYNC_TOO_SOON", "A manual sync of this token is allowed again at 14:05."),
      failure("SYNC_RUNNING", "A sync of this token is already running in another Depot window."),
    ];
    const { user } = renderApp({
      handlers: { ...depot.handlers, "sync.start": () => answers.shift() ?? { runId: "x" } },
      at: "#/sync",
    });

    await user.click(await screen.findByTestId("sync-now-tok-1"));
    const tooSoon = await screen.findByTestId("sync-start-error-tok-1");
    expect(tooSoon).toHaveAttribute("data-error-code", "SYNC_TOO_SOON");
    expect(tooSoon).toHaveTextContent("allowed again at 14:05");
    expect(screen.getByTestId("page-sync")).toBeInTheDocument();
    expect(screen.queryByTestId("error-boundary")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("sync-now-tok-1"));
    await waitFor(() =>
      expect(screen.getByTestId("sync-start-error-tok-1")).toHaveAttribute(
        "data-error-code",
        "SYNC_RUNNING",
      ),
    );
    expect(screen.getByTestId("sync-start-error-tok-1")).toHaveTextContent(
      "already running in another Depot window",
    );
    await user.click(
      within(screen.getByTestId("sync-start-error-tok-1")).getByRole("button", { name: "Dismiss" }),
    );
    expect(screen.queryByTestId("sync-start-error-tok-1")).not.toBeInTheDocument();
  });

  it("asks before a full sync, explaining Apple's once-every-7-days rule", async () => {
    const depot = fakeDepot({ tokens: [west()] });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/sync" });

    await user.click(await screen.findByTestId("sync-full-tok-1"));
    let dialog = await screen.findByTestId("sync-full-dialog");
    expect(within(dialog).getByTestId("sync-full-rule")).toHaveTextContent(
      "at most once every 7 days",
    );
    expect(within(dialog).getByTestId("sync-full-rule")).toHaveTextContent(dateTime(7 * DAY));
    await user.click(within(dialog).getByRole("button", { name: "Not now" }));
    await waitFor(() => expect(screen.queryByTestId("sync-full-dialog")).not.toBeInTheDocument());
    expect(backend.calls.map((c) => c.name)).not.toContain("sync.start");

    await user.click(screen.getByTestId("sync-full-tok-1"));
    dialog = await screen.findByTestId("sync-full-dialog");
    await user.click(within(dialog).getByTestId("sync-full-confirm"));
    expect(backend.calls).toContainEqual({
      name: "sync.start",
      payload: { id: "tok-1", full: true },
    });
    expect(await screen.findByTestId("sync-progress-tok-1")).toHaveTextContent(
      "Fetching every device",
    );
  });

  it("keeps Full sync disabled until Apple allows the next one", async () => {
    const depot = fakeDepot({
      tokens: [west()],
      sync: { "tok-1": { fullAllowedAt: at(4 * DAY) } },
    });
    renderApp({ handlers: depot.handlers, at: "#/sync" });
    expect(await screen.findByTestId("sync-full-tok-1")).toBeDisabled();
    expect(screen.getByTestId("sync-now-tok-1")).toBeEnabled();
    expect(screen.getByTestId("sync-cooldown-tok-1")).toHaveTextContent(
      `Full sync from ${dateTime(4 * DAY)}`,
    );
  });
});

describe("Token detail sync card", () => {
  const WITH_HISTORY = fakeDepotWithHistory;

  function fakeDepotWithHistory() {
    return fakeDepot({
      tokens: [west()],
      sync: {
        "tok-1": {
          lastSuccessAt: at(-3 * HOUR),
          lastFullSyncAt: at(-2 * DAY),
          nextAutomaticAt: at(9 * HOUR),
          manualAllowedAt: at(5 * MINUTE),
          fullAllowedAt: at(5 * DAY),
          cursorAgeSeconds: 3 * 3600,
          deviceCount: 1200,
          lastError: {
            code: "APPLE_UNAVAILABLE",
            message: "Apple's device service did not answer.",
            advice: "Nothing to do; Depot tries again at the next automatic sync.",
            at: at(-1 * HOUR),
          },
        },
      },
      history: {
        "tok-1": [
          {
            id: "r3",
            kind: "delta",
            trigger: "automatic",
            startedAt: at(-1 * HOUR),
            finishedAt: at(-1 * HOUR + 42_000),
            result: "failed",
            pages: 1,
            added: 0,
            modified: 0,
            removed: 0,
            errorCode: "APPLE_UNAVAILABLE",
            error: "Apple's device service did not answer.",
          },
          {
            id: "r2",
            kind: "delta",
            trigger: "manual",
            startedAt: at(-3 * HOUR),
            finishedAt: at(-3 * HOUR + 65_000),
            result: "ok",
            pages: 2,
            added: 12,
            modified: 3,
            removed: 1,
            errorCode: null,
            error: null,
          },
          {
            id: "r1",
            kind: "full",
            trigger: "manual",
            startedAt: at(-2 * DAY),
            finishedAt: at(-2 * DAY + 5 * MINUTE),
            result: "ok",
            pages: 13,
            added: 1189,
            modified: 0,
            removed: 0,
            errorCode: null,
            error: null,
          },
        ],
      },
    });
  }

  it("explains the token's sync health in plain language", async () => {
    renderApp({ handlers: WITH_HISTORY().handlers, at: "#/tokens/tok-1" });
    const card = await screen.findByTestId("token-sync");
    const health = await within(card).findByTestId("sync-health");
    const fact = (id: string) => within(health).getByTestId(id);
    expect(fact("health-last-success")).toHaveTextContent("3 hours ago");
    expect(fact("health-last-success")).toHaveTextContent(dateTime(-3 * HOUR));
    expect(fact("health-last-full")).toHaveTextContent("2 days ago");
    expect(fact("health-last-error")).toHaveTextContent("The last sync failed 1 hour ago");
    expect(fact("health-last-error")).toHaveTextContent("APPLE_UNAVAILABLE");
    // A sync that is still failing heads the panel: what happened and what to do.
    expect(within(health).getByTestId("sync-error-tok-1")).toHaveTextContent(
      "Apple's device service did not answer.",
    );
    expect(within(health).getByTestId("sync-error-tok-1")).toHaveTextContent(
      "What to do: Nothing to do; Depot tries again",
    );
    expect(fact("health-next-auto")).toHaveTextContent("in 9 hours");
    expect(fact("health-manual")).toHaveTextContent("Available in 5:00");
    expect(fact("health-full")).toHaveTextContent("Available in 5 days");
    expect(fact("health-cursor")).toHaveTextContent("3 hours");
    expect(fact("health-devices")).toHaveTextContent(fmt(1200));
    expect(within(card).getByTestId("sync-now-tok-1")).toBeDisabled();
    expect(within(card).getByTestId("sync-full-tok-1")).toBeDisabled();
  });

  it("says what a missing or stale cursor means and when everything is allowed", async () => {
    const depot = fakeDepot({
      tokens: [west(), lab()],
      sync: { "tok-1": { cursorAgeSeconds: 9 * 86_400 } },
    });
    renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    const health = await screen.findByTestId("sync-health");
    expect(within(health).getByTestId("health-cursor")).toHaveTextContent(
      "9 daysOlder than 7 days: the next sync fetches every device again.",
    );
    expect(within(health).getByTestId("health-manual")).toHaveTextContent("Available now");
    expect(within(health).getByTestId("health-full")).toHaveTextContent("Available now");
    expect(within(health).getByTestId("health-last-success")).toHaveTextContent("Never");
    expect(within(health).getByTestId("health-last-error")).toHaveTextContent("None");
    expect(screen.getByTestId("sync-history-empty")).toBeInTheDocument();

    window.location.hash = "#/tokens/tok-2";
    await waitFor(() =>
      expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Fabrikam"),
    );
    await waitFor(() =>
      expect(screen.getByTestId("health-cursor")).toHaveTextContent("No cursor yet"),
    );
  });

  it("keeps a resolved error in the health panel without headlining it", async () => {
    const depot = fakeDepot({
      tokens: [west()],
      sync: {
        "tok-1": {
          lastSuccessAt: at(-1 * HOUR),
          lastError: {
            code: "APPLE_UNAVAILABLE",
            message: "Apple's device service did not answer.",
            advice: "Wait.",
            at: at(-DAY),
          },
        },
      },
    });
    renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    const health = await screen.findByTestId("sync-health");
    expect(within(health).getByTestId("health-last-error")).toHaveTextContent(
      "Apple's device service did not answer.Resolved — a later sync succeeded.",
    );
    expect(screen.queryByTestId("sync-error-tok-1")).not.toBeInTheDocument();
    expect(screen.getByTestId("sync-state-tok-1")).toHaveAttribute("data-state", "idle");
  });

  it("lists recent runs with kind, trigger, result, duration and counts", async () => {
    renderApp({ handlers: WITH_HISTORY().handlers, at: "#/tokens/tok-1" });
    const table = await screen.findByTestId("sync-history");
    const rows = within(table).getAllByTestId("sync-history-row");
    expect(rows.map((r) => r.getAttribute("data-result"))).toEqual(["failed", "ok", "ok"]);
    const cells = (row: HTMLElement) =>
      within(row)
        .getAllByRole("cell")
        .map((c) => c.textContent);
    expect(cells(rows[0]!)).toEqual([
      dateTime(-1 * HOUR),
      "Delta",
      "Automatic",
      "Failed",
      "42 s",
      "1",
      "0",
      "0",
      "0",
      "Apple's device service did not answer.APPLE_UNAVAILABLE",
    ]);
    expect(cells(rows[1]!)).toEqual([
      dateTime(-3 * HOUR),
      "Delta",
      "Manual",
      "Succeeded",
      "1 min 05 s",
      "2",
      "12",
      "3",
      "1",
      "—",
    ]);
    expect(cells(rows[2]!).slice(1, 6)).toEqual([
      "Full",
      "Manual",
      "Succeeded",
      "5 min 00 s",
      "13",
    ]);
  });

  it("runs a sync from the token page and refreshes the device count and history", async () => {
    const depot = fakeDepot({ tokens: [west()] });
    depot.scriptSync("tok-1", { steps: [{ pages: 2, added: 25, modified: 1 }] });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });

    const card = await screen.findByTestId("token-sync");
    expect(screen.getByTestId("detail-devices")).toHaveTextContent(fmt(1200));
    await user.click(await within(card).findByTestId("sync-now-tok-1"));
    expect(await within(card).findByTestId("sync-progress-tok-1")).toHaveTextContent("25 added");
    expect(within(card).getByTestId("sync-cancel-tok-1")).toBeEnabled();

    await waitFor(() =>
      expect(within(card).queryByTestId("sync-progress-tok-1")).not.toBeInTheDocument(),
    );
    // tokens.get was fetched again: the Token card shows the new count.
    await waitFor(() => expect(screen.getByTestId("detail-devices")).toHaveTextContent(fmt(1225)));
    expect(within(card).getByTestId("health-devices")).toHaveTextContent(fmt(1225));
    const rows = await within(card).findAllByTestId("sync-history-row");
    await waitFor(() => expect(rows[0]).toHaveAttribute("data-result", "ok"));
    expect(backend.calls.filter((c) => c.name === "tokens.get").length).toBeGreaterThan(1);
    expect(backend.calls.filter((c) => c.name === "workspace.info").length).toBeGreaterThan(0);
  });

  it("reports a failed run with its advice", async () => {
    const depot = fakeDepot({ tokens: [west()] });
    depot.scriptSync("tok-1", {
      steps: [{}],
      fail: {
        code: "ACCESS_DENIED",
        message: "Apple refused access to this MDM server.",
        advice: "Download a new token for this server in Apple Business Manager and renew it.",
      },
    });
    const { user } = renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    const card = await screen.findByTestId("token-sync");
    await user.click(await within(card).findByTestId("sync-now-tok-1"));
    const error = await within(card).findByTestId("sync-error-tok-1", {});
    expect(error).toHaveTextContent("Apple refused access");
    expect(error).toHaveTextContent("What to do: Download a new token");
    await waitFor(() =>
      expect(within(card).getAllByTestId("sync-history-row")[0]).toHaveAttribute(
        "data-result",
        "failed",
      ),
    );
  });
});
