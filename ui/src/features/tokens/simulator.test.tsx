import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TokenFile } from "../../bindings/TokenFile";
import { failure } from "../../test/fakeBackend";
import { fakeDepot, portalFile, tokenDetail } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

const step = (n: number) => screen.findByTestId(`wizard-step-${n}`);

/** A file dialog whose next answers the test decides. */
function filePicker() {
  const queue: (TokenFile | null)[] = [];
  return {
    next: (file: TokenFile | null) => queue.push(file),
    pickTokenFile: () => Promise.resolve(queue.shift() ?? null),
  };
}

/** Resumes the wizard at step 3 with a key waiting, as after a break. */
function atPortalStep() {
  window.localStorage.setItem(
    "depot.addTokenWizard.v1",
    JSON.stringify({ consent: true, step: 3, appleId: "", scopeTags: [] }),
  );
  const depot = fakeDepot();
  depot.handlers["tokens.generateKey"]?.({ replace: false });
  return depot;
}

function payloads(calls: { name: string; payload: unknown }[], name: string): unknown[] {
  return calls.filter((c) => c.name === name).map((c) => c.payload);
}

describe("Add token wizard with the simulated portal", () => {
  it("gets a token file on step 3 and carries it, with appleUrl 'simulator', to Create", async () => {
    const depot = fakeDepot();
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/tokens/add" });
    await user.click(await screen.findByTestId("consent-checkbox"));
    await user.click(screen.getByTestId("wizard-next"));
    expect(await screen.findByTestId("key-fingerprint")).toHaveTextContent("AB:CD:EF:01");
    await user.click(screen.getByTestId("wizard-next"));

    // 3. Apple's steps first; the simulator is a separate, secondary way.
    const portal = await step(3);
    expect(within(portal).getByTestId("open-portal")).toBeInTheDocument();
    expect(within(portal).queryByTestId("simulator-file-received")).not.toBeInTheDocument();
    const button = within(portal).getByTestId("simulator-portal");
    expect(button).toHaveTextContent("Get a token from the simulated portal");
    await user.click(button);
    const received = await within(portal).findByTestId("simulator-file-received");
    expect(received).toHaveTextContent("Token file received from the simulator");
    expect(received).toHaveTextContent(/Simulator_—_Fabrikam_Demo_Token_.*_smime\.p7m/);
    expect(payloads(backend.calls, "demo.issueToken")).toEqual([{}]);

    // The file is an encrypted credential: it never reaches storage.
    expect(window.localStorage.getItem("depot.addTokenWizard.v1")).not.toContain("FAKE-P7M");
    expect(window.localStorage.getItem("depot.addTokenWizard.v1")).not.toContain("smime");
    await user.click(screen.getByTestId("wizard-next"));

    await step(4);
    await user.type(screen.getByTestId("apple-id-input"), "it@fabrikam.example");
    await user.click(screen.getByTestId("wizard-next"));

    // 5. The file is already chosen and checked with the simulator, no dialog needed.
    const upload = await step(5);
    expect(within(upload).getByTestId("picked-file")).toHaveTextContent(/Fabrikam_Demo.*\.p7m/);
    expect(within(upload).getByTestId("pick-token-file")).toHaveTextContent(
      "Choose a file from Apple instead…",
    );
    const preview = await within(upload).findByTestId("token-preview");
    expect(within(preview).getByTestId("simulator-badge")).toHaveTextContent("Simulator");
    expect(preview).toHaveTextContent("The simulator recognised this token");
    expect(within(preview).getByTestId("preview-server")).toHaveTextContent(
      "Simulator — Fabrikam Demo",
    );
    const [inspected] = payloads(backend.calls, "tokens.inspect") as {
      file: TokenFile;
      appleUrl?: string;
    }[];
    expect(inspected?.appleUrl).toBe("simulator");
    expect(inspected?.file.kind).toBe("contents");
    await user.click(screen.getByTestId("wizard-next"));

    await step(6);
    await user.click(screen.getByTestId("wizard-next"));
    const review = await step(7);
    expect(within(review).getByTestId("simulator-badge")).toBeInTheDocument();
    await user.click(screen.getByTestId("wizard-create"));

    await screen.findByTestId("token-added");
    expect(payloads(backend.calls, "tokens.add")).toEqual([
      {
        file: inspected?.file,
        appleId: "it@fabrikam.example",
        scopeTags: [],
        appleUrl: "simulator",
      },
    ]);
    const detail = screen.getByTestId("page-token-detail");
    expect(within(detail).getByRole("heading", { level: 1 })).toHaveTextContent(
      "Simulator — Fabrikam Demo",
    );
    expect(within(detail).getAllByTestId("simulator-badge").length).toBeGreaterThan(0);
    expect(detail).toHaveTextContent("Apple serviceDepot's built-in simulator");
    expect(depot.state.tokens[0]?.appleUrl).toBe("simulator");
    expect(depot.state.tokens[0]?.summary.simulator).toBe(true);
  });

  it("lets the admin choose Apple's file instead, which is then checked with Apple", async () => {
    const depot = atPortalStep();
    const picker = filePicker();
    const { user, backend } = renderApp({
      handlers: depot.handlers,
      at: "#/tokens/add",
      host: { pickTokenFile: picker.pickTokenFile },
    });
    await user.click(await screen.findByTestId("simulator-portal"));
    await screen.findByTestId("simulator-file-received");
    await user.click(screen.getByTestId("wizard-next"));
    await user.type(await screen.findByTestId("apple-id-input"), "it-admin@contoso.com");
    await user.click(screen.getByTestId("wizard-next"));
    const upload = await step(5);
    await within(upload).findByTestId("token-preview");
    expect(within(upload).getAllByTestId("simulator-badge").length).toBe(2);

    const real = portalFile(
      {
        serverName: "Retail West",
        serverUuid: "RW-1",
        orgName: "Contoso Retail",
        adminId: "it-admin@contoso.com",
        expiresAt: "2027-06-01T00:00:00Z",
      },
      "Retail_West.p7m",
    );
    picker.next(real);
    await user.click(within(upload).getByTestId("pick-token-file"));
    await waitFor(() =>
      expect(within(upload).getByTestId("preview-server")).toHaveTextContent("Retail West"),
    );
    expect(within(upload).getByTestId("picked-file")).toHaveTextContent("Retail_West.p7m");
    expect(within(upload).queryByTestId("simulator-badge")).not.toBeInTheDocument();
    expect(within(upload).getByTestId("token-preview")).toHaveTextContent(
      "Apple recognised this token",
    );
    expect(payloads(backend.calls, "tokens.inspect").at(-1)).toEqual({ file: real });
  });

  it("sends the admin back to the key step when the simulated portal finds no key", async () => {
    const depot = atPortalStep();
    const { user } = renderApp({
      handlers: {
        ...depot.handlers,
        "demo.issueToken": (req) => {
          // The key was used up in another window.
          depot.state.pendingKey = null;
          return depot.handlers["demo.issueToken"]?.(req) ?? failure("INTERNAL", "x");
        },
      },
      at: "#/tokens/add",
    });
    await step(3);
    await user.click(await screen.findByTestId("simulator-portal"));
    const keyStep = await step(2);
    expect(within(keyStep).getByTestId("key-lost")).toHaveTextContent(/No public key was waiting/);
    expect(await within(keyStep).findByTestId("key-fingerprint")).toHaveTextContent("AB:CD:EF:02");
    expect(screen.queryByTestId("error-state")).not.toBeInTheDocument();
  });

  it("shows other simulated-portal failures on step 3", async () => {
    const depot = atPortalStep();
    const { user } = renderApp({
      handlers: {
        ...depot.handlers,
        "demo.issueToken": () => failure("INTERNAL", "the simulator could not start: port busy"),
      },
      at: "#/tokens/add",
    });
    await user.click(await screen.findByTestId("simulator-portal"));
    const error = await screen.findByTestId("error-state");
    expect(error).toHaveTextContent("Couldn't get a token from the simulated portal");
    expect(error).toHaveTextContent("port busy");
    expect(screen.getByTestId("wizard-step-3")).toBeInTheDocument();
  });
});

const fabrikam = () =>
  tokenDetail(
    {
      id: "tok-sim",
      serverName: "Simulator — Fabrikam Demo",
      orgName: "Contoso Ltd (simulated)",
      appleId: "it@fabrikam.example",
      expiresAt: "2026-06-20T00:00:00Z",
      simulator: true,
    },
    { appleUrl: "simulator", serverUuid: "SIM-FABRIKAM", keyFingerprint: "SIM:KEY" },
  );

describe("renew with the simulated portal", () => {
  it("gets the new file from the simulated portal for a simulator token", async () => {
    const depot = fakeDepot({ tokens: [fabrikam()] });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/tokens/tok-sim" });
    await user.click(await screen.findByTestId("renew-token"));
    const dialog = await screen.findByTestId("renew-dialog");
    expect(dialog).toHaveTextContent(/built-in simulator/);
    expect(within(dialog).queryByText(/Open Apple Business Manager/)).not.toBeInTheDocument();
    // The real file picker stays available.
    expect(within(dialog).getByTestId("renew-pick-file")).toBeInTheDocument();

    await user.type(within(dialog).getByTestId("renew-apple-id"), "IT@Fabrikam.example");
    await user.click(within(dialog).getByTestId("renew-simulator-file"));
    expect(await within(dialog).findByTestId("renew-picked-file")).toHaveTextContent(
      /Fabrikam_Demo_Token_.*_smime\.p7m/,
    );
    expect(within(dialog).getByTestId("simulator-badge")).toBeInTheDocument();
    expect(payloads(backend.calls, "demo.issueToken")).toEqual([{ forToken: "tok-sim" }]);

    await user.click(within(dialog).getByTestId("renew-submit"));
    expect(await within(dialog).findByTestId("renew-done")).toHaveTextContent("Jun 1, 2027");
    const [renewed] = payloads(backend.calls, "tokens.renew") as Record<string, unknown>[];
    expect(renewed).toMatchObject({ id: "tok-sim", appleId: "IT@Fabrikam.example", force: false });
    expect((renewed?.file as TokenFile | undefined)?.kind).toBe("contents");
    expect(renewed).not.toHaveProperty("appleUrl");
    expect(depot.state.tokens[0]?.summary.expiresAt).toBe("2027-06-01T00:00:00Z");
  });

  it("offers the simulated portal only for simulator tokens", async () => {
    const depot = fakeDepot({ tokens: [tokenDetail({ id: "tok-1", serverName: "HQ" })] });
    const { user } = renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    await user.click(await screen.findByTestId("renew-token"));
    const dialog = await screen.findByTestId("renew-dialog");
    expect(within(dialog).getByText(/Open Apple Business Manager/)).toBeInTheDocument();
    expect(within(dialog).queryByTestId("renew-simulator-file")).not.toBeInTheDocument();
  });
});

describe("check a token again", () => {
  it("asks Apple and shows the verdict, and the status follows", async () => {
    const depot = fakeDepot({ tokens: [tokenDetail({ id: "tok-1", serverName: "HQ" })] });
    const { user, backend } = renderApp({ handlers: depot.handlers, at: "#/tokens/tok-1" });
    const check = await screen.findByTestId("check-token");
    expect(check).toHaveTextContent("Check with Apple");
    const detail = screen.getByTestId("page-token-detail");
    expect(within(detail).getByTestId("token-status")).toHaveAttribute("data-status", "ok");

    depot.state.verdicts["tok-1"] = "termsNotAccepted";
    await user.click(check);
    const result = await screen.findByTestId("check-result");
    expect(result).toHaveAttribute("data-status", "termsNotAccepted");
    expect(result).toHaveTextContent(/terms and conditions have not been accepted/);
    await waitFor(() =>
      expect(within(detail).getByTestId("token-status")).toHaveTextContent("Terms not accepted"),
    );
    expect(payloads(backend.calls, "tokens.check")).toEqual([{ id: "tok-1" }]);

    depot.state.verdicts["tok-1"] = "ok";
    await user.click(check);
    await waitFor(() =>
      expect(screen.getByTestId("check-result")).toHaveAttribute("data-status", "ok"),
    );
    expect(screen.getByTestId("check-result")).toHaveTextContent("Apple accepts this token.");
    await waitFor(() =>
      expect(within(detail).getByTestId("token-status")).toHaveTextContent("Active"),
    );
  });

  it("asks the simulator for a simulator token, and explains a failure", async () => {
    const depot = fakeDepot({ tokens: [fabrikam()] });
    let reachable = false;
    const { user } = renderApp({
      handlers: {
        ...depot.handlers,
        "tokens.check": (req) =>
          reachable
            ? (depot.handlers["tokens.check"]?.(req) ?? failure("INTERNAL", "x"))
            : failure("APPLE_UNAVAILABLE", "connection refused"),
      },
      at: "#/tokens/tok-sim",
    });
    const check = await screen.findByTestId("check-token");
    expect(check).toHaveTextContent("Check with the simulator");
    await user.click(check);
    const error = await screen.findByTestId("check-error");
    expect(error).toHaveAttribute("data-error-code", "APPLE_UNAVAILABLE");
    expect(error).toHaveTextContent("connection refused");

    reachable = true;
    await user.click(check);
    const result = await screen.findByTestId("check-result");
    expect(result).toHaveTextContent(
      "The simulator accepts this token. Expires in 19 days — renew it soon.",
    );
    expect(screen.queryByTestId("check-error")).not.toBeInTheDocument();
  });
});
