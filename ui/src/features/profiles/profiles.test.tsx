import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Host, PickedFile } from "../../platform";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { browserDownloads, desktopFiles } from "../../test/fakeHost";
import { fakeProfiles, type SeedProfile } from "../../test/fakeProfiles";
import { renderApp } from "../../test/renderApp";

const ENROLL = "https://mdm.contoso.com/enroll";

const TOKENS = [
  tokenDetail({ id: "1", serverName: "Retail West" }),
  tokenDetail({ id: "2", serverName: "Retail East" }),
];

const PROFILES: SeedProfile[] = [
  { id: "7", tokenId: "1", name: "Sales iPads", deviceCount: 12, isDefault: true },
  {
    id: "8",
    tokenId: "1",
    name: "Kiosks",
    upload: {
      state: "failed",
      appleUuid: null,
      uploadedAt: null,
      error: "Apple could not be reached. The profile is saved but not uploaded; retry the upload",
    },
  },
  { id: "9", tokenId: "2", name: "Warehouse", draft: { description: "Scanners in the east hall" } },
];

function setup({
  at = "#/profiles",
  tokens = TOKENS,
  profiles = PROFILES,
  host,
}: {
  at?: string;
  tokens?: typeof TOKENS;
  profiles?: SeedProfile[];
  host?: Partial<Host>;
} = {}) {
  const depot = fakeDepot({ tokens });
  const fake = fakeProfiles(depot, { enrollmentUrl: ENROLL, profiles });
  const view = renderApp({ handlers: { ...depot.handlers, ...fake.handlers }, at, host });
  return { ...view, depot, fake };
}

const row = (name: string) => screen.findByTestId(`profile-row-${name}`);

/** The loaded profile page's title (read as text: a closing dialog may still hide the page). */
async function detailTitle() {
  await screen.findByTestId("profile-detail");
  return screen.getByTestId("page-profile-detail").querySelector("h1")?.textContent;
}

/**
 * An accordion header's button. Found by tag: while the Export menu closes and the
 * dialog opens, Fluent briefly hides the tree from role queries.
 */
async function accordionButton(container: HTMLElement, testId: string) {
  const header = await within(container).findByTestId(testId);
  const button = header.querySelector("button");
  if (!button) throw new Error(`${testId} has no button`);
  return button;
}

async function rowAction(user: ReturnType<typeof setup>["user"], name: string, action: string) {
  await user.click(within(await row(name)).getByTestId("profile-actions"));
  await user.click(await screen.findByTestId(action));
}

describe("Profiles page", () => {
  it("points to the tokens page while there are no tokens", async () => {
    setup({ tokens: [], profiles: [] });
    const empty = await screen.findByTestId("profiles-empty");
    expect(within(empty).getByTestId("profiles-empty-tokens")).toHaveAttribute("href", "#/tokens");
    expect(screen.queryByTestId("profiles-create")).not.toBeInTheDocument();
  });

  it("offers to create or import the first profile", async () => {
    const { user } = setup({ profiles: [] });
    const empty = await screen.findByTestId("profiles-empty");
    expect(empty).toHaveTextContent("No enrollment profiles yet");
    await user.click(within(empty).getByTestId("profiles-empty-create"));
    expect(await screen.findByTestId("wizard-step-1")).toBeInTheDocument();
  });

  it("lists every token's profiles with version, devices, default and upload state, and filters by token", async () => {
    const { user } = setup();
    const sales = await row("Sales iPads");
    expect(sales).toHaveTextContent("Retail West");
    expect(within(sales).getByTestId("profile-version")).toHaveTextContent("1");
    expect(within(sales).getByTestId("profile-devices")).toHaveTextContent("12");
    expect(within(sales).getByTestId("profile-default")).toBeInTheDocument();
    expect(within(sales).getByTestId("profile-upload-state")).toHaveAttribute(
      "data-state",
      "uploaded",
    );
    expect(within(sales).queryByTestId("profile-retry-upload")).not.toBeInTheDocument();

    const kiosks = await row("Kiosks");
    expect(within(kiosks).queryByTestId("profile-default")).not.toBeInTheDocument();
    expect(within(kiosks).getByTestId("profile-upload-state")).toHaveAttribute(
      "data-state",
      "failed",
    );
    expect(within(kiosks).getByTestId("profile-upload-error")).toHaveTextContent(
      /could not be reached/,
    );
    expect(await row("Warehouse")).toHaveTextContent("Scanners in the east hall");

    await user.selectOptions(screen.getByTestId("profiles-token-filter"), "2");
    await waitFor(() =>
      expect(screen.queryByTestId("profile-row-Sales iPads")).not.toBeInTheDocument(),
    );
    expect(window.location.hash).toBe("#/profiles?token=2");
    expect(await row("Warehouse")).toBeInTheDocument();
    // A filtered list sends the wizard to that token.
    await user.click(screen.getByTestId("profiles-create"));
    await screen.findByTestId("wizard-step-1");
    expect(within(screen.getByTestId("field-token")).getByRole("combobox")).toHaveValue("2");
  });

  it("retries a failed upload from the list", async () => {
    const { user } = setup();
    const kiosks = await row("Kiosks");
    await user.click(within(kiosks).getByTestId("profile-retry-upload"));
    await waitFor(() =>
      expect(within(kiosks).getByTestId("profile-upload-state")).toHaveAttribute(
        "data-state",
        "uploaded",
      ),
    );
    expect(within(kiosks).queryByTestId("profile-retry-upload")).not.toBeInTheDocument();
  });

  it("sets and clears the default profile", async () => {
    const { user } = setup();
    await rowAction(user, "Kiosks", "profile-set-default");
    await waitFor(() =>
      expect(
        within(screen.getByTestId("profile-row-Kiosks")).getByTestId("profile-default"),
      ).toBeInTheDocument(),
    );
    // One default per token: Sales iPads is no longer it.
    expect(
      within(screen.getByTestId("profile-row-Sales iPads")).queryByTestId("profile-default"),
    ).not.toBeInTheDocument();
    await rowAction(user, "Kiosks", "profile-clear-default");
    await waitFor(() =>
      expect(
        within(screen.getByTestId("profile-row-Kiosks")).queryByTestId("profile-default"),
      ).not.toBeInTheDocument(),
    );
  });

  it("confirms a delete, and shows the refusal of a profile that is in use", async () => {
    const { user } = setup();
    await rowAction(user, "Sales iPads", "profile-delete");
    let dialog = await screen.findByTestId("delete-profile-dialog");
    await user.click(within(dialog).getByTestId("delete-profile-confirm"));
    const refused = await within(dialog).findByTestId("delete-profile-in-use");
    expect(refused).toHaveAttribute("data-error-code", "PROFILE_IN_USE");
    expect(refused).toHaveTextContent(/default profile of 'Retail West'/);
    expect(refused).toHaveTextContent(/12 devices hold it/);
    expect(within(dialog).getByTestId("delete-profile-confirm")).toBeDisabled();
    await user.click(within(dialog).getByTestId("delete-profile-cancel"));
    expect(await row("Sales iPads")).toBeInTheDocument();

    await rowAction(user, "Warehouse", "profile-delete");
    dialog = await screen.findByTestId("delete-profile-dialog");
    await user.click(within(dialog).getByTestId("delete-profile-confirm"));
    await waitFor(() =>
      expect(screen.queryByTestId("profile-row-Warehouse")).not.toBeInTheDocument(),
    );
  });

  it("duplicates a profile under a new name and opens the copy", async () => {
    const { user } = setup();
    await rowAction(user, "Sales iPads", "profile-duplicate");
    const dialog = await screen.findByTestId("duplicate-dialog");
    const name = within(dialog).getByTestId("duplicate-name");
    expect(name).toHaveValue("Sales iPads (copy)");
    // A name the token already uses is refused at the field.
    await user.clear(name);
    await user.type(name, "Kiosks");
    await user.click(within(dialog).getByTestId("duplicate-confirm"));
    expect(
      await within(dialog).findByText(/already has a profile called 'Kiosks'/),
    ).toBeInTheDocument();
    await user.clear(name);
    await user.type(name, "Sales iPads (spare)");
    await user.click(within(dialog).getByTestId("duplicate-confirm"));
    expect(await detailTitle()).toBe("Sales iPads (spare)");
  });

  it("imports a depot.profile/v1 file for the chosen token and reports a bad file", async () => {
    const files: PickedFile[][] = [
      [{ name: "notes.json", bytes: new TextEncoder().encode("{ nope") }],
      [
        {
          name: "lab.depot-profile.json",
          bytes: new TextEncoder().encode(
            JSON.stringify({ format: "depot.profile/v1", name: "Lab iPads", supervised: true }),
          ),
        },
      ],
    ];
    const { user, backend } = setup({
      host: { pickFiles: () => Promise.resolve(files.shift() ?? []) },
    });
    await user.click(await screen.findByTestId("profiles-import"));
    const dialog = await screen.findByTestId("import-dialog");
    expect(within(dialog).getByTestId("import-pick-file")).toBeDisabled();
    await user.selectOptions(within(dialog).getByTestId("import-token"), "2");

    await user.click(within(dialog).getByTestId("import-pick-file"));
    const error = await within(dialog).findByTestId("import-error");
    expect(error).toHaveAttribute("data-error-code", "INVALID_INPUT");
    expect(error).toHaveTextContent("notes.json");

    await user.click(within(dialog).getByTestId("import-pick-file"));
    expect(await detailTitle()).toBe("Lab iPads");
    expect(backend.calls.filter((c) => c.name === "profiles.import").at(-1)?.payload).toMatchObject(
      {
        tokenId: "2",
      },
    );
  });
});

describe("Profile detail", () => {
  const HISTORY: SeedProfile = {
    id: "7",
    tokenId: "1",
    name: "Sales iPads",
    deviceCount: 12,
    history: [
      { supervised: false, department: { name: "Retail IT", phone: null, email: null } },
      { department: { name: "Retail IT", phone: "+1 555 0100", email: null } },
    ],
    draft: {
      department: { name: "Store IT", phone: "+1 555 0100", email: null },
      hiddenScreens: ["Siri"],
    },
  };

  it("shows the summary, Apple's UUID, the group rule with a copy button, and the licensing note", async () => {
    const { user } = setup({ at: "#/profiles/7", profiles: [HISTORY] });
    expect(await detailTitle()).toBe("Sales iPads");
    expect(screen.getByTestId("detail-version")).toHaveTextContent("3");
    expect(screen.getByTestId("detail-device-count")).toHaveTextContent("12");
    expect(screen.getByTestId("apple-uuid")).toHaveTextContent(/^[0-9A-F]{32}$/);
    expect(screen.getByTestId("profile-summary")).toHaveTextContent("Store IT");
    expect(screen.getByTestId("licensing-note")).toHaveTextContent(/device license/);
    const rule = screen.getByTestId("group-rule");
    expect(rule).toHaveTextContent('(device.enrollmentProfileName -eq "Sales iPads")');
    await user.click(screen.getByTestId("group-rule-copy"));
    expect(await navigator.clipboard.readText()).toBe(
      '(device.enrollmentProfileName -eq "Sales iPads")',
    );
    await user.click(screen.getByTestId("profile-edit"));
    expect(await screen.findByTestId("page-profile-edit")).toBeInTheDocument();
    expect(window.location.hash).toBe("#/profiles/7/edit");
  });

  it("lists the versions and compares two of them setting by setting", async () => {
    const { user } = setup({ at: "#/profiles/7", profiles: [HISTORY] });
    const history = await screen.findByTestId("version-history");
    expect(
      within(history)
        .getAllByTestId(/^version-row-/)
        .map((r) => r.dataset.testid),
    ).toEqual(["version-row-3", "version-row-2", "version-row-1"]);
    expect(within(history).getByTestId("version-row-1")).toHaveTextContent("admin");
    const compare = within(history).getByTestId("compare-versions");
    expect(compare).toBeDisabled();

    await user.click(within(history).getByTestId("version-select-1"));
    expect(compare).toBeDisabled();
    await user.click(within(history).getByTestId("version-select-3"));
    expect(compare).toHaveTextContent("Compare version 1 with 3");
    await user.click(compare);

    const table = await within(history).findByTestId("diff-table");
    const rows = within(table).getAllByTestId("diff-row");
    expect(rows.map((r) => r.dataset.field)).toEqual([
      "supervised",
      "department.name",
      "department.phone",
      "hiddenScreens",
    ]);
    const supervised = rows[0];
    if (!supervised) throw new Error("no row");
    expect(supervised).toHaveTextContent("Supervised");
    expect(within(supervised).getByTestId("diff-before")).toHaveTextContent("No");
    expect(within(supervised).getByTestId("diff-after")).toHaveTextContent("Yes");

    // Ticking a third version replaces the older pick.
    await user.click(within(history).getByTestId("version-select-2"));
    expect(within(history).queryByTestId("diff-table")).not.toBeInTheDocument();
    expect(compare).toHaveTextContent("Compare version 2 with 3");
    await user.click(compare);
    const next = await within(history).findByTestId("diff-table");
    expect(
      within(next)
        .getAllByTestId("diff-row")
        .map((r) => r.dataset.field),
    ).toEqual(["department.name", "hiddenScreens"]);
  });

  it("exports the profile file and the Apple JSON as downloads in a browser", async () => {
    const browser = browserDownloads();
    const { user } = setup({ at: "#/profiles/7", profiles: [HISTORY], host: browser.host });
    await screen.findByTestId("profile-detail");
    await user.click(screen.getByTestId("profile-export"));
    await user.click(await screen.findByTestId("export-profile"));
    await waitFor(() => expect(browser.downloads).toHaveLength(1));
    expect(browser.downloads[0]?.fileName).toBe("Sales-iPads.depot-profile.json");
    expect(browser.downloads[0]?.contents).toContain('"format": "depot.profile/v1"');

    await user.click(screen.getByTestId("profile-export"));
    await user.click(await screen.findByTestId("export-apple-json"));
    await waitFor(() => expect(browser.downloads).toHaveLength(2));
    expect(browser.downloads[1]?.fileName).toBe("Sales-iPads.apple-profile.json");
    expect(browser.downloads[1]?.contents).toContain('"profile_name": "Sales iPads"');
  });

  it("saves exports and the MDM handoff files through native dialogs on the desktop", async () => {
    const desktop = desktopFiles();
    const { user, backend } = setup({
      at: "#/profiles/7",
      profiles: [{ ...HISTORY, draft: { ...HISTORY.draft, deviceNameTemplate: "{{SERIAL}}" } }],
      host: desktop.host,
    });
    await screen.findByTestId("profile-detail");
    await user.click(screen.getByTestId("profile-export"));
    await user.click(await screen.findByTestId("export-apple-json"));
    expect(await screen.findByTestId("export-done")).toHaveTextContent(
      "Saved /home/admin/Sales-iPads.apple-profile.json",
    );
    expect(desktop.saved.map((f) => f.fileName)).toEqual(["Sales-iPads.apple-profile.json"]);
    expect(desktop.saved[0]?.contents).toContain('"profile_name": "Sales iPads"');

    await user.click(screen.getByTestId("profile-export"));
    await user.click(await screen.findByTestId("handoff-files"));
    const dialog = await screen.findByTestId("handoff-dialog");
    await user.click(await accordionButton(dialog, "handoff-toggle-device-names.plist"));
    expect(await within(dialog).findByTestId("handoff-file-device-names.plist")).toHaveTextContent(
      "F9FXK2ABCD12",
    );
    await user.click(within(dialog).getByTestId("handoff-save"));
    expect(await within(dialog).findByTestId("handoff-saved")).toHaveTextContent(
      "Saved 2 files to /home/admin/handoff",
    );
    expect(desktop.folders[0]?.files.map((f) => f.name)).toEqual([
      "README.txt",
      "device-names.plist",
    ]);
    // Only contents went to the shell: no command named a path or folder.
    expect(JSON.stringify(backend.calls)).not.toContain("/home/admin");
  });

  it("shows the handoff files with copy and download buttons in a browser", async () => {
    const browser = browserDownloads();
    const { user } = setup({ at: "#/profiles/7", profiles: [HISTORY], host: browser.host });
    await screen.findByTestId("profile-detail");
    await user.click(screen.getByTestId("profile-export"));
    await user.click(await screen.findByTestId("handoff-files"));
    const dialog = await screen.findByTestId("handoff-dialog");
    expect(within(dialog).queryByTestId("handoff-save")).not.toBeInTheDocument();
    await user.click(await accordionButton(dialog, "handoff-toggle-README.txt"));
    await user.click(await within(dialog).findByTestId("handoff-copy-README.txt"));
    expect(await navigator.clipboard.readText()).toContain("MDM handoff for Sales iPads");
    await user.click(within(dialog).getByTestId("handoff-download-README.txt"));
    await waitFor(() => expect(browser.downloads).toHaveLength(1));
    expect(browser.downloads[0]?.fileName).toBe("README.txt");
    expect(browser.downloads[0]?.contents).toContain("MDM handoff for Sales iPads");
  });
});
