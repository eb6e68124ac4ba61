import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ProfileDraft } from "../../bindings/ProfileDraft";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { fakeProfiles, type SeedProfile } from "../../test/fakeProfiles";
import { offeredOn } from "../../test/profileRules";
import { renderApp } from "../../test/renderApp";

// PLT-1/PLT-2: a profile per platform. The wizard asks for the platform first
// and offers only what the catalogue says that platform uses.

const ENROLL = "https://mdm.contoso.com/enroll";

function setup({ at = "#/profiles/new", profiles = [] as SeedProfile[] } = {}) {
  const depot = fakeDepot({ tokens: [tokenDetail({ id: "1", serverName: "Retail West" })] });
  const fake = fakeProfiles(depot, { enrollmentUrl: ENROLL, profiles });
  const view = renderApp({ handlers: { ...depot.handlers, ...fake.handlers }, at });
  return { ...view, depot, fake };
}

const step = (n: number) => screen.findByTestId(`wizard-step-${n}`);
const field = (path: string) => screen.getByTestId(`field-${path}`);
const queryField = (path: string) => screen.queryByTestId(`field-${path}`);

function lastDraft(calls: { name: string; payload: unknown }[], name: string) {
  return (calls.filter((c) => c.name === name).at(-1)?.payload as { draft: ProfileDraft }).draft;
}

type User = ReturnType<typeof setup>["user"];

/** Step 1 with a platform and a name, then on to step 2. */
async function basics(user: User, platform: string, name: string) {
  const panel = await step(1);
  // The platform is the first thing Basics asks.
  expect(panel.querySelector("[data-testid^='field-']")).toHaveAttribute(
    "data-testid",
    "field-platform",
  );
  await user.click(screen.getByTestId(`platform-${platform}`));
  await user.type(within(field("name")).getByRole("textbox"), name);
  await user.click(screen.getByTestId("wizard-next"));
  await step(2);
}

describe("Profiles per platform", () => {
  it("offers the four platforms first and keeps name and description when the platform changes", async () => {
    const { user } = setup();
    await step(1);
    const radios = within(field("platform")).getAllByRole("radio");
    expect(radios.map((r) => r.closest("span")?.textContent ?? "")).toEqual([
      "iOS/iPadOS",
      "macOS",
      "tvOS",
      "visionOS",
    ]);
    expect(within(field("platform")).getByRole("radio", { name: "iOS/iPadOS" })).toBeChecked();

    await user.type(within(field("name")).getByRole("textbox"), "Lab");
    await user.type(within(field("description")).getByRole("textbox"), "Room 4");
    await user.click(screen.getByTestId("wizard-next"));
    await step(2);
    await user.click(within(field("lockedEnrollment")).getByRole("switch"));
    await user.click(screen.getByTestId("syncWithComputers-denyAll"));

    // Back to Basics: macOS starts again from its own defaults.
    await user.click(screen.getByTestId("wizard-nav-1"));
    await user.click(screen.getByTestId("platform-macOS"));
    expect(within(field("name")).getByRole("textbox")).toHaveValue("Lab");
    expect(within(field("description")).getByRole("textbox")).toHaveValue("Room 4");
    await user.click(screen.getByTestId("wizard-next"));
    await step(2);
    expect(within(field("lockedEnrollment")).getByRole("switch")).not.toBeChecked();
    expect(screen.getByTestId("sync-unavailable")).toBeInTheDocument();
  });

  it("macOS: user affinity without the Company Portal, language and region, FileVault but no SIM or Shared iPad screens", async () => {
    const { user, backend } = setup();
    await basics(user, "macOS", "Studio Macs");

    // Device Management Settings: only what macOS uses.
    expect(queryField("sharedIPad")).not.toBeInTheDocument();
    expect(screen.queryByTestId("shared-ipad-unavailable")).not.toBeInTheDocument();
    expect(queryField("syncWithComputers")).not.toBeInTheDocument();
    expect(queryField("returnToService")).not.toBeInTheDocument();
    expect(queryField("doNotUseProfileFromBackup")).not.toBeInTheDocument();
    expect(queryField("autoAdvanceSetup")).toBeInTheDocument();
    await user.click(within(field("applyDeviceNameTemplate")).getByRole("switch"));
    await user.click(screen.getByTestId("insert-devicetype"));
    await waitFor(() => expect(screen.getByTestId("device-name-preview")).toHaveTextContent("Mac"));
    expect(screen.getByTestId("device-name-preview").parentElement).toHaveTextContent(
      /On a sample Mac/,
    );
    await user.click(screen.getByTestId("userAffinity-withUserAffinity"));
    expect(screen.queryByTestId("authentication-companyPortal")).not.toBeInTheDocument();
    expect(screen.queryByTestId("field-installCompanyPortal")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("authentication-setupAssistant"));
    await user.selectOptions(screen.getByTestId("language-select"), "de");
    await user.selectOptions(screen.getByTestId("region-select"), "DE");
    await user.click(screen.getByTestId("wizard-next"));
    await step(3);

    const list = screen.getByTestId("skip-key-list");
    expect(within(list).getByTestId("skip-key-FileVault")).toHaveTextContent("macOS 10.10+");
    expect(within(list).queryByTestId("skip-key-SIMSetup")).not.toBeInTheDocument();
    expect(within(list).queryByTestId("skip-key-TVRoom")).not.toBeInTheDocument();
    // Touch ID exists on macOS; the iOS 14.5 caveat is not about Macs.
    const touch = within(list).getByTestId("skip-key-Biometric");
    expect(touch).toHaveTextContent("macOS 10.12.4+");
    expect(touch).not.toHaveTextContent("iOS/iPadOS");
    expect(within(touch).queryByTestId("skip-key-note-Biometric")).not.toBeInTheDocument();
    expect(screen.getByTestId("skip-keys-count")).toHaveTextContent(
      `0 of ${offeredOn("macOS")} screens hidden`,
    );
    await user.click(screen.getByTestId("skip-key-FileVault-hide"));
    await user.click(screen.getByTestId("wizard-next"));
    await step(4);

    expect(screen.getByTestId("summary-platform")).toHaveTextContent("macOS");
    expect(screen.getByTestId("summary-language")).toHaveTextContent("German (de)");
    expect(screen.getByTestId("summary-region")).toHaveTextContent("Germany (DE)");
    expect(screen.getByTestId("summary-autoAdvanceSetup")).toHaveTextContent("No");
    expect(screen.queryByTestId("summary-sharedIPad")).not.toBeInTheDocument();
    expect(screen.queryByTestId("summary-returnToService")).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("wizard-create")).toBeEnabled());
    await user.click(screen.getByTestId("wizard-create"));
    await screen.findByTestId("profile-created");
    expect(screen.getByTestId("detail-platform")).toHaveTextContent("macOS");
    const saved = lastDraft(backend.calls, "profiles.create");
    expect(saved).toMatchObject({
      platform: "macOS",
      userAffinity: "withUserAffinity",
      authentication: "setupAssistant",
      language: "de",
      region: "DE",
      hiddenScreens: ["FileVault"],
    });
  });

  it("tvOS: auto advance, language and region (region after a language), the TV's own screens", async () => {
    const { user, backend } = setup();
    await basics(user, "tvOS", "Meeting rooms");

    expect(screen.getByTestId("user-affinity-unavailable")).toHaveTextContent(
      "tvOS profiles enroll devices without user affinity",
    );
    expect(screen.queryByTestId("userAffinity-withUserAffinity")).not.toBeInTheDocument();
    expect(queryField("sharedIPad")).not.toBeInTheDocument();
    expect(screen.getByTestId("region-select")).toBeDisabled();
    expect(field("region")).toHaveTextContent(/Choose a language first/);
    await user.selectOptions(screen.getByTestId("language-select"), "fr");
    expect(screen.getByTestId("region-select")).toBeEnabled();
    await user.selectOptions(screen.getByTestId("region-select"), "CA");
    await user.click(within(field("autoAdvanceSetup")).getByRole("switch"));
    // Clearing the language clears the region with it.
    await user.selectOptions(screen.getByTestId("language-select"), "");
    expect(screen.getByTestId("region-select")).toHaveValue("");
    await user.selectOptions(screen.getByTestId("language-select"), "fr");
    await user.selectOptions(screen.getByTestId("region-select"), "CA");
    await user.click(screen.getByTestId("wizard-next"));
    await step(3);

    const list = screen.getByTestId("skip-key-list");
    expect(within(list).getByTestId("skip-key-TVRoom")).toHaveTextContent("tvOS 11.4+");
    expect(within(list).getByTestId("skip-key-Siri")).toHaveTextContent("tvOS 10.2+");
    expect(within(list).queryByTestId("skip-key-FileVault")).not.toBeInTheDocument();
    expect(within(list).queryByTestId("skip-key-Passcode")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("skip-key-TVRoom-hide"));
    await user.click(screen.getByTestId("wizard-next"));
    await step(4);

    expect(screen.getByTestId("summary-platform")).toHaveTextContent("tvOS");
    expect(screen.getByTestId("summary-language")).toHaveTextContent("French (fr)");
    expect(screen.getByTestId("summary-region")).toHaveTextContent("Canada (CA)");
    expect(screen.getByTestId("summary-autoAdvanceSetup")).toHaveTextContent("Yes");
    await waitFor(() => expect(screen.getByTestId("wizard-create")).toBeEnabled());
    await user.click(screen.getByTestId("wizard-create"));
    await screen.findByTestId("profile-created");
    expect(lastDraft(backend.calls, "profiles.create")).toMatchObject({
      platform: "tvOS",
      autoAdvanceSetup: true,
      language: "fr",
      region: "CA",
      hiddenScreens: ["TVRoom"],
    });
  });

  it("iOS: Return to Service and the backup option (26+), the 14.5 note at Passcode and Touch ID, and the caveats at the options", async () => {
    const { user, backend } = setup();
    await basics(user, "iOS", "Loaners");

    expect(queryField("language")).not.toBeInTheDocument();
    expect(queryField("autoAdvanceSetup")).not.toBeInTheDocument();
    expect(field("returnToService")).toHaveTextContent(/iOS\/iPadOS 26 or later/);
    expect(field("doNotUseProfileFromBackup")).toHaveTextContent(/iOS\/iPadOS 26 or later/);
    await user.click(within(field("returnToService")).getByRole("switch"));
    await user.click(within(field("doNotUseProfileFromBackup")).getByRole("switch"));

    // Locked enrollment: Configurator devices keep their provisional period.
    expect(screen.getByTestId("locked-enrollment-configurator")).toHaveTextContent(
      /Apple Configurator.*30-day provisional period/,
    );
    // Deny all: only the MDM's restriction blocks pairing on iOS 13 and later.
    expect(screen.queryByTestId("deny-all-note")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("syncWithComputers-denyAll"));
    expect(screen.getByTestId("deny-all-note")).toHaveTextContent(/iOS\/iPadOS 13 and later/);
    expect(screen.getByTestId("deny-all-note")).toHaveTextContent(/allowHostPairing/);
    await user.click(screen.getByTestId("wizard-next"));
    await step(3);

    const passcode = screen.getByTestId("skip-key-Passcode");
    expect(within(passcode).getByTestId("skip-key-note-Passcode")).toHaveTextContent(/14\.5/);
    expect(
      within(screen.getByTestId("skip-key-Biometric")).getByTestId("skip-key-note-Biometric"),
    ).toHaveTextContent(/14\.5/);
    expect(screen.getByTestId("skip-key-SIMSetup")).toBeInTheDocument();
    expect(screen.queryByTestId("skip-key-FileVault")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("wizard-next"));
    await step(4);
    expect(screen.getByTestId("summary-returnToService")).toHaveTextContent("Yes");
    expect(screen.getByTestId("summary-doNotUseProfileFromBackup")).toHaveTextContent("Yes");
    expect(screen.queryByTestId("summary-language")).not.toBeInTheDocument();
    await waitFor(() =>
      expect(lastDraft(backend.calls, "profiles.check").returnToService).toBe(true),
    );
  });

  it("keeps the platform of a saved profile read-only, and shows a setting its platform refuses", async () => {
    const { user } = setup({
      at: "#/profiles/5/edit",
      profiles: [
        {
          id: "5",
          tokenId: "1",
          name: "Old Macs",
          // Written by hand in an imported file: Shared iPad on a macOS profile.
          draft: { platform: "macOS", sharedIPad: true, maximumCachedUsers: 3 },
        },
      ],
    });
    await step(1);
    expect(screen.getByTestId("wizard-platform-name")).toHaveTextContent("macOS");
    expect(within(field("platform")).queryByRole("radio")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("wizard-nav-2"));
    await step(2);
    await user.click(screen.getByTestId("wizard-next"));
    // The field is not offered on macOS, so the refusal shows at the top of the step.
    expect(await screen.findByTestId("step-problems")).toHaveTextContent(
      "Shared iPad: only for iOS/iPadOS profiles, not macOS; turn Shared iPad off.",
    );
  });
});

describe("Defaults per platform", () => {
  const PROFILES: SeedProfile[] = [
    { id: "7", tokenId: "1", name: "Sales iPads", isDefault: true },
    { id: "8", tokenId: "1", name: "Studio Macs", isDefault: true, draft: { platform: "macOS" } },
    { id: "9", tokenId: "1", name: "Lab Macs", draft: { platform: "macOS" } },
    { id: "10", tokenId: "1", name: "Lobby TVs", draft: { platform: "tvOS" } },
  ];

  const row = (name: string) => screen.findByTestId(`profile-row-${name}`);
  async function rowAction(user: User, name: string, action: string) {
    await user.click(within(await row(name)).getByTestId("profile-actions"));
    await user.click(await screen.findByTestId(action));
  }

  it("lists the platform and whose default each profile is; a new default replaces only its own platform's", async () => {
    const { user, backend } = setup({ at: "#/profiles", profiles: PROFILES });
    expect(within(await row("Lobby TVs")).getByTestId("profile-platform")).toHaveTextContent(
      "tvOS",
    );
    expect(within(await row("Sales iPads")).getByTestId("profile-default")).toHaveTextContent(
      "Default for iOS/iPadOS",
    );
    expect(within(await row("Studio Macs")).getByTestId("profile-default")).toHaveTextContent(
      "Default for macOS",
    );

    await user.click(within(await row("Lab Macs")).getByTestId("profile-actions"));
    const item = await screen.findByTestId("profile-set-default");
    expect(item).toHaveTextContent("Set as default for macOS");
    expect(item).toHaveTextContent(
      "New macOS devices of Retail West get it after each sync; it replaces the token's earlier macOS default.",
    );
    await user.click(item);
    await waitFor(() =>
      expect(
        within(screen.getByTestId("profile-row-Lab Macs")).getByTestId("profile-default"),
      ).toBeInTheDocument(),
    );
    expect(
      within(screen.getByTestId("profile-row-Studio Macs")).queryByTestId("profile-default"),
    ).not.toBeInTheDocument();
    // The iOS default is untouched.
    expect(
      within(screen.getByTestId("profile-row-Sales iPads")).getByTestId("profile-default"),
    ).toBeInTheDocument();

    await rowAction(user, "Lab Macs", "profile-clear-default");
    await waitFor(() =>
      expect(
        within(screen.getByTestId("profile-row-Lab Macs")).queryByTestId("profile-default"),
      ).not.toBeInTheDocument(),
    );
    expect(backend.calls.filter((c) => c.name === "profiles.clearDefault").at(-1)?.payload).toEqual(
      { tokenId: "1", platform: "macOS" },
    );
    expect(
      within(screen.getByTestId("profile-row-Sales iPads")).getByTestId("profile-default"),
    ).toBeInTheDocument();
  });

  it("says on the profile page whose default it is, or what setting it would do", async () => {
    setup({ at: "#/profiles/8", profiles: PROFILES });
    expect(await screen.findByTestId("detail-default")).toHaveTextContent(
      "Yes: new macOS devices of Retail West get it",
    );
    expect(screen.getByTestId("profile-default")).toHaveTextContent("Default for macOS");
    expect(screen.getByTestId("profile-clear-default")).toHaveTextContent("Clear macOS default");
  });

  it("explains Set as default on the page of a profile that is not the default", async () => {
    setup({ at: "#/profiles/10", profiles: PROFILES });
    expect(await screen.findByTestId("detail-default")).toHaveTextContent(
      /new tvOS devices of Retail West would get it after each sync, in place of any earlier tvOS default/,
    );
    expect(screen.getByTestId("profile-set-default")).toHaveTextContent("Set as default for tvOS");
  });
});
