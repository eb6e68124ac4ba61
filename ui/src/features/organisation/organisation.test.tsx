import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setSession, type PickedFile } from "../../platform";
import { fakeDepot, orgAccount, orgDevice, type FakeOrgOptions } from "../../test/fakeDepot";
import { desktopFiles } from "../../test/fakeHost";
import { renderApp } from "../../test/renderApp";

afterEach(() => setSession(null));

const ACCOUNT = orgAccount({
  id: "org-a",
  name: "Contoso ABM",
  clientId: "BUSINESSAPI.aaaa",
  keyId: "KEY-A",
  lastSyncAt: "2026-05-31T22:00:00Z",
  devices: 4,
  assigned: 2,
  unassigned: 1,
  released: 1,
  servers: [
    { id: "srv-1", name: "Depot MDM", serverType: "MDM", tokenId: "tok-1", devices: 1 },
    { id: "srv-2", name: "Old Jamf", serverType: "MDM", tokenId: null, devices: 1 },
  ],
});

const DEVICES = [
  orgDevice({
    serial: "C02AAA",
    status: "ASSIGNED",
    serverId: "srv-1",
    serverName: "Depot MDM",
    tokenId: "tok-1",
    orderNumber: "ORD-100",
  }),
  orgDevice({
    serial: "C02BBB",
    status: "ASSIGNED",
    serverId: "srv-2",
    serverName: "Old Jamf",
    model: "iPad Air",
    family: "iPad",
  }),
  orgDevice({ serial: "C02CCC" }),
  orgDevice({ serial: "C02DDD", releasedAt: "2026-04-01T00:00:00Z" }),
];

function setup(org: FakeOrgOptions = {}, files: PickedFile[][] = []) {
  const depot = fakeDepot({
    org: { accounts: [ACCOUNT], devices: DEVICES, ...org },
  });
  const queue = [...files];
  const disk = desktopFiles();
  const view = renderApp({
    handlers: depot.handlers,
    at: "#/organisation",
    host: { ...disk.host, pickFiles: () => Promise.resolve(queue.shift() ?? []) },
  });
  return { ...view, depot, disk };
}

const payloads = (calls: { name: string; payload: unknown }[], name: string) =>
  calls.filter((c) => c.name === name).map((c) => c.payload);

const asRole = (actions: string[]) =>
  setSession({
    signInRequired: true,
    current: () =>
      Promise.resolve({ name: "ana@example.org", role: "read-only", scopeTags: [], actions }),
    signIn: () => Promise.reject(new Error("unused")),
    signOut: () => Promise.resolve(),
  });

describe("Organisation page", () => {
  it("is in the navigation after Devices", () => {
    setup();
    const nav = screen.getByRole("navigation", { name: "Main navigation" });
    const labels = within(nav)
      .getAllByRole("link")
      .map((link) => link.textContent);
    expect(labels.indexOf("Organisation")).toBe(labels.indexOf("Devices") + 1);
    expect(within(nav).getByTestId("nav-organisation")).toHaveAttribute("href", "#/organisation");
  });

  it("explains the API and offers to connect when no account is connected", async () => {
    const { user } = setup({ accounts: [], devices: [] });
    const empty = await screen.findByTestId("org-empty");
    expect(empty).toHaveTextContent("every device your organisation owns");
    expect(empty).toHaveTextContent("assigned to a server or not");
    await user.click(within(empty).getByTestId("org-connect"));
    expect(await screen.findByTestId("org-connect-dialog")).toBeInTheDocument();
  });

  it("connects an account with the key file's contents and the school flag", async () => {
    const key: PickedFile = {
      name: "Depot_API_Key.pem",
      bytes: new TextEncoder().encode(
        "-----BEGIN PRIVATE KEY-----\nABC\n-----END PRIVATE KEY-----\n",
      ),
    };
    const { user, backend } = setup({ accounts: [], devices: [] }, [[key]]);
    await user.click(await screen.findByTestId("org-connect"));
    const dialog = await screen.findByTestId("org-connect-dialog");
    expect(within(dialog).getByTestId("org-connect-submit")).toBeDisabled();
    await user.type(within(dialog).getByTestId("org-connect-client-id"), "SCHOOLAPI.1234");
    await user.type(within(dialog).getByTestId("org-connect-key-id"), "KEY-9");
    await user.click(within(dialog).getByTestId("org-connect-pick-file"));
    expect(await within(dialog).findByTestId("org-connect-file")).toHaveTextContent(
      "Depot_API_Key.pem",
    );
    await user.click(within(dialog).getByRole("checkbox", { name: /School Manager account/ }));
    await user.type(within(dialog).getByTestId("org-connect-name"), "Northwind Schools");
    await user.click(within(dialog).getByTestId("org-connect-submit"));

    await waitFor(() =>
      expect(payloads(backend.calls, "org.add")).toEqual([
        {
          clientId: "SCHOOLAPI.1234",
          keyId: "KEY-9",
          key: {
            kind: "contents",
            fileName: "Depot_API_Key.pem",
            contents: "-----BEGIN PRIVATE KEY-----\nABC\n-----END PRIVATE KEY-----\n",
          },
          school: true,
          name: "Northwind Schools",
        },
      ]),
    );
    const card = await screen.findByTestId("org-account-org-1");
    expect(card).toHaveTextContent("Northwind Schools");
    expect(card).toHaveTextContent("Apple School Manager");
    await waitFor(() => expect(screen.queryByTestId("org-connect-dialog")).not.toBeInTheDocument());
  });

  it("shows the backend's error when the key is refused", async () => {
    const key: PickedFile = { name: "notes.pem", bytes: new TextEncoder().encode("hello") };
    const { user } = setup({ accounts: [], devices: [] }, [[key]]);
    await user.click(await screen.findByTestId("org-connect"));
    const dialog = await screen.findByTestId("org-connect-dialog");
    await user.type(within(dialog).getByTestId("org-connect-client-id"), "BUSINESSAPI.1");
    await user.type(within(dialog).getByTestId("org-connect-key-id"), "K");
    await user.click(within(dialog).getByTestId("org-connect-pick-file"));
    await within(dialog).findByTestId("org-connect-file");
    await user.click(within(dialog).getByTestId("org-connect-submit"));
    const error = await within(dialog).findByTestId("error-state");
    expect(error).toHaveAttribute("data-error-code", "INVALID_INPUT");
    expect(error).toHaveTextContent("not a PEM private key");
  });

  it("shows each account with its counts and its servers linked to Depot's tokens", async () => {
    setup();
    const card = await screen.findByTestId("org-account-org-a");
    expect(card).toHaveTextContent("Apple Business Manager");
    expect(screen.getByTestId("org-client-org-a")).toHaveTextContent("BUSINESSAPI.aaaa");
    expect(screen.getByTestId("org-key-org-a")).toHaveTextContent("KEY-A");
    expect(screen.getByTestId("org-last-sync-org-a")).toHaveTextContent("May 31, 2026");
    expect(screen.getByTestId("org-counts-org-a")).toHaveTextContent(
      "4 in total · 2 assigned · 1 unassigned · 1 released",
    );
    const linked = screen.getByTestId("org-server-srv-1");
    expect(within(linked).getByRole("link", { name: "Depot MDM" })).toHaveAttribute(
      "href",
      "#/tokens/tok-1",
    );
    expect(linked).toHaveTextContent("1 device");
    const unlinked = screen.getByTestId("org-server-srv-2");
    expect(within(unlinked).queryByRole("link")).not.toBeInTheDocument();
    expect(unlinked).toHaveTextContent("No Depot token");
  });

  it("shows the last sync error, syncs and removes an account", async () => {
    const { user, backend, depot } = setup({
      accounts: [
        {
          ...ACCOUNT,
          lastError: "Apple refused the client assertion",
          failingSince: "2026-05-31T20:00:00Z",
          nextSyncAt: "2026-06-01T10:00:00Z",
        },
      ],
    });
    const error = await screen.findByTestId("org-last-error-org-a");
    expect(error).toHaveTextContent("Apple refused the client assertion");
    expect(error).toHaveTextContent(/failed since/);
    expect(screen.getByTestId("org-next-sync-org-a")).toHaveTextContent(/2026/);
    await user.click(screen.getByTestId("org-sync-org-a"));
    await waitFor(() => expect(payloads(backend.calls, "org.sync")).toEqual([{ id: "org-a" }]));

    await user.click(screen.getByTestId("org-remove-org-a"));
    const dialog = await screen.findByTestId("org-remove-dialog");
    await user.click(within(dialog).getByTestId("org-remove-confirm"));
    await waitFor(() => expect(payloads(backend.calls, "org.remove")).toEqual([{ id: "org-a" }]));
    expect(depot.org.accounts).toEqual([]);
    expect(await screen.findByTestId("org-empty")).toBeInTheDocument();
  });
});

describe("Organisation devices", () => {
  it("lists the devices and filters them by status, server and search", async () => {
    const { user, backend } = setup();
    const table = await screen.findByTestId("org-devices-table");
    expect(within(table).getAllByTestId(/^org-row-/)).toHaveLength(4);
    const row = screen.getByTestId("org-row-C02AAA");
    expect(row).toHaveTextContent("Depot MDM");
    expect(row).toHaveTextContent("ORD-100");
    expect(row).toHaveTextContent("Jan 15, 2026");
    expect(row).toHaveTextContent("RESELLER 123456");
    expect(screen.getByTestId("org-status-C02AAA")).toHaveTextContent("ASSIGNED");
    expect(screen.getByTestId("org-status-C02CCC")).toHaveTextContent("UNASSIGNED");
    expect(screen.getByTestId("org-row-C02DDD")).toHaveTextContent("Apr 1, 2026");
    expect(payloads(backend.calls, "org.devices")[0]).toEqual({ limit: 500 });

    await user.selectOptions(screen.getByTestId("org-filter-status"), "assigned");
    await waitFor(() => expect(screen.queryByTestId("org-row-C02CCC")).not.toBeInTheDocument());
    await user.selectOptions(screen.getByTestId("org-filter-server"), "srv-2");
    await waitFor(() => expect(screen.queryByTestId("org-row-C02AAA")).not.toBeInTheDocument());
    expect(payloads(backend.calls, "org.devices")).toContainEqual({
      status: "assigned",
      server: "srv-2",
      limit: 500,
    });

    await user.selectOptions(screen.getByTestId("org-filter-status"), "all");
    await user.selectOptions(screen.getByTestId("org-filter-server"), "");
    await user.type(screen.getByTestId("org-search"), "ipad");
    await waitFor(() =>
      expect(payloads(backend.calls, "org.devices")).toContainEqual({
        search: "ipad",
        limit: 500,
      }),
    );
    await waitFor(() =>
      expect(
        within(screen.getByTestId("org-devices-table")).getAllByTestId(/^org-row-/),
      ).toHaveLength(1),
    );
    // Debounced: no request per keystroke.
    expect(payloads(backend.calls, "org.devices")).not.toContainEqual({ search: "i", limit: 500 });
  });

  it("says when only the first 500 are shown", async () => {
    const many = Array.from({ length: 501 }, (_, i) =>
      orgDevice({ serial: `SN${String(i).padStart(4, "0")}` }),
    );
    setup({ devices: many });
    expect(
      await screen.findByTestId("org-devices-shown", {}, { timeout: 20_000 }),
    ).toHaveTextContent("First 500 shown");
  }, 30_000);

  it("exports the filtered list as CSV", async () => {
    const { user, backend, disk } = setup();
    await screen.findByTestId("org-devices-table");
    await user.selectOptions(screen.getByTestId("org-filter-status"), "unassigned");
    await user.click(screen.getByTestId("org-export"));
    expect(await screen.findByTestId("org-export-done")).toHaveTextContent(
      "2 devices exported to /home/admin/depot-organisation-devices-2026-06-01.csv",
    );
    expect(payloads(backend.calls, "org.export")).toEqual([{ status: "unassigned" }]);
    expect(disk.saved[0]?.contents).toBe(
      "serial,status,server\nC02CCC,UNASSIGNED,\nC02DDD,UNASSIGNED,",
    );
  });

  it("opens a device with its AppleCare coverage", async () => {
    const { user, backend } = setup({
      coverage: {
        C02AAA: [
          {
            description: "AppleCare+ for Mac",
            status: "ACTIVE",
            paymentType: "PAID_UP_FRONT",
            startsAt: "2026-01-20T00:00:00Z",
            endsAt: "2029-01-20T00:00:00Z",
            renewable: false,
            canceled: false,
            agreementNumber: "AGR-42",
          },
        ],
      },
    });
    await user.click(await screen.findByTestId("org-open-C02AAA"));
    const drawer = await screen.findByTestId("org-device-drawer");
    const facts = await within(drawer).findByTestId("org-device-facts");
    expect(facts).toHaveTextContent("MacBook Air 13-inch (M3)");
    expect(facts).toHaveTextContent("MRXN3LL/A");
    const coverage = within(drawer).getByTestId("org-coverage-0");
    expect(coverage).toHaveTextContent("AppleCare+ for Mac");
    expect(coverage).toHaveTextContent("ACTIVE");
    expect(coverage).toHaveTextContent("Jan 20, 2026 – Jan 20, 2029");
    expect(coverage).toHaveTextContent("PAID_UP_FRONT");
    expect(coverage).toHaveTextContent("Agreement AGR-42");
    expect(payloads(backend.calls, "org.device")).toEqual([{ serial: "C02AAA" }]);
  });

  it("links a device on one of Depot's servers to Depot's device list, and only such a device", async () => {
    const { user } = setup();
    await user.click(await screen.findByTestId("org-open-C02AAA"));
    const drawer = await screen.findByTestId("org-device-drawer");
    await within(drawer).findByTestId("org-device-facts");
    const link = within(drawer).getByTestId("org-device-open-depot");
    expect(link).toHaveTextContent("Open in Depot's device list");
    expect(link).toHaveAttribute("href", "#/devices?token=tok-1&serials=C02AAA");

    await user.click(within(drawer).getByTestId("org-device-close"));
    await waitFor(() => expect(screen.queryByTestId("org-device-drawer")).not.toBeInTheDocument());
    await user.click(await screen.findByTestId("org-open-C02BBB"));
    const other = await screen.findByTestId("org-device-drawer");
    await within(other).findByTestId("org-device-facts");
    expect(within(other).queryByTestId("org-device-open-depot")).not.toBeInTheDocument();
  });
});

describe("Assign and unassign", () => {
  it("previews, confirms, follows the activity until it ends and shows the results", async () => {
    const { user, backend } = setup({ activityPolls: 2 });
    await screen.findByTestId("org-devices-table");
    await user.click(screen.getByTestId("org-select-C02CCC"));
    await user.click(screen.getByTestId("org-select-C02BBB"));
    await user.type(screen.getByTestId("org-serials"), "C02AAA\nC02DDD, NOPE1");
    await user.selectOptions(screen.getByTestId("org-server-picker"), "srv-1");
    await user.click(screen.getByTestId("org-assign"));

    const preview = await screen.findByTestId("org-preview");
    expect(payloads(backend.calls, "org.preview")).toEqual([
      {
        kind: "assign",
        server: "srv-1",
        serials: ["C02CCC", "C02BBB", "C02AAA", "C02DDD", "NOPE1"],
      },
    ]);
    expect(within(preview).getByTestId("org-preview-will-change")).toHaveTextContent(
      "1 device will be assigned to Depot MDMC02CCC",
    );
    expect(within(preview).getByTestId("org-preview-already")).toHaveTextContent("C02AAA");
    expect(within(preview).getByTestId("org-preview-other-server")).toHaveTextContent(
      "C02BBB (Old Jamf)",
    );
    expect(within(preview).getByTestId("org-preview-other-server")).toHaveTextContent("they move");
    expect(within(preview).getByTestId("org-preview-released")).toHaveTextContent("C02DDD");
    expect(within(preview).getByTestId("org-preview-unknown")).toHaveTextContent("NOPE1");
    expect(within(preview).queryByTestId("org-preview-no-token")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("org-confirm"));
    await waitFor(() => expect(payloads(backend.calls, "org.start")).toHaveLength(1));
    const status = await screen.findByTestId("org-activity-status-act-1");
    expect(status).toHaveAttribute("data-finished", "false");
    await waitFor(() => expect(status).toHaveAttribute("data-finished", "true"));
    expect(status).toHaveTextContent("COMPLETED");
    expect(payloads(backend.calls, "org.activity").length).toBeGreaterThanOrEqual(3);
    expect(payloads(backend.calls, "org.activity")[0]).toEqual({ id: "act-1" });

    const activity = screen.getByTestId("org-activity-act-1");
    expect(within(activity).getByTestId("org-result-act-1-C02CCC")).toHaveTextContent("SUCCESS");
    expect(within(activity).getByTestId("org-result-act-1-C02BBB")).toHaveTextContent("SUCCESS");
    const token = within(activity).getByTestId("org-activity-token-act-1");
    expect(token).toHaveTextContent("Depot synced the token of Depot MDM");
    expect(within(token).getByRole("link")).toHaveAttribute("href", "#/devices?token=tok-1");

    // The list and the activities refetch.
    await user.click(screen.getByTestId("org-activity-close"));
    await waitFor(() =>
      expect(screen.getByTestId("org-row-C02CCC")).toHaveTextContent("Depot MDM"),
    );
    expect(await screen.findByTestId("org-activity-row-act-1")).toHaveTextContent("COMPLETED");
  });

  it("says when the server has no Depot token", async () => {
    const { user } = setup();
    await screen.findByTestId("org-devices-table");
    await user.click(screen.getByTestId("org-select-C02CCC"));
    await user.selectOptions(screen.getByTestId("org-server-picker"), "srv-2");
    await user.click(screen.getByTestId("org-assign"));
    expect(await screen.findByTestId("org-preview-no-token")).toHaveTextContent(
      "Old Jamf has no Depot token",
    );
  });

  it("unassigns from a server", async () => {
    const { user, backend } = setup();
    await screen.findByTestId("org-devices-table");
    await user.click(screen.getByTestId("org-select-C02AAA"));
    await user.selectOptions(screen.getByTestId("org-server-picker"), "srv-1");
    await user.click(screen.getByTestId("org-unassign"));
    expect(await screen.findByTestId("org-preview-will-change")).toHaveTextContent(
      "1 device will be unassigned from Depot MDM",
    );
    await user.click(screen.getByTestId("org-confirm"));
    await waitFor(() =>
      expect(screen.getByTestId("org-activity-status-act-1")).toHaveAttribute(
        "data-finished",
        "true",
      ),
    );
    expect(payloads(backend.calls, "org.start")).toEqual([
      { kind: "unassign", server: "srv-1", serials: ["C02AAA"] },
    ]);
  });
});

describe("roles", () => {
  it("shows a read-only person everything without Connect, Sync, Remove or assigning", async () => {
    asRole(["read", "export"]);
    setup();
    await screen.findByTestId("org-devices-table");
    expect(screen.queryByTestId("org-connect")).not.toBeInTheDocument();
    expect(screen.queryByTestId("org-sync-org-a")).not.toBeInTheDocument();
    expect(screen.queryByTestId("org-remove-org-a")).not.toBeInTheDocument();
    expect(screen.queryByTestId("org-assign")).not.toBeInTheDocument();
    expect(screen.queryByTestId("org-select-C02AAA")).not.toBeInTheDocument();
    expect(screen.getByTestId("org-export")).toBeInTheDocument();
  });

  it("lets a role with sync sync, and nothing more", async () => {
    asRole(["read", "export", "assign", "sync"]);
    setup();
    expect(await screen.findByTestId("org-sync-org-a")).toBeInTheDocument();
    expect(screen.queryByTestId("org-remove-org-a")).not.toBeInTheDocument();
    expect(screen.queryByTestId("org-assign")).not.toBeInTheDocument();
  });

  it("shows FORBIDDEN with its message to an account limited by scope tags", async () => {
    setup({ forbidden: true });
    const error = await screen.findByTestId("error-state");
    expect(error).toHaveAttribute("data-error-code", "FORBIDDEN");
    expect(within(error).getByTestId("error-message")).toHaveTextContent("limited by scope tags");
    expect(screen.queryByTestId("org-empty")).not.toBeInTheDocument();
  });
});
