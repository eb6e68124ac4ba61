import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import {
  RpcError,
  setServerConnection,
  type BrowserConnectRequest,
  type ConnectRequest,
  type ServerConnection,
  type ServerStatus,
} from "../../platform";
import { fakeDepot } from "../../test/fakeDepot";
import { renderApp } from "../../test/renderApp";

const LOCAL: ServerStatus = {
  connected: false,
  url: null,
  fingerprint: null,
  name: null,
  role: null,
  scopeTags: [],
  problem: null,
  sessionKept: false,
};

const FINGERPRINT = "AB:CD:EF:01";

/** The shell's server commands, as a fake that records what it was asked. */
function fakeShell(initial: ServerStatus = LOCAL) {
  const calls: string[] = [];
  const requests: ConnectRequest[] = [];
  const browserRequests: BrowserConnectRequest[] = [];
  /** Resolves the pending browser sign-in (the person finished at their provider). */
  let finishBrowser: (() => void) | null = null;
  let status = initial;
  const connection: ServerConnection = {
    status: () => Promise.resolve(status),
    probe: (url) => {
      calls.push(`probe ${url}`);
      return Promise.resolve(FINGERPRINT);
    },
    connect: (request) => {
      requests.push(request);
      if (request.password !== "right password") {
        return Promise.reject(new RpcError("UNAUTHENTICATED", "The password is wrong."));
      }
      status = {
        ...LOCAL,
        connected: true,
        url: request.url,
        fingerprint: request.fingerprint,
        name: request.username,
        role: "help-desk",
        scopeTags: ["Berlin"],
        sessionKept: true,
      };
      return Promise.resolve(status);
    },
    connectWithBrowser: (request) => {
      browserRequests.push(request);
      if (request.url.includes("no-sso")) {
        return Promise.reject(
          new RpcError("INVALID_INPUT", "this server has no identity provider configured"),
        );
      }
      return new Promise<ServerStatus>((resolve) => {
        finishBrowser = () => {
          status = {
            ...LOCAL,
            connected: true,
            url: request.url,
            fingerprint: request.fingerprint,
            name: "ana@example.org",
            role: "administrator",
            sessionKept: true,
          };
          resolve(status);
        };
      });
    },
    disconnect: () => {
      calls.push("disconnect");
      status = LOCAL;
      return Promise.resolve(status);
    },
  };
  setServerConnection(connection);
  return { calls, requests, browserRequests, finish: () => finishBrowser?.() };
}

afterEach(() => setServerConnection(null));

describe("Connecting the desktop window to a Depot server", () => {
  it("is not offered in a browser, which is on the server already", async () => {
    renderApp({ handlers: fakeDepot().handlers, at: "#/settings" });
    expect(await screen.findByRole("heading", { name: "Appearance" })).toBeInTheDocument();
    expect(screen.queryByTestId("server-card")).not.toBeInTheDocument();
  });

  it("pins a self-signed server's certificate after the admin compares it", async () => {
    const shell = fakeShell();
    const { user } = renderApp({ handlers: fakeDepot().handlers, at: "#/settings" });
    await user.type(await screen.findByTestId("server-url"), "https://depot.example.org");
    await user.type(screen.getByTestId("server-username"), "ana");
    await user.type(screen.getByTestId("server-password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Check the certificate" }));
    expect(await screen.findByTestId("server-fingerprint")).toHaveTextContent(FINGERPRINT);
    expect(shell.calls).toEqual(["probe https://depot.example.org"]);
    expect(shell.requests).toEqual([]);

    await user.click(screen.getByTestId("server-trust"));
    expect(await screen.findByTestId("server-error")).toHaveTextContent("The password is wrong.");
    await user.clear(screen.getByTestId("server-password"));
    await user.type(screen.getByTestId("server-password"), "right password");
    await user.click(screen.getByTestId("server-trust"));

    const connected = await screen.findByTestId("server-connected");
    expect(connected).toHaveTextContent("https://depot.example.org");
    expect(connected).toHaveTextContent("ana (help-desk)");
    expect(connected).toHaveTextContent("Berlin");
    expect(connected).toHaveTextContent(`pinned, SHA-256 ${FINGERPRINT}`);
    // The window says where it works, on every page.
    expect(screen.getByTestId("topbar-server")).toHaveTextContent(
      "On depot.example.org as ana (help-desk)",
    );
    expect(shell.requests.at(-1)).toEqual({
      url: "https://depot.example.org",
      fingerprint: FINGERPRINT,
      username: "ana",
      password: "right password",
    });

    await user.click(screen.getByTestId("server-disconnect"));
    expect(await screen.findByTestId("server-connect-form")).toBeInTheDocument();
    expect(screen.queryByTestId("topbar-server")).not.toBeInTheDocument();
    expect(shell.calls).toContain("disconnect");
  });

  it("connects to a server on this computer without a certificate, and says why the last one ended", async () => {
    const shell = fakeShell({ ...LOCAL, problem: "the session has expired; sign in again" });
    const { user } = renderApp({ handlers: fakeDepot().handlers, at: "#/settings" });
    expect(await screen.findByText("the session has expired; sign in again")).toBeInTheDocument();
    await user.type(screen.getByTestId("server-url"), "http://127.0.0.1:8750");
    await user.type(screen.getByTestId("server-username"), "root");
    await user.type(screen.getByTestId("server-password"), "right password");
    await user.click(screen.getByTestId("server-connect"));
    await waitFor(() => expect(shell.requests).toHaveLength(1));
    expect(shell.requests[0]?.fingerprint).toBeNull();
    expect(shell.calls).toEqual([]);
    expect(await screen.findByTestId("server-connected")).toHaveTextContent(
      "none (a server on this computer)",
    );
  });

  it("signs in through the organisation's identity provider after pinning the certificate", async () => {
    const shell = fakeShell();
    const { user } = renderApp({ handlers: fakeDepot().handlers, at: "#/settings" });
    await user.type(await screen.findByTestId("server-url"), "https://no-sso.example.org");
    // No user name or password is needed for single sign-on.
    await user.click(screen.getByTestId("server-connect-browser"));
    await user.click(await screen.findByTestId("server-trust"));
    expect(await screen.findByTestId("server-error")).toHaveTextContent(
      "no identity provider configured",
    );

    await user.clear(screen.getByTestId("server-url"));
    await user.type(screen.getByTestId("server-url"), "https://depot.example.org");
    await user.click(screen.getByTestId("server-connect-browser"));
    expect(await screen.findByTestId("server-fingerprint")).toHaveTextContent(FINGERPRINT);
    await user.click(screen.getByTestId("server-trust"));
    expect(await screen.findByTestId("server-browser-waiting")).toHaveTextContent(
      "Finish signing in in your browser",
    );
    expect(screen.queryByTestId("server-error")).not.toBeInTheDocument();
    expect(shell.browserRequests.at(-1)).toEqual({
      url: "https://depot.example.org",
      fingerprint: FINGERPRINT,
    });
    expect(shell.requests).toEqual([]);

    shell.finish();
    expect(await screen.findByTestId("server-connected")).toHaveTextContent(
      "ana@example.org (administrator)",
    );
  });
});
