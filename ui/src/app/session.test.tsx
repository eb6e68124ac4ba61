import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { WorkspaceInfo } from "../bindings/WorkspaceInfo";
import { RpcError, setSession, type SessionService, type SessionUser } from "../platform";
import { accessMayHaveChanged, signedOut } from "../platform/session";
import { renderApp } from "../test/renderApp";

// The sign-in page and the session in the top bar, as a browser served by
// `depot serve` shows them. The session service is scripted here; the real
// one (HTTP) is covered in platform.test.ts and, against a real server, by
// the browser tests in tests/web/.

const ana: SessionUser = {
  name: "ana@example.org",
  role: "help-desk",
  scopeTags: [],
  actions: ["read", "export", "assign", "sync"],
};

const workspace: WorkspaceInfo = {
  path: "/var/lib/depot/workspace.sqlite",
  schemaVersion: 4,
  counts: { tokens: 0, profiles: 0, devices: 0, auditEntries: 0 },
  keyProtection: "keyFile",
  simulatorUrl: null,
};

const backend = {
  "workspace.info": () => workspace,
  "tokens.list": () => ({ tokens: [] }),
  "sync.overview": () => ({ tokens: [] }),
  "audit.list": () => ({ entries: [], nextBefore: null, actions: [] }),
};

/** A server with one account, ana, whose password is "right one". */
function fakeServer(options: { signedIn?: boolean; tooManyTries?: boolean } = {}) {
  let user: SessionUser | null = options.signedIn ? ana : null;
  const tries: string[] = [];
  const service: SessionService = {
    signInRequired: true,
    current: () => Promise.resolve(user),
    signIn(username, password) {
      tries.push(username);
      if (options.tooManyTries) {
        return Promise.reject(
          new RpcError("LIMIT_REACHED", "too many failed sign-ins; try again in 15 minutes"),
        );
      }
      if (username !== ana.name || password !== "right one") {
        return Promise.reject(
          new RpcError(
            "UNAUTHENTICATED",
            "the user name or password is not right, or the account is disabled",
          ),
        );
      }
      user = ana;
      return Promise.resolve(ana);
    },
    signOut() {
      user = null;
      return Promise.resolve();
    },
  };
  setSession(service);
  return { tries };
}

afterEach(() => setSession(null));

describe("signing in to a Depot server", () => {
  it("asks for the account first, explains a refusal, then opens the app", async () => {
    const server = fakeServer();
    const { user, backend: calls } = renderApp({ handlers: backend });
    const page = await screen.findByTestId("signin-page");
    expect(within(page).getByRole("heading", { name: "Sign in to Depot" })).toBeInTheDocument();
    expect(screen.queryByRole("navigation", { name: "Main navigation" })).not.toBeInTheDocument();
    expect(calls.calls).toEqual([]);

    const submit = screen.getByTestId("signin-submit");
    expect(submit).toBeDisabled();
    await user.type(screen.getByTestId("signin-username"), ana.name);
    await user.type(screen.getByTestId("signin-password"), "wrong");
    await user.click(submit);
    const error = await screen.findByTestId("signin-error");
    expect(error).toHaveTextContent("Sign-in refused");
    expect(error).toHaveTextContent(
      "The user name or password is not right, or the account is disabled.",
    );
    // The password is cleared for the next try; the name stays.
    expect(screen.getByTestId("signin-password")).toHaveValue("");
    expect(screen.getByTestId("signin-username")).toHaveValue(ana.name);

    await user.type(screen.getByTestId("signin-password"), "right one{Enter}");
    const who = await screen.findByTestId("topbar-user");
    expect(who).toHaveTextContent("Signed in as ana@example.org (help-desk)");
    expect(screen.getByRole("navigation", { name: "Main navigation" })).toBeInTheDocument();
    expect(server.tries).toEqual([ana.name, ana.name]);
    await waitFor(() => expect(calls.calls.length).toBeGreaterThan(0));
  });

  it("shows the server's 'too many tries' answer as it says it", async () => {
    fakeServer({ tooManyTries: true });
    const { user } = renderApp({ handlers: backend });
    await user.type(await screen.findByTestId("signin-username"), ana.name);
    await user.type(screen.getByTestId("signin-password"), "anything{Enter}");
    const error = await screen.findByTestId("signin-error");
    expect(error).toHaveTextContent("Sign-in paused");
    expect(error).toHaveTextContent("Too many failed sign-ins; try again in 15 minutes.");
  });

  it("opens the app for someone already signed in, and signs out from the top bar", async () => {
    fakeServer({ signedIn: true });
    const { user } = renderApp({ handlers: backend });
    await screen.findByTestId("topbar-user");
    await user.click(screen.getByTestId("sign-out"));
    await screen.findByTestId("signin-page");
    expect(screen.getByTestId("signin-notice")).toHaveTextContent("You have signed out.");
    expect(screen.queryByTestId("topbar-user")).not.toBeInTheDocument();
  });

  it("goes back to the sign-in page when the server says the session ended", async () => {
    fakeServer({ signedIn: true });
    renderApp({ handlers: backend });
    await screen.findByTestId("topbar-user");
    act(() => signedOut("the session has expired; sign in again"));
    await screen.findByTestId("signin-page");
    expect(screen.getByTestId("signin-notice")).toHaveTextContent("Your session has ended");
  });

  it("follows a role changed on the server once a call is refused", async () => {
    let current: SessionUser = ana;
    setSession({
      signInRequired: true,
      current: () => Promise.resolve(current),
      signIn: () => Promise.reject(new Error("unused")),
      signOut: () => Promise.resolve(),
    });
    renderApp({ handlers: backend });
    const who = await screen.findByTestId("topbar-user");
    expect(who).toHaveTextContent("(help-desk)");
    current = { ...ana, role: "read-only", actions: ["read", "export"] };
    act(() => accessMayHaveChanged());
    await waitFor(() => expect(screen.getByTestId("topbar-user")).toHaveTextContent("(read-only)"));
  });

  it("says so when the server cannot be reached, and tries again", async () => {
    let reachable = false;
    setSession({
      signInRequired: true,
      current: () =>
        reachable
          ? Promise.resolve(null)
          : Promise.reject(new RpcError("INTERNAL", "Depot's server did not answer.")),
      signIn: () => Promise.reject(new Error("unused")),
      signOut: () => Promise.resolve(),
    });
    const { user } = renderApp({ handlers: backend });
    const bar = await screen.findByTestId("session-unreachable");
    expect(bar).toHaveTextContent("Depot's server did not answer.");
    reachable = true;
    await user.click(within(bar).getByRole("button", { name: "Try again" }));
    await screen.findByTestId("signin-page");
  });

  it("leaves out what the role may not do; an administrator gets it all", async () => {
    setSession({
      signInRequired: true,
      current: () => Promise.resolve({ ...ana, role: "read-only", actions: ["read", "export"] }),
      signIn: () => Promise.reject(new Error("unused")),
      signOut: () => Promise.resolve(),
    });
    const readOnly = renderApp({ handlers: backend, at: "#/tokens" });
    expect(await screen.findByTestId("tokens-ask-admin")).toHaveTextContent(
      "Ask a Depot administrator to add one.",
    );
    expect(screen.queryByTestId("try-simulator")).not.toBeInTheDocument();
    expect(screen.queryByTestId("add-token")).not.toBeInTheDocument();
    readOnly.unmount();

    setSession({
      signInRequired: true,
      current: () =>
        Promise.resolve({
          ...ana,
          role: "administrator",
          actions: ["read", "export", "assign", "sync", "manage", "manage-users"],
        }),
      signIn: () => Promise.reject(new Error("unused")),
      signOut: () => Promise.resolve(),
    });
    renderApp({ handlers: backend, at: "#/tokens" });
    await screen.findByTestId("try-simulator");
    expect(screen.getByTestId("add-token")).toBeInTheDocument();
  });

  it("says so when a bookmark leads someone to a wizard their role cannot use", async () => {
    setSession({
      signInRequired: true,
      current: () => Promise.resolve({ ...ana, role: "read-only", actions: ["read", "export"] }),
      signIn: () => Promise.reject(new Error("unused")),
      signOut: () => Promise.resolve(),
    });
    const { backend: calls } = renderApp({ handlers: backend, at: "#/tokens/add" });
    const note = await screen.findByTestId("not-for-your-role");
    expect(note).toHaveTextContent("Your role cannot add tokens");
    expect(calls.calls.map((c) => c.name)).not.toContain("tokens.pendingKey");
  });

  it("offers the organisation's identity provider when the server has one", async () => {
    setSession({
      signInRequired: true,
      current: () => Promise.resolve(null),
      signIn: () => Promise.reject(new Error("unused")),
      signOut: () => Promise.resolve(),
      identityProvider: () => Promise.resolve("/api/v1/oidc/login"),
    });
    renderApp({ handlers: backend });
    const link = await screen.findByTestId("signin-oidc");
    expect(link).toHaveAttribute("href", "/api/v1/oidc/login");
    expect(link).toHaveTextContent("Sign in with your organisation");
  });

  it("has nothing to sign in to in the desktop app", () => {
    renderApp({ handlers: backend });
    expect(screen.getByRole("navigation", { name: "Main navigation" })).toBeInTheDocument();
    expect(screen.queryByTestId("signin-page")).not.toBeInTheDocument();
    expect(screen.queryByTestId("sign-out")).not.toBeInTheDocument();
  });
});
