import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setSession, type PickedFile } from "../../platform";
import { fakeDepot } from "../../test/fakeDepot";
import { brokenVppFile, licences, vppFile, vppToken } from "../../test/fakeVpp";
import { renderApp } from "../../test/renderApp";

afterEach(() => setSession(null));

/** The fake's clock is 2026-06-01: these are 120 days left, 15 days left, and past. */
const TOKENS = [
  vppToken({
    id: "v1",
    name: "Contoso Apps and Books",
    locationName: "Contoso HQ",
    expiresAt: "2026-09-29T00:00:00Z",
    companyPortal: licences({ total: 100, assigned: 5 }),
  }),
  vppToken({
    id: "v2",
    name: "Northwind",
    locationName: "Northwind Schools",
    orgName: "Northwind Traders",
    expiresAt: "2026-06-16T00:00:00Z",
    state: "takenOver",
    otherMdm: "Jamf Pro",
    problem:
      "Another MDM, Jamf Pro, now manages this location. Add the token again to take it back.",
    companyPortal: licences({ total: 10, assigned: 2, deviceAssignable: false }),
  }),
  vppToken({
    id: "v3",
    name: "Fabrikam",
    locationName: "Fabrikam",
    expiresAt: "2026-05-01T00:00:00Z",
    state: "expired",
    problem: "The token expired. Download a new one and renew.",
    companyPortal: null,
    lastSyncAt: null,
  }),
];

function setup(
  options: {
    tokens?: typeof TOKENS;
    inUse?: Record<string, string[]>;
    files?: PickedFile[][];
  } = {},
) {
  const depot = fakeDepot({
    vpp: { tokens: options.tokens ?? TOKENS, inUse: options.inUse ?? {} },
  });
  const queue = [...(options.files ?? [])];
  const view = renderApp({
    handlers: depot.handlers,
    at: "#/vpp",
    host: { pickFiles: () => Promise.resolve(queue.shift() ?? []) },
  });
  return { ...view, depot };
}

const payloads = (calls: { name: string; payload: unknown }[], name: string) =>
  calls.filter((c) => c.name === name).map((c) => c.payload);

describe("Apps and Books tokens page", () => {
  it("is in the navigation next to the enrollment program tokens", () => {
    setup();
    const nav = screen.getByRole("navigation", { name: "Main navigation" });
    const labels = within(nav)
      .getAllByRole("link")
      .map((link) => link.textContent);
    expect(labels.indexOf("Apps and Books tokens")).toBe(
      labels.indexOf("Enrollment program tokens") + 1,
    );
    expect(within(nav).getByTestId("nav-vpp")).toHaveAttribute("href", "#/vpp");
  });

  it("lists each token with its state, expiry and Company Portal licences", async () => {
    setup();
    const row1 = await screen.findByTestId("vpp-row-v1");
    expect(row1).toHaveTextContent("Contoso Apps and Books");
    expect(row1).toHaveTextContent("Contoso HQ");
    expect(row1).toHaveTextContent("Contoso Retail");
    expect(screen.getByTestId("vpp-state-v1")).toHaveTextContent("OK");
    expect(screen.getByTestId("vpp-expiry-v1")).toHaveTextContent("Sep 29, 2026120 days left");
    expect(screen.getByTestId("vpp-expiry-v1")).toHaveAttribute("data-level", "ok");
    expect(screen.getByTestId("vpp-licences-v1")).toHaveTextContent(
      "95 of 100 available (5 assigned)",
    );
    expect(screen.getByTestId("vpp-licences-v1")).toHaveTextContent("as of May 31, 2026");
    expect(screen.queryByTestId("vpp-not-device-assignable-v1")).not.toBeInTheDocument();

    // Taken over, soon expiring, licences that cannot go to devices.
    expect(screen.getByTestId("vpp-state-v2")).toHaveTextContent("Taken over by Jamf Pro");
    expect(screen.getByTestId("vpp-problem-v2")).toHaveTextContent("Another MDM, Jamf Pro");
    expect(screen.getByTestId("vpp-expiry-v2")).toHaveTextContent("15 days left");
    expect(screen.getByTestId("vpp-expiry-v2")).toHaveAttribute("data-level", "warning");
    expect(screen.getByTestId("vpp-licences-v2")).toHaveTextContent(
      "8 of 10 available (2 assigned)",
    );
    expect(screen.getByTestId("vpp-not-device-assignable-v2")).toHaveTextContent(
      "Not device-assignable",
    );

    // Expired, never synced.
    expect(screen.getByTestId("vpp-state-v3")).toHaveTextContent("Expired");
    expect(screen.getByTestId("vpp-expiry-v3")).toHaveAttribute("data-level", "danger");
    expect(screen.getByTestId("vpp-expiry-v3")).toHaveTextContent("expired 31 days ago");
    expect(screen.getByTestId("vpp-licences-v3")).toHaveTextContent("Not read yet");
    expect(screen.getByTestId("vpp-last-sync-v3")).toHaveTextContent("Never");
  });

  it("syncs one token or all of them", async () => {
    const { user, backend } = setup();
    await user.click(await screen.findByTestId("vpp-sync-v1"));
    await waitFor(() => expect(payloads(backend.calls, "vpp.sync")).toEqual([{ id: "v1" }]));
    await waitFor(() => expect(screen.getByTestId("vpp-sync-all")).toBeEnabled());
    await user.click(screen.getByTestId("vpp-sync-all"));
    await waitFor(() => expect(payloads(backend.calls, "vpp.sync")).toEqual([{ id: "v1" }, {}]));
  });

  it("explains where the file comes from when there is no token", async () => {
    const { user } = setup({ tokens: [] });
    const empty = await screen.findByTestId("vpp-empty");
    expect(empty).toHaveTextContent("Payments and Billing");
    expect(empty).toHaveTextContent("Apps and Books");
    expect(empty).toHaveTextContent(".vpptoken");
    await user.click(within(empty).getByTestId("vpp-add"));
    expect(await screen.findByTestId("vpp-add-dialog")).toBeInTheDocument();
  });
});

describe("Add Apps and Books token", () => {
  it("asks before taking over a location another MDM manages, then retries with takeOver", async () => {
    const file = vppFile(
      {
        locationName: "Tailspin Toys",
        orgName: "Tailspin",
        expiresAt: "2027-05-01T00:00:00Z",
        claimedBy: "Other MDM Inc.",
        total: 50,
        assigned: 10,
      },
      "Tailspin.vpptoken",
    );
    const { user, backend } = setup({ tokens: [], files: [[file]] });
    await user.click(await screen.findByTestId("vpp-add"));
    const dialog = await screen.findByTestId("vpp-add-dialog");
    expect(within(dialog).getByTestId("vpp-add-submit")).toBeDisabled();
    // No demo mode here: nothing to say the file is from the simulator.
    expect(within(dialog).queryByTestId("vpp-add-simulator")).not.toBeInTheDocument();
    await user.click(within(dialog).getByTestId("vpp-add-pick-file"));
    expect(await within(dialog).findByTestId("vpp-add-file")).toHaveTextContent(
      "Tailspin.vpptoken",
    );
    await user.type(within(dialog).getByTestId("vpp-add-name"), "Tailspin licences");
    await user.click(within(dialog).getByTestId("vpp-add-submit"));

    const claimed = await within(dialog).findByTestId("vpp-add-claimed");
    expect(claimed).toHaveTextContent(
      "another MDM, 'Other MDM Inc.', manages the Apps and Books location 'Tailspin Toys'",
    );
    expect(claimed).toHaveTextContent(/neither knows what the other did/);
    expect(within(dialog).getByTestId("vpp-add-submit")).toBeDisabled();
    await user.click(within(claimed).getByTestId("vpp-add-take-over"));

    const done = await within(dialog).findByTestId("vpp-add-done");
    expect(done).toHaveTextContent("Tailspin licences");
    expect(within(dialog).getByTestId("vpp-fact-location")).toHaveTextContent("Tailspin Toys");
    expect(within(dialog).getByTestId("vpp-fact-licences")).toHaveTextContent(
      "40 of 50 available (10 assigned)",
    );
    const adds = payloads(backend.calls, "vpp.add") as Record<string, unknown>[];
    expect(adds).toHaveLength(2);
    expect(adds[0]).not.toHaveProperty("takeOver");
    expect(adds[0]).toMatchObject({ name: "Tailspin licences" });
    expect(adds[1]).toMatchObject({ name: "Tailspin licences", takeOver: true });
    expect(adds[0]).toMatchObject({
      file: { kind: "contents", fileName: "Tailspin.vpptoken" },
    });

    await user.click(within(dialog).getByTestId("vpp-add-close"));
    expect(await screen.findByTestId("vpp-row-v100")).toHaveTextContent("Tailspin licences");
  });

  it("shows other failures inline with the backend's message", async () => {
    const { user } = setup({ files: [[brokenVppFile("NOT_A_TOKEN_FILE", "server_token.p7m")]] });
    await user.click(await screen.findByTestId("vpp-add"));
    const dialog = await screen.findByTestId("vpp-add-dialog");
    await user.click(within(dialog).getByTestId("vpp-add-pick-file"));
    await within(dialog).findByTestId("vpp-add-file");
    await user.click(within(dialog).getByTestId("vpp-add-submit"));
    const error = await within(dialog).findByTestId("vpp-file-error");
    expect(error).toHaveAttribute("data-error-code", "NOT_A_TOKEN_FILE");
    expect(error).toHaveTextContent("This is not an Apps and Books token");
    expect(error).toHaveTextContent("this is not an Apps and Books token: choose the .vpptoken");
    expect(screen.queryByTestId("vpp-add-take-over")).not.toBeInTheDocument();
  });

  it("offers demo mode's simulator only while it runs", async () => {
    const file = vppFile({
      locationName: "Demo",
      orgName: "Demo Org",
      expiresAt: "2027-05-01T00:00:00Z",
    });
    const depot = fakeDepot({ vpp: { tokens: [] }, simulatorUrl: "http://127.0.0.1:9999" });
    const { user, backend } = renderApp({
      handlers: depot.handlers,
      at: "#/vpp",
      host: { pickFiles: () => Promise.resolve([file]) },
    });
    await user.click(await screen.findByTestId("vpp-add"));
    const dialog = await screen.findByTestId("vpp-add-dialog");
    await user.click(await within(dialog).findByTestId("vpp-add-simulator"));
    await user.click(within(dialog).getByTestId("vpp-add-pick-file"));
    await within(dialog).findByTestId("vpp-add-file");
    await user.click(within(dialog).getByTestId("vpp-add-submit"));
    await within(dialog).findByTestId("vpp-add-done");
    expect(payloads(backend.calls, "vpp.add")[0]).toMatchObject({ appsUrl: "simulator" });
  });
});

describe("Renew and delete", () => {
  it("renews with another location's file only once confirmed", async () => {
    const file = vppFile(
      {
        locationName: "Contoso Branch",
        orgName: "Contoso Retail",
        expiresAt: "2027-06-01T00:00:00Z",
      },
      "Branch.vpptoken",
    );
    const { user, backend } = setup({ files: [[file]] });
    await user.click(await screen.findByTestId("vpp-renew-v1"));
    const dialog = await screen.findByTestId("vpp-renew-dialog");
    expect(dialog).toHaveTextContent("Contoso HQ");
    await user.click(within(dialog).getByTestId("vpp-renew-pick-file"));
    await within(dialog).findByTestId("vpp-renew-file");
    await user.click(within(dialog).getByTestId("vpp-renew-submit"));

    const other = await within(dialog).findByTestId("vpp-renew-other");
    expect(other).toHaveTextContent(
      "this file is for the location 'Contoso Branch', not 'Contoso HQ'",
    );
    expect(within(dialog).getByTestId("vpp-renew-submit")).toBeDisabled();
    await user.click(within(other).getByTestId("vpp-renew-other-confirm"));

    await within(dialog).findByTestId("vpp-renew-done");
    expect(within(dialog).getByTestId("vpp-fact-location")).toHaveTextContent("Contoso Branch");
    const renews = payloads(backend.calls, "vpp.renew") as Record<string, unknown>[];
    expect(renews).toHaveLength(2);
    expect(renews[0]).toMatchObject({ id: "v1" });
    expect(renews[0]).not.toHaveProperty("otherLocation");
    expect(renews[1]).toMatchObject({ id: "v1", otherLocation: true });
  });

  it("shows why a token in use cannot be deleted", async () => {
    const { user, backend } = setup({ inUse: { v1: ["Sales iPads", "Kiosks"] } });
    await user.click(await screen.findByTestId("vpp-delete-v1"));
    const dialog = await screen.findByTestId("vpp-delete-dialog");
    await user.click(within(dialog).getByTestId("vpp-delete-confirm"));
    const inUse = await within(dialog).findByTestId("vpp-delete-in-use");
    expect(inUse).toHaveTextContent(
      "the Apps and Books token 'Contoso Apps and Books' is used by Sales iPads, Kiosks: choose another token there first",
    );
    expect(within(dialog).getByTestId("vpp-delete-confirm")).toBeDisabled();
    expect(within(dialog).getByTestId("vpp-delete-go-profiles")).toHaveAttribute(
      "href",
      "#/profiles",
    );
    expect(screen.getByTestId("vpp-row-v1")).toBeInTheDocument();
    expect(payloads(backend.calls, "vpp.delete")).toEqual([{ id: "v1" }]);
  });

  it("deletes a token no profile uses", async () => {
    const { user } = setup();
    await user.click(await screen.findByTestId("vpp-delete-v3"));
    await user.click(await screen.findByTestId("vpp-delete-confirm"));
    await waitFor(() => expect(screen.queryByTestId("vpp-row-v3")).not.toBeInTheDocument());
    expect(screen.queryByTestId("vpp-delete-dialog")).not.toBeInTheDocument();
  });
});

describe("roles", () => {
  const asRole = (actions: string[]) =>
    setSession({
      signInRequired: true,
      current: () =>
        Promise.resolve({ name: "ana@example.org", role: "read-only", scopeTags: [], actions }),
      signIn: () => Promise.reject(new Error("unused")),
      signOut: () => Promise.resolve(),
    });

  it("shows a read-only person the tokens without Add, Renew, Delete or Sync", async () => {
    asRole(["read", "export"]);
    setup();
    await screen.findByTestId("vpp-row-v1");
    expect(screen.queryByTestId("vpp-add")).not.toBeInTheDocument();
    expect(screen.queryByTestId("vpp-renew-v1")).not.toBeInTheDocument();
    expect(screen.queryByTestId("vpp-delete-v1")).not.toBeInTheDocument();
    expect(screen.queryByTestId("vpp-sync-v1")).not.toBeInTheDocument();
    expect(screen.queryByTestId("vpp-sync-all")).not.toBeInTheDocument();
  });

  it("lets a role with sync but not manage sync, and nothing more", async () => {
    asRole(["read", "export", "assign", "sync"]);
    setup();
    await screen.findByTestId("vpp-row-v1");
    expect(screen.getByTestId("vpp-sync-v1")).toBeInTheDocument();
    expect(screen.getByTestId("vpp-sync-all")).toBeInTheDocument();
    expect(screen.queryByTestId("vpp-add")).not.toBeInTheDocument();
    expect(screen.queryByTestId("vpp-renew-v1")).not.toBeInTheDocument();
    expect(screen.queryByTestId("vpp-delete-v1")).not.toBeInTheDocument();
  });

  it("tells a read-only person with no tokens to ask an administrator", async () => {
    asRole(["read"]);
    setup({ tokens: [] });
    expect(await screen.findByTestId("vpp-ask-admin")).toBeInTheDocument();
    expect(screen.queryByTestId("vpp-add")).not.toBeInTheDocument();
  });
});
