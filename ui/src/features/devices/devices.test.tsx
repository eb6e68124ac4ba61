import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { DeviceListRequest } from "../../bindings/DeviceListRequest";
import type { ChangeEvent } from "../../bindings/ChangeEvent";
import { setChangeSource, type ChangeListener, type Host } from "../../platform";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { fakeDevices, giveVirtualListsHeight, type FakeDevice } from "../../test/fakeDevices";
import { browserDownloads, desktopFiles } from "../../test/fakeHost";
import { fakeProfiles, type SeedProfile } from "../../test/fakeProfiles";
import { renderApp } from "../../test/renderApp";
import { COLUMNS_STORAGE_KEY } from "./columns";

const TOKENS = [
  tokenDetail({ id: "1", serverName: "Retail West", scopeTags: ["Stores"] }),
  tokenDetail({ id: "2", serverName: "Retail East" }),
];

const PROFILES: SeedProfile[] = [
  { id: "7", tokenId: "1", name: "Sales iPads" },
  {
    id: "8",
    tokenId: "1",
    name: "Kiosks",
    upload: { state: "failed", appleUuid: null, uploadedAt: null, error: "Apple was unreachable" },
  },
  { id: "9", tokenId: "2", name: "Warehouse" },
];

// Generated devices (see fakeDevices): serials C02X… and F9FX… belong to
// token 1, DMPX… and H4TX… to token 2. C02X000002 is already set up (pushed),
// C02X000006 is assigned, C02X000046 is cooling down after a failure; every
// 50th device is removed (all of them iPhones of token 2), so 294 of the 300
// are listed by default, plus the test's own ZZTEST000001.
const LISTED = 295;

const TESTED: FakeDevice["history"] = [
  {
    runId: "41",
    kind: "assign",
    reason: "manual",
    profileId: "7",
    profileName: "Sales iPads",
    profileVersion: 1,
    operator: "helpdesk",
    outcome: "SUCCESS",
    detail: null,
    at: "2026-05-20T10:00:00Z",
    startedAt: "2026-05-20T09:59:00Z",
  },
];

function setup({ at = "#/devices", host }: { at?: string; host?: Partial<Host> } = {}) {
  giveVirtualListsHeight();
  const depot = fakeDepot({ tokens: TOKENS });
  const profiles = fakeProfiles(depot, {
    enrollmentUrl: "https://mdm.contoso.com/enroll",
    profiles: PROFILES,
  });
  const devices = fakeDevices(depot, {
    profiles,
    devices: [
      {
        serial: "ZZTEST000001",
        tokenId: "1",
        profileStatus: "assigned",
        depotProfileId: "7",
        depotProfileName: "Sales iPads",
        depotProfileVersion: 1,
        renderedName: "iPad-ZZTEST000001",
        history: TESTED,
      },
    ],
  });
  const view = renderApp({
    handlers: { ...depot.handlers, ...profiles.handlers, ...devices.handlers },
    at,
    host,
  });
  return { ...view, depot, profiles, devices };
}

type Calls = ReturnType<typeof setup>["backend"]["calls"];

function lastPayload<T>(calls: Calls, name: string): T {
  const found = calls.filter((c) => c.name === name).at(-1);
  if (!found) throw new Error(`${name} was not called`);
  return found.payload as T;
}

const listCalls = (calls: Calls) =>
  calls.filter((c) => c.name === "devices.list").map((c) => c.payload as DeviceListRequest);

const row = (serial: string) => screen.findByTestId(`device-row-${serial}`);

async function tick(serial: string) {
  const checkbox = within(await row(serial)).getByRole("checkbox");
  fireEvent.click(checkbox);
  await waitFor(() => expect(checkbox).toBeChecked());
}

async function search(user: ReturnType<typeof setup>["user"], text: string) {
  const box = await screen.findByTestId("devices-search");
  await user.clear(box);
  await user.type(box, text);
}

describe("Devices page", () => {
  it("loads the list page by page as the admin scrolls, and shows the total", async () => {
    const { backend } = setup();
    await row("C02X000002");
    expect(screen.getByTestId("devices-total")).toHaveTextContent(`${LISTED} devices`);
    expect(listCalls(backend.calls)).toEqual([{ query: {}, limit: 200 }]);
    // Only the rows in view are in the DOM.
    const rendered = document.querySelectorAll(".device-row").length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(60);
    expect(screen.getByTestId("devices-table")).toHaveAttribute("aria-rowcount", `${LISTED + 1}`);
    // Where the admin is: the scrollbar only spans the loaded rows.
    expect(screen.getByTestId("devices-position")).toHaveTextContent(
      `Rows 1–14 of ${LISTED} · 200 loaded so far`,
    );

    const scroller = screen.getByTestId("devices-scroll");
    scroller.scrollTop = 170 * 40;
    fireEvent.scroll(scroller);
    await waitFor(() =>
      expect(screen.getByTestId("devices-table")).toHaveAttribute("data-loaded", `${LISTED}`),
    );
    await waitFor(() =>
      expect(screen.getByTestId("devices-position")).toHaveTextContent(`Rows 171–184 of ${LISTED}`),
    );
    expect(screen.getByTestId("devices-position")).not.toHaveTextContent("loaded so far");
    const calls = listCalls(backend.calls);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.cursor).toEqual(expect.any(String));
    // The last page has no next cursor: nothing more is asked for.
    scroller.scrollTop = LISTED * 40;
    fireEvent.scroll(scroller);
    expect(await row("ZZTEST000001")).toBeInTheDocument();
    expect(listCalls(backend.calls)).toHaveLength(2);
  });

  it("searches by serial prefix or by words", async () => {
    const { user, backend } = setup();
    await row("C02X000002");

    await search(user, "DMPX");
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        serialPrefix: "DMPX",
      }),
    );
    expect(screen.getByTestId("devices-search-mode")).toHaveAttribute("data-mode", "serial");
    expect(await row("DMPX000001")).toHaveAttribute("data-token-id", "2");
    expect(screen.queryByTestId("device-row-C02X000002")).not.toBeInTheDocument();

    await search(user, "macbook air");
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        text: "macbook air",
      }),
    );
    expect(screen.getByTestId("devices-search-mode")).toHaveAttribute("data-mode", "text");
  });

  it("filters with facet counts and chips, and clears every filter at once", async () => {
    const { user, backend } = setup();
    await row("C02X000002");

    await user.click(screen.getByTestId("devices-filter-family"));
    const iphone = await screen.findByTestId("devices-filter-family-iPhone");
    // 2 of every 5 devices are iPhones: 120 of 300, 114 of them listed.
    expect(iphone).toHaveTextContent("114");
    await user.click(iphone);
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        families: ["iPhone"],
      }),
    );
    await waitFor(() =>
      expect(screen.getByTestId("devices-total")).toHaveTextContent("114 devices"),
    );
    expect(screen.getByTestId("devices-chip-family-iPhone")).toBeInTheDocument();
    await user.keyboard("{Escape}");

    await user.click(screen.getByTestId("devices-filter-token"));
    await user.click(await screen.findByTestId("devices-filter-token-2"));
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        families: ["iPhone"],
        tokenId: "2",
      }),
    );
    expect(lastPayload<{ query: unknown }>(backend.calls, "devices.facets").query).toEqual({
      families: ["iPhone"],
      tokenId: "2",
    });

    // Dismissing a chip takes its filter away.
    // A dismissible chip is one button.
    await user.click(screen.getByTestId("devices-chip-family-iPhone"));
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        tokenId: "2",
      }),
    );

    await user.click(screen.getByTestId("devices-filter-includeRemoved"));
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        tokenId: "2",
        includeRemoved: true,
      }),
    );
    await user.click(screen.getByTestId("devices-clear-filters"));
    // The unfiltered first page is still cached: the list shows it again at once.
    await waitFor(() =>
      expect(screen.getByTestId("devices-total")).toHaveTextContent(`${LISTED} devices`),
    );
    expect(screen.queryByTestId("devices-clear-filters")).not.toBeInTheDocument();
    expect(screen.getByTestId("devices-filter-token")).toHaveTextContent(/^Token$/);
  });

  it("sorts by a column, both ways, without counting again", async () => {
    const { user, backend } = setup();
    await row("C02X000002");
    await waitFor(() => expect(backend.calls.some((c) => c.name === "devices.count")).toBe(true));
    const counted = backend.calls.filter((c) => c.name === "devices.count").length;
    await user.click(screen.getByTestId("devices-column-model"));
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        sort: "model",
      }),
    );
    expect(screen.getByTestId("devices-column-model")).toHaveAttribute("aria-sort", "ascending");
    await user.click(screen.getByTestId("devices-column-model"));
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        sort: "model",
        descending: true,
      }),
    );
    expect(screen.getByTestId("devices-column-model")).toHaveAttribute("aria-sort", "descending");
    // The count does not depend on the order: it is not asked for again.
    expect(backend.calls.filter((c) => c.name === "devices.count")).toHaveLength(counted);
  });

  it("lists the devices of an enrollment profile name from the address (PRO-17)", async () => {
    const { user, backend } = setup({ at: "#/devices?profileName=sales%20ipads" });
    expect(await row("ZZTEST000001")).toBeInTheDocument();
    expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
      enrollmentProfileName: "sales ipads",
    });
    expect(screen.getByTestId("devices-total")).toHaveTextContent("1 device");
    const chip = screen.getByTestId("devices-chip-profileName");
    expect(chip).toHaveTextContent("sales ipads");
    await user.click(chip);
    await waitFor(() => expect(window.location.hash).toBe("#/devices"));
    await waitFor(() =>
      expect(screen.getByTestId("devices-total")).toHaveTextContent(`${LISTED} devices`),
    );
  });

  it("presets token, profile status, family and model from the address (the dashboard's links)", async () => {
    const { backend } = setup({ at: "#/devices?token=1&status=empty&family=iPad" });
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        tokenId: "1",
        statuses: ["empty"],
        families: ["iPad"],
      }),
    );
    expect(await screen.findByTestId("devices-chip-token-1")).toBeInTheDocument();
    expect(screen.getByTestId("devices-chip-status-empty")).toHaveTextContent("No profile");
    expect(screen.getByTestId("devices-chip-family-iPad")).toBeInTheDocument();

    // A model link, and a status this build does not know (it cannot be a filter).
    window.location.hash = "#/devices?family=iPad&model=iPad%20Air&status=lost";
    await waitFor(() =>
      expect(lastPayload<DeviceListRequest>(backend.calls, "devices.list").query).toEqual({
        families: ["iPad"],
        models: ["iPad Air"],
      }),
    );
    expect(await screen.findByTestId("devices-chip-model-iPad Air")).toBeInTheDocument();
  });

  it("keeps the columns the admin chose", async () => {
    const { user, unmount } = setup();
    await row("C02X000002");
    expect(screen.queryByTestId("devices-column-color")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("devices-columns"));
    await user.click(await screen.findByTestId("devices-column-toggle-color"));
    await user.click(await screen.findByTestId("devices-column-toggle-token"));
    expect(await screen.findByTestId("devices-column-color")).toBeInTheDocument();
    expect(screen.queryByTestId("devices-column-token")).not.toBeInTheDocument();
    expect(JSON.parse(window.localStorage.getItem(COLUMNS_STORAGE_KEY) ?? "[]")).toContain("color");
    unmount();

    setup();
    await row("C02X000002");
    expect(screen.getByTestId("devices-column-color")).toBeInTheDocument();
    expect(screen.queryByTestId("devices-column-token")).not.toBeInTheDocument();
    expect(within(await row("C02X000002")).getByText("Blue")).toBeInTheDocument();
  });

  it("assigns a profile to ticked devices: preview first, then progress and each device's result", async () => {
    const { user, backend } = setup();
    await search(user, "C02X0000");
    await waitFor(() =>
      expect(screen.getByTestId("devices-total")).toHaveTextContent("25 devices"),
    );
    expect(screen.getByTestId("devices-assign")).toBeDisabled();
    await tick("C02X000002");
    await tick("C02X000006");
    await tick("C02X000046");
    expect(screen.getByTestId("devices-selection")).toHaveTextContent("3 selected");

    await user.click(screen.getByTestId("devices-assign"));
    const dialog = await screen.findByTestId("assign-dialog");
    expect(dialog).toHaveTextContent("Retail West");
    const picker = await within(dialog).findByTestId("assign-profile");
    // Only uploaded profiles of this token can be chosen.
    expect(within(picker).getByRole("option", { name: /Kiosks/ })).toBeDisabled();
    expect(within(picker).queryByRole("option", { name: /Warehouse/ })).not.toBeInTheDocument();
    await user.selectOptions(picker, "7");
    await user.click(within(dialog).getByTestId("assign-preview"));

    const preview = await within(dialog).findByTestId("assignment-preview");
    expect(lastPayload(backend.calls, "assignments.preview")).toEqual({
      tokenId: "1",
      profileId: "7",
      serials: ["C02X000002", "C02X000006", "C02X000046"],
    });
    expect(within(preview).getByTestId("preview-count-ready")).toHaveAttribute("data-count", "1");
    expect(within(preview).getByTestId("preview-count-setUp")).toHaveAttribute("data-count", "1");
    expect(within(preview).getByTestId("preview-count-cooldown")).toHaveAttribute(
      "data-count",
      "1",
    );
    expect(within(preview).getByTestId("preview-row-C02X000046")).toHaveAttribute(
      "data-will-send",
      "false",
    );
    expect(within(dialog).getByTestId("assignment-wipe-note")).toHaveTextContent(/erased/);
    expect(backend.calls.some((c) => c.name === "assignments.start")).toBe(false);

    const confirm = within(dialog).getByTestId("assign-confirm");
    expect(confirm).toHaveTextContent("Assign to 2 devices");
    await user.click(confirm);
    expect(lastPayload(backend.calls, "assignments.start")).toEqual({
      tokenId: "1",
      profileId: "7",
      serials: ["C02X000002", "C02X000006"],
    });
    const run = await within(dialog).findByTestId("assignment-run");
    await waitFor(() => expect(run).toHaveAttribute("data-result", "ok"));
    const results = await within(dialog).findByTestId("assignment-results");
    expect(within(results).getByTestId("assignment-result-C02X000006")).toHaveAttribute(
      "data-outcome",
      "SUCCESS",
    );
    await user.click(within(dialog).getByTestId("assign-close"));

    // The list shows the new profile.
    await waitFor(async () =>
      expect(within(await row("C02X000006")).getByText(/Sales iPads/)).toBeInTheDocument(),
    );
  });

  it("says that serials Apple throttled are kept for a later run", async () => {
    const { user, devices } = setup();
    devices.state.outcomes["C02X000006"] = "THROTTLED";
    await search(user, "C02X0000");
    await waitFor(() =>
      expect(screen.getByTestId("devices-total")).toHaveTextContent("25 devices"),
    );
    await tick("C02X000002");
    await tick("C02X000006");
    await user.click(screen.getByTestId("devices-assign"));
    const dialog = await screen.findByTestId("assign-dialog");
    await user.selectOptions(await within(dialog).findByTestId("assign-profile"), "7");
    await user.click(within(dialog).getByTestId("assign-preview"));
    await user.click(await within(dialog).findByTestId("assign-confirm"));
    const run = await within(dialog).findByTestId("assignment-run");
    await waitFor(() => expect(run).toHaveAttribute("data-result", "partial"));
    expect(within(run).getByTestId("assignment-counts")).toHaveTextContent(
      "1 throttled by Apple, kept and sent by a later run once Apple allows",
    );
  });

  it("selects every matching device, which needs one token to assign or remove", async () => {
    const { user, backend } = setup();
    await row("C02X000002");
    await user.click(screen.getByTestId("devices-select-all-matching"));
    expect(screen.getByTestId("devices-selection")).toHaveTextContent(
      `All ${LISTED} matching devices selected`,
    );
    expect(screen.getByTestId("devices-remove")).toBeDisabled();
    expect(screen.getByTestId("devices-delete")).toBeDisabled();
    expect(screen.getByTestId("devices-action-hint")).toHaveTextContent(/Token filter/);

    await user.click(screen.getByTestId("devices-filter-token"));
    await user.click(await screen.findByTestId("devices-filter-token-1"));
    // Another filter, another selection.
    await waitFor(() =>
      expect(screen.getByTestId("devices-selection")).toHaveTextContent("None selected"),
    );
    await waitFor(() =>
      expect(screen.getByTestId("devices-total")).toHaveTextContent("151 devices"),
    );
    await user.click(screen.getByTestId("devices-select-all-matching"));
    await user.click(screen.getByTestId("devices-assign"));

    const dialog = await screen.findByTestId("assign-dialog");
    expect(dialog).toHaveAttribute("data-action", "assign");
    await user.selectOptions(await within(dialog).findByTestId("assign-profile"), "7");
    await user.click(within(dialog).getByTestId("assign-preview"));
    // Every matching device is checked too, before anything is sent.
    expect(await within(dialog).findByTestId("assign-query-summary")).toHaveTextContent(
      "151 devices",
    );
    expect(lastPayload(backend.calls, "assignments.preview")).toEqual({
      tokenId: "1",
      profileId: "7",
      query: { tokenId: "1" },
    });
    within(dialog).getByTestId("assignment-preview");
    const confirm = within(dialog).getByTestId("assign-confirm");
    await waitFor(() => expect(confirm).toBeEnabled());
    await user.click(confirm);
    expect(lastPayload(backend.calls, "assignments.start")).toEqual({
      tokenId: "1",
      profileId: "7",
      query: { tokenId: "1" },
    });
    await waitFor(() =>
      expect(within(dialog).getByTestId("assignment-run")).not.toHaveAttribute(
        "data-result",
        "running",
      ),
    );
  });

  it("opens a device's detail: facts per token, device name, cooldown and profile history", async () => {
    const { user } = setup();
    await user.click(await row("C02X000046"));
    const drawer = await screen.findByTestId("device-drawer");
    const record = await within(drawer).findByTestId("device-record-1");
    expect(record).toHaveTextContent("Retail West");
    expect(within(record).getByTestId("device-cooldown")).toHaveTextContent(/does not send it/);
    expect(within(drawer).getByTestId("device-history-empty")).toBeInTheDocument();
    // What syncs did to it, newest first: a status change named field by field.
    const events = within(record).getAllByTestId("device-event");
    expect(events.map((e) => e.getAttribute("data-kind"))).toEqual(["modified", "added"]);
    expect(events[0]).toHaveTextContent(/Apple changed it/);
    expect(events[0]).toHaveTextContent(/Profile status: empty →/);
    expect(events[1]).toHaveTextContent(/Apple listed it for this server/);
    await user.click(within(drawer).getByTestId("device-drawer-close"));
    await waitFor(() => expect(screen.queryByTestId("device-drawer")).not.toBeInTheDocument());

    await search(user, "ZZTEST");
    await user.click(await row("ZZTEST000001"));
    const second = await screen.findByTestId("device-drawer");
    expect(await within(second).findByTestId("device-rendered-name")).toHaveTextContent(
      "iPad-ZZTEST000001",
    );
    expect(within(second).getByTestId("device-depot-profile")).toHaveTextContent(
      "Sales iPads · version 1",
    );
    const [entry] = within(second).getAllByTestId("device-history-row");
    expect(entry).toHaveAttribute("data-outcome", "SUCCESS");
    expect(entry).toHaveTextContent("helpdesk");
  });

  it("refreshes the open list when a background sync ends, without waiting for a poll", async () => {
    let push: ChangeListener = () => undefined;
    setChangeSource((listener) => {
      push = listener;
      return () => {
        push = () => undefined;
      };
    });
    try {
      const { devices } = setup();
      await waitFor(() =>
        expect(screen.getByTestId("devices-total")).toHaveTextContent(`${LISTED} devices`),
      );
      // The scheduler's sync brought a device while the page was open.
      const template = devices.state.devices.find((d) => d.serial === "ZZTEST000001");
      devices.state.devices.push({
        ...(template as FakeDevice),
        serial: "A00NEW000001",
        history: [],
      });
      const progress: ChangeEvent = { kind: "syncProgress", tokenId: "1", runId: null };
      push(progress);
      push({ ...progress, kind: "syncFinished" });
      await waitFor(() =>
        expect(screen.getByTestId("devices-total")).toHaveTextContent(`${LISTED + 1} devices`),
      );
      expect(await row("A00NEW000001")).toBeInTheDocument();
    } finally {
      setChangeSource(null);
    }
  });

  it("deletes ticked devices from Depot after warning that Apple can bring them back", async () => {
    const { user, backend } = setup();
    await tick("C02X000002");
    await tick("C02X000006");
    await user.click(screen.getByTestId("devices-delete"));
    const dialog = await screen.findByTestId("delete-devices-dialog");
    expect(within(dialog).getByTestId("delete-devices-warning")).toHaveTextContent(
      /next full sync/,
    );
    await user.click(within(dialog).getByTestId("delete-devices-confirm"));
    expect(await screen.findByTestId("devices-deleted")).toHaveTextContent("2 devices were");
    expect(lastPayload(backend.calls, "devices.delete")).toEqual({
      tokenId: "1",
      serials: ["C02X000002", "C02X000006"],
    });
    await waitFor(() =>
      expect(screen.queryByTestId("device-row-C02X000002")).not.toBeInTheDocument(),
    );
    expect(screen.getByTestId("devices-total")).toHaveTextContent(`${LISTED - 2} devices`);
  });

  it("exports the filtered list: a download in a browser, the save dialog on the desktop", async () => {
    const browser = browserDownloads();
    const { user, backend, unmount } = setup({ host: browser.host });
    await row("C02X000002");
    await search(user, "DMPX");
    await waitFor(() => expect(screen.getByTestId("devices-total")).toHaveTextContent("72"));
    await user.click(screen.getByTestId("devices-export"));
    expect(await screen.findByTestId("devices-exported")).toHaveTextContent("72 devices");
    expect(lastPayload(backend.calls, "devices.export")).toEqual({
      query: { serialPrefix: "DMPX" },
    });
    expect(browser.downloads).toEqual([
      expect.objectContaining({
        fileName: "depot-devices-2026-06-01.csv",
        mimeType: "text/csv",
        contents: expect.stringContaining("DMPX000001") as unknown,
      }),
    ]);
    unmount();

    const files = desktopFiles();
    const desktop = setup({ host: files.host });
    await row("C02X000002");
    await desktop.user.click(screen.getByTestId("devices-export"));
    expect(await screen.findByTestId("devices-exported")).toHaveTextContent(
      "/home/admin/depot-devices-2026-06-01.csv",
    );
    expect(files.saved[0]?.contents).toContain("C02X000002");
    expect(lastPayload(desktop.backend.calls, "devices.export")).toEqual({ query: {} });
  });
});
