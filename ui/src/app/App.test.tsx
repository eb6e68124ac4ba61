import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TokenSummary } from "../bindings/TokenSummary";
import type { WorkspaceInfo } from "../bindings/WorkspaceInfo";
import { formatCount } from "../components/format";
import { failure } from "../test/fakeBackend";
import { renderApp } from "../test/renderApp";

const NAV = [
  ["dashboard", "Dashboard"],
  ["tokens", "Enrollment program tokens"],
  ["vpp", "Apps and Books tokens"],
  ["profiles", "Profiles"],
  ["devices", "Devices"],
  ["organisation", "Organisation"],
  ["sync", "Sync"],
  ["audit", "Audit log"],
  ["settings", "Settings"],
] as const;

/** happy-dom's stand-in for the OS appearance setting; `resize` makes media queries re-evaluate. */
function setSystemColorScheme(scheme: "light" | "dark") {
  const { happyDOM } = window as unknown as {
    happyDOM: { settings: { device: { prefersColorScheme: string } } };
  };
  happyDOM.settings.device.prefersColorScheme = scheme;
  window.dispatchEvent(new Event("resize"));
}

afterEach(() => setSystemColorScheme("light"));

const fmt = formatCount;

function workspace(counts: Partial<WorkspaceInfo["counts"]> = {}): WorkspaceInfo {
  return {
    path: "/home/admin/.local/share/depot/workspace.sqlite",
    schemaVersion: 4,
    counts: { tokens: 0, profiles: 0, devices: 0, auditEntries: 0, ...counts },
    keyProtection: "keychain",
    simulatorUrl: null,
  };
}

const emptyBackend = {
  "workspace.info": () => workspace(),
  "tokens.list": () => ({ tokens: [] }),
  "audit.list": () => ({ entries: [], nextBefore: null, actions: [] }),
  "sync.overview": () => ({ tokens: [] }),
};

describe("navigation", () => {
  it("lists the eight sections in order, as links in a navigation landmark", () => {
    renderApp({ handlers: emptyBackend });
    const nav = screen.getByRole("navigation", { name: "Main navigation" });
    const links = within(nav).getAllByRole("link");
    expect(links.map((link) => link.textContent)).toEqual(NAV.map(([, label]) => label));
    for (const [id] of NAV) {
      expect(within(nav).getByTestId(`nav-${id}`)).toHaveAttribute("href", `#/${id}`);
    }
  });

  it("opens the dashboard first", async () => {
    renderApp({ handlers: emptyBackend });
    expect(await screen.findByTestId("page-dashboard")).toBeInTheDocument();
    expect(screen.getByTestId("nav-dashboard")).toHaveAttribute("aria-current", "page");
  });

  it("shows each page with its heading when its nav item is clicked", async () => {
    const { user } = renderApp({ handlers: emptyBackend });
    for (const [id, label] of NAV) {
      await user.click(screen.getByTestId(`nav-${id}`));
      const page = await screen.findByTestId(`page-${id}`);
      expect(within(page).getByRole("heading", { level: 1 })).toHaveTextContent(label);
      expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
      expect(screen.getByTestId(`nav-${id}`)).toHaveAttribute("aria-current", "page");
      for (const [other] of NAV) {
        if (other !== id)
          expect(screen.getByTestId(`nav-${other}`)).not.toHaveAttribute("aria-current", "page");
      }
      expect(document.title).toBe(`${label} · Depot`);
    }
  });

  it("follows the address when the hash changes", async () => {
    renderApp({ handlers: emptyBackend });
    await screen.findByTestId("page-dashboard");
    act(() => {
      window.location.hash = "#/audit";
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    });
    expect(await screen.findByTestId("page-audit")).toBeInTheDocument();
  });

  it("says so for an unknown address instead of showing a blank page", async () => {
    renderApp({ handlers: emptyBackend, at: "#/nowhere" });
    const page = await screen.findByTestId("page-not-found");
    expect(page).toHaveTextContent("/nowhere");
    expect(within(page).getByRole("link", { name: /dashboard/i })).toHaveAttribute(
      "href",
      "#/dashboard",
    );
  });
});

describe("keyboard", () => {
  it("starts the tab order with the skip link", async () => {
    const { user } = renderApp({ handlers: emptyBackend });
    await screen.findByTestId("page-dashboard");
    await user.tab();
    expect(screen.getByTestId("skip-link")).toHaveFocus();
  });

  // Fluent's focus manager (Tabster) computes Tab order from layout, which
  // happy-dom does not have; the real Tab walk is covered in a browser. Here:
  // every item stays in the tab order and takes focus.
  it("keeps every nav item in the tab order and focusable", () => {
    renderApp({ handlers: emptyBackend });
    for (const [id] of NAV) {
      const item = screen.getByTestId(`nav-${id}`);
      expect(item.tabIndex).toBe(0);
      expect(item).not.toHaveAttribute("aria-hidden");
      item.focus();
      expect(item).toHaveFocus();
    }
  });

  it("opens a page from the keyboard", async () => {
    const { user } = renderApp({ handlers: emptyBackend });
    screen.getByTestId("nav-devices").focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("page-devices")).toBeInTheDocument();
  });

  it("skip link moves focus to the main content without changing the page", async () => {
    const { user } = renderApp({ handlers: emptyBackend, at: "#/sync" });
    await screen.findByTestId("page-sync");
    await user.tab();
    await user.keyboard("{Enter}");
    expect(screen.getByRole("main")).toHaveFocus();
    expect(window.location.hash).toBe("#/sync");
    expect(screen.getByTestId("page-sync")).toBeInTheDocument();
  });
});

describe("dashboard", () => {
  it("shows the workspace counts, path and schema version from the backend", async () => {
    const { backend } = renderApp({
      handlers: {
        ...emptyBackend,
        "workspace.info": () =>
          workspace({ tokens: 3, profiles: 12, devices: 204_816, auditEntries: 57 }),
      },
    });
    expect(await screen.findByTestId("count-tokens")).toHaveTextContent(fmt(3));
    expect(screen.getByTestId("count-profiles")).toHaveTextContent(fmt(12));
    expect(screen.getByTestId("count-devices")).toHaveTextContent(fmt(204_816));
    expect(screen.getByTestId("count-audit")).toHaveTextContent(fmt(57));
    expect(screen.getByTestId("workspace-path")).toHaveTextContent(
      "/home/admin/.local/share/depot/workspace.sqlite",
    );
    expect(screen.getByTestId("workspace-schema")).toHaveTextContent("4");
    expect(screen.queryByTestId("dashboard-next-step")).not.toBeInTheDocument();
    // With tokens, the dashboard also asks for its figures, in one call.
    // (Alerts are asked for on every page: the banner.)
    await waitFor(() =>
      expect(backend.calls.filter((c) => c.name !== "alerts.list")).toEqual([
        { name: "workspace.info", payload: {} },
        { name: "dashboard.summary", payload: {} },
      ]),
    );
  });

  it("points a new workspace to the tokens page", async () => {
    renderApp({ handlers: emptyBackend });
    const next = await screen.findByTestId("dashboard-next-step");
    expect(within(next).getByRole("link")).toHaveAttribute("href", "#/tokens");
  });

  it("shows the backend's error message and code, and recovers on Retry", async () => {
    let broken = true;
    const { user, backend } = renderApp({
      handlers: {
        "workspace.info": () =>
          broken
            ? failure(
                "WORKSPACE_UNAVAILABLE",
                "The workspace file /data/depot.sqlite is locked by another process.",
              )
            : workspace({ devices: 9 }),
      },
    });
    const error = await screen.findByTestId("error-state");
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent("Couldn't load workspace information");
    expect(within(error).getByTestId("error-message")).toHaveTextContent(
      "The workspace file /data/depot.sqlite is locked by another process.",
    );
    expect(error).toHaveTextContent("WORKSPACE_UNAVAILABLE");
    // The page keeps its heading and the navigation stays usable.
    expect(screen.getByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();

    const infoCalls = () => backend.calls.filter((c) => c.name === "workspace.info").length;
    const attempts = infoCalls();
    broken = false;
    await user.click(within(error).getByRole("button", { name: /retry/i }));
    expect(await screen.findByTestId("count-devices")).toHaveTextContent("9");
    expect(infoCalls()).toBe(attempts + 1);
    expect(screen.queryByTestId("error-state")).not.toBeInTheDocument();
  });

  it("does not retry an error that retrying cannot fix", async () => {
    const { backend } = renderApp({
      handlers: {
        "workspace.info": () => failure("SCHEMA_TOO_NEW", "Schema 9 is newer than this Depot (4)."),
      },
    });
    const error = await screen.findByTestId("error-state");
    expect(error).toHaveAttribute("data-error-code", "SCHEMA_TOO_NEW");
    expect(error).toHaveTextContent(/newer version of Depot/);
    expect(backend.calls.filter((c) => c.name === "workspace.info")).toHaveLength(1);
  });

  it("retries a transient failure once before reporting it", async () => {
    const { backend } = renderApp({
      handlers: { "workspace.info": () => failure("INTERNAL", "disk I/O error") },
    });
    expect(await screen.findAllByTestId("error-message")).not.toHaveLength(0);
    await waitFor(() =>
      expect(backend.calls.filter((c) => c.name === "workspace.info")).toHaveLength(2),
    );
    expect(screen.getByTestId("error-state")).toHaveTextContent("disk I/O error");
  });
});

describe("enrollment program tokens", () => {
  it("explains tokens in an empty state and offers Add token and the simulator", async () => {
    const { user } = renderApp({ handlers: emptyBackend, at: "#/tokens" });
    const empty = await screen.findByTestId("tokens-empty");
    expect(within(empty).getByRole("heading", { level: 2 })).toHaveTextContent(
      "No enrollment program tokens yet",
    );
    expect(empty).toHaveTextContent(/Apple Business Manager or Apple School Manager/);

    expect(within(empty).getByTestId("try-simulator")).toBeEnabled();
    const add = within(empty).getByTestId("add-token");
    expect(add).toHaveAccessibleName("Add token");
    expect(add).toBeEnabled();
    await user.click(add);
    expect(await screen.findByTestId("page-add-token")).toBeInTheDocument();
    expect(window.location.hash).toBe("#/tokens/add");
    // Still the tokens section in the navigation.
    expect(screen.getByTestId("nav-tokens")).toHaveAttribute("aria-current", "page");
  });

  it("lists tokens when the backend has some", async () => {
    const token: TokenSummary = {
      id: "tok-1",
      serverName: "Sales-East",
      orgName: "Contoso Retail",
      appleId: "abm-admin@contoso.example",
      expiresAt: "2027-03-01T00:00:00Z",
      daysLeft: 12,
      status: "expiring",
      simulator: false,
      defaultProfile: "Retail iPads",
      defaultProfiles: [{ platform: "iOS", label: "iOS/iPadOS", profile: "Retail iPads" }],
      overDeviceLimit: false,
      lastSyncAt: "2026-11-20T08:00:00Z",
      lastSyncResult: "ok",
      deviceCount: 1520,
      profileCount: 2,
      scopeTags: ["retail", "east"],
    };
    renderApp({
      handlers: { ...emptyBackend, "tokens.list": () => ({ tokens: [token] }) },
      at: "#/tokens",
    });
    const table = await screen.findByRole("table", { name: "Enrollment program tokens" });
    const row = within(table).getByRole("row", { name: /Sales-East/ });
    expect(row).toHaveTextContent("Contoso Retail");
    expect(row).toHaveTextContent("Expires in 12 days");
    expect(row).toHaveTextContent(fmt(1520));
    expect(row).toHaveTextContent("Retail iPads");
    expect(screen.getByTestId("token-last-sync-tok-1")).toHaveTextContent("Succeeded");
    expect(within(row).getByText("retail")).toBeInTheDocument();
    expect(within(row).getByText("east")).toBeInTheDocument();
    expect(screen.queryByTestId("tokens-empty")).not.toBeInTheDocument();
    expect(screen.getByTestId("add-token")).toBeEnabled();
  });

  it("shows why the list could not be loaded", async () => {
    renderApp({
      handlers: {
        ...emptyBackend,
        "tokens.list": () => failure("SCHEMA_TOO_NEW", "Workspace schema 7 is too new."),
      },
      at: "#/tokens",
    });
    expect(await screen.findByTestId("error-message")).toHaveTextContent(
      "Workspace schema 7 is too new.",
    );
    expect(screen.queryByTestId("tokens-empty")).not.toBeInTheDocument();
  });
});

describe("pages with nothing to list yet", () => {
  it.each([
    ["profiles", "profiles-empty"],
    ["devices", "devices-empty"],
    ["sync", "sync-empty"],
  ])("%s shows an empty state when the workspace has none", async (id, emptyId) => {
    renderApp({ handlers: emptyBackend, at: `#/${id}` });
    const empty = await screen.findByTestId(emptyId);
    expect(within(empty).getByRole("heading", { level: 2 })).toBeInTheDocument();
    expect(screen.queryByTestId("not-listed-yet")).not.toBeInTheDocument();
  });
});

describe("settings", () => {
  it("shows the workspace location, schema version and the system theme", async () => {
    renderApp({
      handlers: { ...emptyBackend, "workspace.info": () => workspace() },
      at: "#/settings",
    });
    expect(await screen.findByTestId("settings-workspace-path")).toHaveTextContent(
      "/home/admin/.local/share/depot/workspace.sqlite",
    );
    expect(screen.getByTestId("settings-schema-version")).toHaveTextContent("4");
    expect(screen.getByTestId("settings-theme")).toHaveTextContent("currently light");
  });

  it("switches to the dark theme when the system does, without a restart", async () => {
    renderApp({ handlers: emptyBackend, at: "#/settings" });
    const theme = await screen.findByTestId("settings-theme");
    expect(theme).toHaveTextContent("currently light");
    const provider = () => document.querySelector(".fui-FluentProvider");
    expect(provider()).toHaveAttribute("data-theme", "light");

    act(() => setSystemColorScheme("dark"));
    expect(theme).toHaveTextContent("currently dark");
    expect(provider()).toHaveAttribute("data-theme", "dark");
  });
});

describe("error boundary", () => {
  it("keeps the window usable when a page crashes", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { user } = renderApp({
      // A response missing its counts makes the dashboard throw while rendering.
      handlers: {
        ...emptyBackend,
        "workspace.info": () => ({ path: "/x", schemaVersion: 1 }) as unknown as WorkspaceInfo,
      },
    });
    const crash = await screen.findByTestId("error-boundary");
    expect(crash).toHaveTextContent("This page stopped working");
    await user.click(screen.getByTestId("nav-tokens"));
    expect(await screen.findByTestId("tokens-empty")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId("error-boundary")).not.toBeInTheDocument());
  });
});
