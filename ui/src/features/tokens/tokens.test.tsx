import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { TokenFile } from "../../bindings/TokenFile";
import { failure } from "../../test/fakeBackend";
import { brokenFile, fakeDepot, portalFile, tokenDetail } from "../../test/fakeDepot";
import { desktopFiles } from "../../test/fakeHost";
import { renderApp } from "../../test/renderApp";

const RETAIL_WEST = {
  serverName: "Retail West",
  serverUuid: "9A8B7C6D-5E4F-4A3B-2C1D-0E9F8A7B6C5D",
  orgName: "Contoso Retail",
  adminId: "it-admin@contoso.com",
  expiresAt: "2027-06-01T00:00:00Z",
};

/** A file dialog whose next answers the test decides. */
function filePicker() {
  const queue: (TokenFile | null)[] = [];
  return {
    next: (file: TokenFile | null) => queue.push(file),
    pickTokenFile: () => Promise.resolve(queue.shift() ?? null),
  };
}

/** Captures browser downloads (Blob + <a download>) instead of performing them. */
function captureDownloads() {
  const blobs: Blob[] = [];
  const names: string[] = [];
  const create = vi.fn((blob: Blob) => {
    blobs.push(blob);
    return `blob:depot/${blobs.length}`;
  });
  Object.assign(URL, { createObjectURL: create, revokeObjectURL: vi.fn() });
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    names.push(this.download);
  });
  return { blobs, names };
}

const step = (n: number) => screen.findByTestId(`wizard-step-${n}`);

describe("Add token wizard", () => {
  it("walks consent → key → portal → Apple ID → file → tags → create, with the right help on the way", async () => {
    const depot = fakeDepot();
    const picker = filePicker();
    const openExternal = vi.fn(() => Promise.resolve());
    const downloads = captureDownloads();
    const { user, backend } = renderApp({
      handlers: depot.handlers,
      at: "#/tokens",
      host: { pickTokenFile: picker.pickTokenFile, openExternal },
    });

    await user.click(await screen.findByTestId("add-token"));

    // 1. Consent gates everything, including the step list.
    await step(1);
    expect(screen.getByTestId("wizard-next")).toBeDisabled();
    expect(screen.getByTestId("wizard-nav-2")).toBeDisabled();
    expect(backend.calls.map((c) => c.name)).not.toContain("tokens.generateKey");
    await user.click(screen.getByTestId("consent-checkbox"));
    expect(screen.getByTestId("wizard-next")).toBeEnabled();
    await user.click(screen.getByTestId("wizard-next"));

    // 2. A key is made once and shown; the browser downloads the PEM.
    const keyStep = await step(2);
    expect(await within(keyStep).findByTestId("key-fingerprint")).toHaveTextContent("AB:CD:EF:01");
    expect(backend.calls.filter((c) => c.name === "tokens.generateKey")).toEqual([
      { name: "tokens.generateKey", payload: { replace: false } },
    ]);
    await user.click(screen.getByTestId("download-key"));
    expect(await screen.findByTestId("key-saved")).toHaveTextContent("Depot_public_key.pem");
    expect(downloads.names).toEqual(["Depot_public_key.pem"]);
    expect(await downloads.blobs[0]?.text()).toContain("BEGIN CERTIFICATE");
    expect(backend.calls.map((c) => c.name)).not.toContain("tokens.savePublicKey");
    await user.click(screen.getByTestId("wizard-next"));

    // 3. The portal checklist opens Apple Business Manager.
    const portal = await step(3);
    expect(within(portal).getAllByRole("listitem")).toHaveLength(5);
    await user.click(screen.getByTestId("open-portal"));
    expect(openExternal).toHaveBeenCalledWith("https://business.apple.com/");
    await user.click(screen.getByTestId("wizard-next"));

    // 4. The Apple ID must look like an email address.
    await step(4);
    expect(screen.getByTestId("wizard-next")).toBeDisabled();
    await user.type(screen.getByTestId("apple-id-input"), "it-admin");
    expect(screen.getByText(/as an email address/)).toBeInTheDocument();
    expect(screen.getByTestId("wizard-next")).toBeDisabled();
    await user.type(screen.getByTestId("apple-id-input"), "@contoso.com");
    expect(screen.queryByText(/as an email address/)).not.toBeInTheDocument();
    await user.click(screen.getByTestId("wizard-next"));

    // 5. Each failure gets its own help; only a recognised token moves on.
    await step(5);
    expect(screen.getByTestId("wizard-next")).toBeDisabled();

    picker.next(brokenFile("WRONG_KEY", "old.p7m"));
    await user.click(screen.getByTestId("pick-token-file"));
    let error = await screen.findByTestId("token-file-error");
    expect(error).toHaveAttribute("data-error-code", "WRONG_KEY");
    expect(within(error).getByTestId("token-file-error-advice")).toHaveTextContent(
      /upload the \.pem file from the public key step/,
    );
    expect(within(error).getByTestId("go-to-key-step")).toBeInTheDocument();
    expect(screen.getByTestId("wizard-next")).toBeDisabled();

    picker.next(brokenFile("TERMS_NOT_ACCEPTED"));
    await user.click(screen.getByTestId("pick-token-file"));
    error = await screen.findByTestId("token-file-error");
    await waitFor(() => expect(error).toHaveAttribute("data-error-code", "TERMS_NOT_ACCEPTED"));
    expect(error).toHaveTextContent(/accept the updated terms/);
    expect(within(error).queryByTestId("go-to-key-step")).not.toBeInTheDocument();

    picker.next(brokenFile("NOT_A_TOKEN_FILE"));
    await user.click(screen.getByTestId("pick-token-file"));
    await waitFor(() =>
      expect(screen.getByTestId("token-file-error")).toHaveAttribute(
        "data-error-code",
        "NOT_A_TOKEN_FILE",
      ),
    );
    expect(screen.getByTestId("token-file-error")).toHaveTextContent(/not the \.pem public key/);

    picker.next(portalFile(RETAIL_WEST, "Retail_West_Token.p7m"));
    await user.click(screen.getByTestId("pick-token-file"));
    const preview = await screen.findByTestId("token-preview");
    expect(screen.queryByTestId("token-file-error")).not.toBeInTheDocument();
    expect(within(preview).getByTestId("preview-org")).toHaveTextContent("Contoso Retail");
    expect(within(preview).getByTestId("preview-server")).toHaveTextContent("Retail West");
    expect(preview).toHaveTextContent(RETAIL_WEST.serverUuid);
    expect(within(preview).getByTestId("preview-admin")).toHaveTextContent("it-admin@contoso.com");
    expect(within(preview).getByTestId("preview-expiry")).toHaveTextContent("365 days left");
    expect(within(preview).queryByTestId("simulator-badge")).not.toBeInTheDocument();
    expect(screen.getByTestId("picked-file")).toHaveTextContent("Retail_West_Token.p7m");
    await user.click(screen.getByTestId("wizard-next"));

    // 6. Optional scope tags: add two, remove one.
    await step(6);
    await user.type(screen.getByTestId("scope-tag-input"), "retail{Enter}");
    await user.type(screen.getByTestId("scope-tag-input"), "east{Enter}");
    expect(screen.getAllByTestId("scope-tag").map((t) => t.textContent)).toEqual([
      "retail",
      "east",
    ]);
    await user.click(screen.getByRole("button", { name: "Remove east" }));
    expect(screen.getAllByTestId("scope-tag").map((t) => t.textContent)).toEqual(["retail"]);
    await user.click(screen.getByTestId("wizard-next"));

    // 7. Review, then Create commits it all and opens the new token.
    const review = await step(7);
    expect(within(review).getByTestId("review-summary")).toHaveTextContent("Retail West");
    expect(within(review).getByTestId("review-summary")).toHaveTextContent("retail");
    await user.click(screen.getByTestId("wizard-create"));

    await screen.findByTestId("token-detail");
    const detail = screen.getByTestId("page-token-detail");
    expect(within(detail).getByRole("heading", { level: 1 })).toHaveTextContent("Retail West");
    expect(screen.getByTestId("token-added")).toBeInTheDocument();
    expect(window.location.hash).toBe("#/tokens/tok-1?added=1");
    const add = backend.calls.find((c) => c.name === "tokens.add");
    expect(add?.payload).toEqual({
      file: portalFile(RETAIL_WEST, "Retail_West_Token.p7m"),
      appleId: "it-admin@contoso.com",
      scopeTags: ["retail"],
    });
    expect(window.localStorage.getItem("depot.addTokenWizard.v1")).toBeNull();
    expect(depot.state.tokens).toHaveLength(1);
  });

  it("resumes at the step the admin left, with the same key and answers", async () => {
    const depot = fakeDepot();
    const first = renderApp({ handlers: depot.handlers, at: "#/tokens/add" });
    await step(1);
    await first.user.click(screen.getByTestId("consent-checkbox"));
    await first.user.click(screen.getByTestId("wizard-next"));
    expect(await screen.findByTestId("key-fingerprint")).toHaveTextContent("AB:CD:EF:01");
    await first.user.click(screen.getByTestId("wizard-next"));
    await step(3);
    await first.user.click(screen.getByTestId("wizard-next"));
    await step(4);
    await first.user.type(screen.getByTestId("apple-id-input"), "it-admin@contoso.com");
    first.unmount();

    // Days later: a new window, the same backend.
    const second = renderApp({ handlers: depot.handlers, at: "#/tokens/add" });
    await step(4);
    expect(screen.getByTestId("apple-id-input")).toHaveValue("it-admin@contoso.com");
    expect(screen.getByTestId("wizard-next")).toBeEnabled();
    await second.user.click(screen.getByTestId("wizard-nav-2"));
    expect(await screen.findByTestId("key-fingerprint")).toHaveTextContent("AB:CD:EF:01");
    expect(second.backend.calls.map((c) => c.name)).toContain("tokens.pendingKey");
    expect(second.backend.calls.map((c) => c.name)).not.toContain("tokens.generateKey");
    expect(depot.state.keysMade).toBe(1);
  });

  it("asks for the token file again after a break past step 5 (the file is not kept)", async () => {
    window.localStorage.setItem(
      "depot.addTokenWizard.v1",
      JSON.stringify({
        consent: true,
        step: 7,
        appleId: "it-admin@contoso.com",
        scopeTags: ["retail"],
        filePath: null,
        keySavedTo: null,
      }),
    );
    const depot = fakeDepot();
    depot.handlers["tokens.generateKey"]?.({ replace: false });
    renderApp({ handlers: depot.handlers, at: "#/tokens/add" });
    await step(5);
    expect(screen.getByTestId("wizard-nav-7")).toBeDisabled();
  });

  it("sends a key the admin never created back to step 2, which makes one", async () => {
    window.localStorage.setItem(
      "depot.addTokenWizard.v1",
      JSON.stringify({ consent: true, step: 4, appleId: "", scopeTags: [] }),
    );
    const depot = fakeDepot();
    renderApp({ handlers: depot.handlers, at: "#/tokens/add" });
    await step(2);
    expect(await screen.findByTestId("key-fingerprint")).toHaveTextContent("AB:CD:EF:01");
  });

  it("saves the public key through the native dialog on the desktop", async () => {
    const depot = fakeDepot();
    const desktop = desktopFiles("/home/admin/Desktop");
    const { user, backend } = renderApp({
      handlers: depot.handlers,
      at: "#/tokens/add",
      host: desktop.host,
    });
    await user.click(await screen.findByTestId("consent-checkbox"));
    await user.click(screen.getByTestId("wizard-next"));
    await user.click(await screen.findByTestId("download-key"));
    expect(await screen.findByTestId("key-saved")).toHaveTextContent(
      "/home/admin/Desktop/Depot_public_key.pem",
    );
    expect(desktop.saved).toEqual([
      expect.objectContaining({
        fileName: "Depot_public_key.pem",
        filterName: "PEM certificate",
        extensions: ["pem"],
        contents: expect.stringContaining("BEGIN CERTIFICATE") as unknown,
      }),
    ]);
    // The shell wrote the key; no command carried a path.
    expect(JSON.stringify(backend.calls)).not.toContain("/home/admin");
  });

  it("replaces the key only after a warning", async () => {
    const depot = fakeDepot();
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/tokens/add" });
    await user.click(await screen.findByTestId("consent-checkbox"));
    await user.click(screen.getByTestId("wizard-next"));
    expect(await screen.findByTestId("key-fingerprint")).toHaveTextContent("AB:CD:EF:01");
    await user.click(screen.getByTestId("generate-new-key"));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent(/can no longer be imported/);
    await user.click(within(dialog).getByTestId("generate-new-key-confirm"));
    await waitFor(() =>
      expect(screen.getByTestId("key-fingerprint")).toHaveTextContent("AB:CD:EF:02"),
    );
    expect(backend.calls.filter((c) => c.name === "tokens.generateKey").at(-1)?.payload).toEqual({
      replace: true,
    });
  });

  it("points a token for a server Depot already has to that token instead", async () => {
    const existing = tokenDetail(
      { id: "tok-9", serverName: "Retail West" },
      { serverUuid: RETAIL_WEST.serverUuid },
    );
    const depot = fakeDepot({ tokens: [existing] });
    const picker = filePicker();
    window.localStorage.setItem(
      "depot.addTokenWizard.v1",
      JSON.stringify({ consent: true, step: 5, appleId: "it-admin@contoso.com", scopeTags: [] }),
    );
    depot.handlers["tokens.generateKey"]?.({ replace: false });
    const { user } = renderApp({
      handlers: depot.handlers,
      at: "#/tokens/add",
      host: { pickTokenFile: picker.pickTokenFile },
    });
    await step(5);
    picker.next(portalFile(RETAIL_WEST));
    await user.click(screen.getByTestId("pick-token-file"));
    const duplicate = await screen.findByTestId("preview-duplicate");
    expect(within(duplicate).getByRole("link")).toHaveAttribute("href", "#/tokens/tok-9");
    expect(screen.getByTestId("wizard-next")).toBeDisabled();
  });

  it("sends the admin back to the key step when no key is waiting", async () => {
    const depot = fakeDepot();
    depot.handlers["tokens.generateKey"]?.({ replace: false });
    const picker = filePicker();
    window.localStorage.setItem(
      "depot.addTokenWizard.v1",
      JSON.stringify({ consent: true, step: 5, appleId: "it-admin@contoso.com", scopeTags: [] }),
    );
    const { user } = renderApp({
      handlers: {
        ...depot.handlers,
        "tokens.inspect": () => failure("NO_PENDING_KEY", "No key pair is waiting."),
      },
      at: "#/tokens/add",
      host: { pickTokenFile: picker.pickTokenFile },
    });
    await step(5);
    picker.next(portalFile(RETAIL_WEST));
    await user.click(screen.getByTestId("pick-token-file"));
    const error = await screen.findByTestId("token-file-error");
    expect(error).toHaveAttribute("data-error-code", "NO_PENDING_KEY");
    await user.click(within(error).getByTestId("go-to-key-step"));
    expect(await step(2)).toBeInTheDocument();
  });
});

describe("token list", () => {
  it("shows status, expiry, counts, tags and a Simulator badge only on simulator tokens", async () => {
    const depot = fakeDepot({
      tokens: [
        tokenDetail({
          id: "a",
          serverName: "Sales-East",
          expiresAt: "2026-06-13T00:00:00Z",
          deviceCount: 1520,
          scopeTags: ["retail"],
          defaultProfile: "Retail iPads",
        }),
        tokenDetail({ id: "b", serverName: "HQ", expiresAt: "2027-02-20T00:00:00Z" }),
        tokenDetail({ id: "c", serverName: "Schools", expiresAt: "2026-05-01T00:00:00Z" }),
        tokenDetail({ id: "d", serverName: "Warehouse", status: "termsNotAccepted" }),
        tokenDetail({ id: "e", serverName: "Old", status: "rejected" }),
        tokenDetail({ id: "f", serverName: "Simulator — Contoso Demo", simulator: true }),
      ],
    });
    const { user } = renderApp({ handlers: depot.handlers, at: "#/tokens" });
    const row = async (id: string) => screen.findByTestId(`token-row-${id}`);

    const a = await row("a");
    expect(within(a).getByTestId("token-status")).toHaveTextContent("Expires in 12 days");
    expect(a).toHaveTextContent("12 days left");
    expect(a).toHaveTextContent("1,520");
    expect(a).toHaveTextContent("Retail iPads");
    expect(a).toHaveTextContent("retail");
    expect(within(await row("b")).getByTestId("token-status")).toHaveTextContent("Active");
    expect(within(await row("c")).getByTestId("token-status")).toHaveTextContent("Expired");
    expect(await row("c")).toHaveTextContent("expired 31 days ago");
    expect(within(await row("d")).getByTestId("token-status")).toHaveTextContent(
      "Terms not accepted",
    );
    expect(within(await row("e")).getByTestId("token-status")).toHaveTextContent(
      "Rejected by Apple",
    );

    expect(within(await row("f")).getByTestId("simulator-badge")).toHaveTextContent("Simulator");
    for (const id of ["a", "b", "c", "d", "e"]) {
      expect(within(await row(id)).queryByTestId("simulator-badge")).not.toBeInTheDocument();
    }
    expect(a).toHaveAttribute("data-token-row", "Sales-East");

    await user.click(a);
    expect(await screen.findByTestId("token-detail")).toBeInTheDocument();
    expect(window.location.hash).toBe("#/tokens/a");
  });

  it("creates a demo token with the simulator and marks every simulator screen", async () => {
    const depot = fakeDepot();
    const { user } = renderApp({ handlers: depot.handlers, at: "#/tokens" });
    expect(screen.queryByTestId("simulator-badge")).not.toBeInTheDocument();
    await user.click(await screen.findByTestId("try-simulator"));
    const row = await screen.findByTestId("token-row-tok-demo");
    expect(row).toHaveTextContent("Simulator — Contoso Demo");
    expect(row).toHaveTextContent("2,500");
    expect(within(row).getByTestId("simulator-badge")).toBeInTheDocument();
    // The top bar says so on every page now.
    const top = await screen.findByTestId("topbar-simulator");
    expect(within(top).getByTestId("simulator-badge")).toBeInTheDocument();

    await user.click(row);
    await screen.findByTestId("token-detail");
    const detail = screen.getByTestId("page-token-detail");
    const header = within(detail).getAllByTestId("simulator-badge");
    expect(header.length).toBeGreaterThan(0);
  });

  it("shows progress while the demo starts", async () => {
    const depot = fakeDepot();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const start = depot.handlers["demo.start"];
    const { user } = renderApp({
      handlers: {
        ...depot.handlers,
        // The fake transport adopts a promise, so the demo can be held open.
        "demo.start": (req) =>
          gate.then(() => start?.(req)) as unknown as ReturnType<NonNullable<typeof start>>,
      },
      at: "#/tokens",
    });
    await user.click(await screen.findByTestId("try-simulator"));
    expect(await screen.findByText("Creating a demo token…")).toBeInTheDocument();
    expect(screen.queryByTestId("try-simulator")).not.toBeInTheDocument();
    release();
    expect(await screen.findByTestId("token-row-tok-demo")).toBeInTheDocument();
  });
});

describe("token detail", () => {
  const salesEast = () =>
    tokenDetail(
      {
        id: "tok-1",
        serverName: "Sales-East",
        appleId: "ABM-Admin@contoso.example",
        expiresAt: "2026-06-13T00:00:00Z",
        deviceCount: 1520,
        defaultProfile: "Retail iPads",
      },
      {
        serverUuid: "SERVER-EAST",
        keyFingerprint: "4A:9F:10",
        deleteBlockers: [
          {
            kind: "devices",
            message:
              "1520 devices of this token are in Depot — delete them on the Devices page first",
          },
          {
            kind: "defaultProfile",
            message:
              "'Retail iPads' is its default profile — clear the default on the Profiles page first",
          },
        ],
      },
    );

  it("shows the facts and lets the admin edit scope tags", async () => {
    const depot = fakeDepot({ tokens: [salesEast()] });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    await screen.findByTestId("token-detail");
    const detail = screen.getByTestId("page-token-detail");
    expect(within(detail).getByTestId("token-status")).toHaveTextContent("Expires in 12 days");
    expect(screen.getByTestId("detail-apple-id")).toHaveTextContent("ABM-Admin@contoso.example");
    expect(detail).toHaveTextContent("SERVER-EAST");
    expect(detail).toHaveTextContent("4A:9F:10");
    expect(screen.getByTestId("token-status-advice")).toHaveTextContent(/Renew/);
    expect(within(detail).queryByTestId("simulator-badge")).not.toBeInTheDocument();

    expect(screen.getByTestId("scope-tags-save")).toBeDisabled();
    await user.type(screen.getByTestId("scope-tag-input"), "east{Enter}");
    await user.click(screen.getByTestId("scope-tags-save"));
    await waitFor(() =>
      expect(backend.calls.find((c) => c.name === "tokens.setScopeTags")?.payload).toEqual({
        id: "tok-1",
        scopeTags: ["east"],
      }),
    );
    await waitFor(() => expect(screen.getByTestId("scope-tags-save")).toBeDisabled());
    expect(screen.getAllByTestId("scope-tag").map((t) => t.textContent)).toEqual(["east"]);
  });

  it("renews: Apple ID mismatch at the field, another server only after explicit confirmation", async () => {
    const depot = fakeDepot({ tokens: [salesEast()] });
    const picker = filePicker();
    const { user, backend } = renderApp({
      handlers: depot.handlers,
      at: "#/tokens/tok-1",
      host: { pickTokenFile: picker.pickTokenFile },
    });
    await user.click(await screen.findByTestId("renew-token"));
    const dialog = await screen.findByTestId("renew-dialog");
    expect(dialog).toHaveTextContent(/same MDM server/);
    expect(screen.getByTestId("renew-submit")).toBeDisabled();

    await user.type(screen.getByTestId("renew-apple-id"), "someone@contoso.example");
    picker.next(portalFile({ ...RETAIL_WEST, expiresAt: "2027-06-13T00:00:00Z" }, "renew.p7m"));
    await user.click(screen.getByTestId("renew-pick-file"));
    expect(await screen.findByTestId("renew-picked-file")).toHaveTextContent("renew.p7m");
    await user.click(screen.getByTestId("renew-submit"));
    expect(
      await within(dialog).findByText(/created with a different Apple ID/),
    ).toBeInTheDocument();

    // Same Apple ID in other capitals is accepted; the file is for another server.
    await user.clear(screen.getByTestId("renew-apple-id"));
    await user.type(screen.getByTestId("renew-apple-id"), "abm-admin@contoso.example");
    expect(within(dialog).queryByText(/created with a different Apple ID/)).not.toBeInTheDocument();
    await user.click(screen.getByTestId("renew-submit"));
    const other = await screen.findByTestId("renew-other-server");
    expect(other).toHaveTextContent("Retail West");
    expect(screen.getByTestId("renew-submit")).toBeDisabled();
    expect(depot.state.tokens[0]?.summary.expiresAt).toBe("2026-06-13T00:00:00Z");

    await user.click(screen.getByTestId("renew-force"));
    const done = await screen.findByTestId("renew-done");
    expect(done).toHaveTextContent("377 days");
    const renewCalls = backend.calls.filter((c) => c.name === "tokens.renew");
    expect(renewCalls.map((c) => (c.payload as { force: boolean }).force)).toEqual([
      false,
      false,
      true,
    ]);
    await user.click(screen.getByTestId("renew-close"));
    await waitFor(() => expect(screen.getByTestId("detail-expiry")).toHaveTextContent("377 days"));
  });

  it("renews straight away with a file for the same server", async () => {
    const depot = fakeDepot({ tokens: [salesEast()] });
    const picker = filePicker();
    const { user } = renderApp({
      handlers: depot.handlers,
      at: "#/tokens/tok-1",
      host: { pickTokenFile: picker.pickTokenFile },
    });
    await user.click(await screen.findByTestId("renew-token"));
    await user.type(await screen.findByTestId("renew-apple-id"), "abm-admin@contoso.example");
    picker.next(
      portalFile({ ...RETAIL_WEST, serverUuid: "SERVER-EAST", expiresAt: "2027-06-13T00:00:00Z" }),
    );
    await user.click(screen.getByTestId("renew-pick-file"));
    await screen.findByTestId("renew-picked-file");
    await user.click(screen.getByTestId("renew-submit"));
    expect(await screen.findByTestId("renew-done")).toHaveTextContent("Jun 13, 2027");
    expect(screen.queryByTestId("renew-other-server")).not.toBeInTheDocument();
  });

  it("lists each delete blocker with a link to the page that fixes it", async () => {
    const depot = fakeDepot({ tokens: [salesEast()] });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    await user.click(await screen.findByTestId("delete-token"));
    const blockers = await screen.findByTestId("delete-blockers");
    const [devices, profile, ...rest] = within(blockers).getAllByTestId("delete-blocker");
    expect(rest).toHaveLength(0);
    expect(devices).toHaveAttribute("data-kind", "devices");
    expect(devices).toHaveTextContent(
      "1520 devices of this token are in Depot — delete them on the Devices page first.",
    );
    expect(within(devices!).getByRole("link")).toHaveAttribute("href", "#/devices");
    expect(within(devices!).getByRole("link")).toHaveTextContent("Go to Devices");
    expect(profile).toHaveAttribute("data-kind", "defaultProfile");
    // Fragments from the backend read as sentences.
    expect(profile).toHaveTextContent(/^'Retail iPads' is its default profile/);
    expect(within(profile!).getByRole("link")).toHaveAttribute("href", "#/profiles");
    expect(within(profile!).getByRole("link")).toHaveTextContent("Go to Profiles");
    expect(screen.getByTestId("delete-confirm")).toBeDisabled();
    expect(backend.calls.map((c) => c.name)).not.toContain("tokens.delete");
  });

  it("links only to the page that fixes the blocker there is", async () => {
    const token = tokenDetail(
      { id: "tok-3", serverName: "Warehouse", defaultProfile: "Scanners" },
      {
        deleteBlockers: [
          {
            kind: "defaultProfile",
            message:
              "'Scanners' is its default profile — clear the default on the Profiles page first",
          },
        ],
      },
    );
    const { user } = renderApp({
      handlers: fakeDepot({ tokens: [token] }).handlers,
      at: "#/tokens/tok-3",
    });
    await user.click(await screen.findByTestId("delete-token"));
    const blockers = await screen.findByTestId("delete-blockers");
    expect(within(blockers).getAllByRole("link")).toHaveLength(1);
    expect(within(blockers).getByTestId("delete-fix-profiles")).toHaveAttribute(
      "href",
      "#/profiles",
    );
    expect(within(blockers).queryByTestId("delete-fix-devices")).not.toBeInTheDocument();
  });

  it("shows the backend's TOKEN_IN_USE message with the link for what blocks now, and deletes a free token", async () => {
    const free = tokenDetail({ id: "tok-2", serverName: "HQ" });
    const depot = fakeDepot({ tokens: [free] });
    let inUse = true;
    const { user, backend } = renderApp({
      handlers: {
        ...depot.handlers,
        "tokens.delete": (req) => {
          if (!inUse) return depot.handlers["tokens.delete"]?.(req) ?? failure("INTERNAL", "x");
          // A sync assigned devices after the page loaded.
          free.deleteBlockers = [
            { kind: "devices", message: "3 devices of this token are in Depot" },
          ];
          return failure("TOKEN_IN_USE", "this token cannot be deleted yet: 3 devices arrived");
        },
      },
      at: "#/tokens/tok-2",
    });
    await user.click(await screen.findByTestId("delete-token"));
    await user.click(await screen.findByTestId("delete-confirm"));
    const blockers = await screen.findByTestId("delete-blockers");
    expect(within(blockers).getByTestId("delete-in-use")).toHaveTextContent(
      "This token cannot be deleted yet: 3 devices arrived.",
    );
    expect(screen.getByTestId("delete-confirm")).toBeDisabled();
    // The token is fetched again, so the link points at what blocks it.
    await waitFor(() =>
      expect(within(blockers).queryByTestId("delete-fix-profiles")).not.toBeInTheDocument(),
    );
    expect(within(blockers).getByTestId("delete-fix-devices")).toHaveAttribute("href", "#/devices");
    expect(backend.calls.filter((c) => c.name === "tokens.get")).toHaveLength(2);
    free.deleteBlockers = [];

    // Close, try again once the devices are gone.
    await user.click(
      within(screen.getByTestId("delete-dialog")).getByRole("button", { name: "Cancel" }),
    );
    await waitFor(() => expect(screen.queryByTestId("delete-dialog")).not.toBeInTheDocument());
    inUse = false;
    await user.click(screen.getByTestId("delete-token"));
    await user.click(await screen.findByTestId("delete-confirm"));
    expect(await screen.findByTestId("tokens-empty")).toBeInTheDocument();
    expect(depot.state.tokens).toHaveLength(0);
  });

  it("says so when the token does not exist", async () => {
    renderApp({ handlers: fakeDepot().handlers, at: "#/tokens/nope" });
    expect(await screen.findByTestId("error-state")).toHaveAttribute(
      "data-error-code",
      "NOT_FOUND",
    );
  });
});

describe("settings", () => {
  it("marks a key file as less protected and explains it", async () => {
    renderApp({ handlers: fakeDepot({ keyProtection: "keyFile" }).handlers, at: "#/settings" });
    const protection = await screen.findByTestId("settings-key-protection");
    expect(protection).toHaveAttribute("data-protection", "keyFile");
    expect(within(protection).getByTestId("settings-key-protection-badge")).toHaveTextContent(
      "Less protected",
    );
    expect(protection).toHaveTextContent(/only your user account can read/);
  });

  it("shows the keychain as protected", async () => {
    renderApp({ handlers: fakeDepot().handlers, at: "#/settings" });
    expect(await screen.findByTestId("settings-key-protection-badge")).toHaveTextContent(
      "Protected",
    );
  });
});
