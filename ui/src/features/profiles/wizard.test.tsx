import { screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ProfileDraft } from "../../bindings/ProfileDraft";
import type { PickedFile } from "../../platform";
import { fakeDepot, tokenDetail } from "../../test/fakeDepot";
import { fakePemFile, fakeProfiles, type SeedProfile } from "../../test/fakeProfiles";
import { offeredOn } from "../../test/profileRules";
import { renderApp } from "../../test/renderApp";

const ENROLL = "https://mdm.contoso.com/enroll";

type Setup = {
  at?: string;
  enrollmentUrl?: string | null;
  profiles?: SeedProfile[];
  files?: PickedFile[][];
};

/** The app on the fake backend with one token ("1", Retail West) and profile commands. */
function setup({
  at = "#/profiles/new",
  enrollmentUrl = ENROLL,
  profiles = [],
  files = [],
}: Setup = {}) {
  const depot = fakeDepot({
    tokens: [tokenDetail({ id: "1", serverName: "Retail West" })],
  });
  const fake = fakeProfiles(depot, { enrollmentUrl, profiles });
  const queue = [...files];
  const view = renderApp({
    handlers: { ...depot.handlers, ...fake.handlers },
    at,
    host: { pickFiles: () => Promise.resolve(queue.shift() ?? []) },
  });
  return { ...view, depot, fake };
}

const step = (n: number) => screen.findByTestId(`wizard-step-${n}`);
const field = (path: string) => screen.getByTestId(`field-${path}`);
const queryField = (path: string) => screen.queryByTestId(`field-${path}`);

/** Opens the management step's Apps and Books token picker and chooses an option. */
async function pickVppToken(user: UserEvent, name: RegExp | string) {
  await user.click(await within(field("companyPortalVppToken")).findByRole("combobox"));
  await user.click(await screen.findByRole("option", { name }));
}

function lastCall(calls: { name: string; payload: unknown }[], name: string) {
  return calls.filter((c) => c.name === name).at(-1)?.payload as
    { tokenId?: string; draft: ProfileDraft; id?: string } | undefined;
}

describe("Create profile wizard", () => {
  it("has four steps and preselects the only token", async () => {
    setup();
    await step(1);
    const nav = screen.getByRole("navigation", { name: "Create profile steps" });
    expect(
      within(nav)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual([
      expect.stringContaining("Basics"),
      expect.stringContaining("Device Management Settings"),
      expect.stringContaining("Setup Assistant Customization"),
      expect.stringContaining("Review + Create"),
    ]);
    expect(screen.getByTestId("wizard-nav-2")).toBeDisabled();
    expect(within(field("token")).getByRole("combobox")).toHaveValue("1");
    expect(screen.getByTestId("wizard-back")).toBeDisabled();
  });

  it("blocks Next while a setting of the step has a problem, and shows it at the field", async () => {
    const { user, backend } = setup();
    await step(1);

    // An empty name: the backend's problem lands on the Name field; the step stays.
    await user.click(screen.getByTestId("wizard-next"));
    await waitFor(() => expect(field("name")).toHaveTextContent("Enter a name for the profile."));
    expect(screen.getByTestId("wizard-step-1")).toBeInTheDocument();
    expect(lastCall(backend.calls, "profiles.check")?.tokenId).toBe("1");

    // Typing a name clears the message once the draft is checked again.
    await user.type(within(field("name")).getByRole("textbox"), "Sales iPads");
    await waitFor(() =>
      expect(field("name")).not.toHaveTextContent("Enter a name for the profile."),
    );
    await user.click(screen.getByTestId("wizard-next"));
    await step(2);

    // Step 2: with user affinity the sign-in method is required.
    await user.click(screen.getByTestId("userAffinity-withUserAffinity"));
    await user.click(screen.getByTestId("wizard-next"));
    await waitFor(() =>
      expect(field("authentication")).toHaveTextContent("Choose where users authenticate:"),
    );
    expect(screen.getByTestId("wizard-step-2")).toBeInTheDocument();
    await user.click(screen.getByTestId("authentication-setupAssistant"));

    // Locked enrollment needs supervision.
    await user.click(within(field("supervised")).getByRole("switch"));
    await user.click(within(field("lockedEnrollment")).getByRole("switch"));
    await user.click(screen.getByTestId("wizard-next"));
    await waitFor(() =>
      expect(field("lockedEnrollment")).toHaveTextContent(/works only on supervised devices/),
    );
    expect(screen.getByTestId("wizard-step-2")).toBeInTheDocument();
    expect(field("authentication")).not.toHaveTextContent("Choose where users authenticate:");

    await user.click(within(field("supervised")).getByRole("switch"));
    await user.click(screen.getByTestId("wizard-next"));
    await step(3);

    // Problems of a step come back when the admin returns to it.
    await user.click(screen.getByTestId("wizard-nav-1"));
    await user.clear(within(field("name")).getByRole("textbox"));
    await waitFor(() => expect(field("name")).toHaveTextContent("Enter a name for the profile."));
    expect(screen.getByTestId("wizard-nav-1")).toHaveAttribute("aria-current", "step");
  });

  it("asks for a token first when there are several", async () => {
    const depot = fakeDepot({
      tokens: [
        tokenDetail({ id: "1", serverName: "Retail West" }),
        tokenDetail({ id: "2", serverName: "Retail East" }),
      ],
    });
    const fake = fakeProfiles(depot, { enrollmentUrl: ENROLL });
    const { user } = renderApp({
      handlers: { ...depot.handlers, ...fake.handlers },
      at: "#/profiles/new",
    });
    await step(1);
    await user.type(within(field("name")).getByRole("textbox"), "Sales iPads");
    await user.click(screen.getByTestId("wizard-next"));
    expect(field("token")).toHaveTextContent("Choose the token this profile belongs to.");
    await user.selectOptions(within(field("token")).getByRole("combobox"), "2");
    await user.click(screen.getByTestId("wizard-next"));
    await step(2);
  });

  it("shows settings only when they apply", async () => {
    const { user } = setup();
    await step(1);
    await user.type(within(field("name")).getByRole("textbox"), "Kiosks");
    await user.click(screen.getByTestId("wizard-next"));
    await step(2);

    // Without user affinity (the default) and supervised: no sign-in method, Shared iPad offered.
    expect(queryField("authentication")).not.toBeInTheDocument();
    expect(queryField("installCompanyPortal")).not.toBeInTheDocument();
    expect(queryField("sharedIPad")).toBeInTheDocument();
    expect(queryField("maximumCachedUsers")).not.toBeInTheDocument();

    // Shared iPad asks for the number of cached users.
    await user.click(within(field("sharedIPad")).getByRole("switch"));
    expect(field("maximumCachedUsers")).toBeInTheDocument();
    // Unsupervised: no Shared iPad at all.
    await user.click(within(field("supervised")).getByRole("switch"));
    expect(queryField("sharedIPad")).not.toBeInTheDocument();
    expect(queryField("maximumCachedUsers")).not.toBeInTheDocument();
    expect(screen.getByTestId("shared-ipad-unavailable")).toBeInTheDocument();
    await user.click(within(field("supervised")).getByRole("switch"));
    expect(within(field("sharedIPad")).getByRole("switch")).not.toBeChecked();

    // With user affinity: the sign-in method, with the MFA explanation; no Shared iPad.
    await user.click(screen.getByTestId("userAffinity-withUserAffinity"));
    expect(field("authentication")).toBeInTheDocument();
    expect(screen.getByTestId("mfa-note")).toHaveTextContent(/Multifactor authentication/);
    expect(queryField("sharedIPad")).not.toBeInTheDocument();
    expect(queryField("installCompanyPortal")).not.toBeInTheDocument();

    // Company Portal sign-in: the app is always installed; the 24-hour note shows.
    await user.click(screen.getByTestId("authentication-companyPortal"));
    const install = within(field("installCompanyPortal")).getByRole("switch");
    expect(install).toBeChecked();
    expect(install).toBeDisabled();
    expect(screen.getByTestId("company-portal-24h")).toHaveTextContent(/24 hours/);
    expect(field("companyPortalVppToken")).toBeInTheDocument();
    expect(queryField("singleAppModeUntilAuthentication")).not.toBeInTheDocument();

    // A VPP token makes Single App Mode available (with its iOS and MFA notes).
    await pickVppToken(user, /Contoso Apps and Books/);
    expect(field("singleAppModeUntilAuthentication")).toHaveTextContent(/11\.3\.1/);

    // Setup Assistant sign-in: installing the Company Portal is a choice.
    await user.click(screen.getByTestId("authentication-setupAssistant"));
    const choice = within(field("installCompanyPortal")).getByRole("switch");
    expect(choice).toBeEnabled();
    await user.click(choice);
    expect(queryField("companyPortalVppToken")).not.toBeInTheDocument();
    expect(queryField("singleAppModeUntilAuthentication")).not.toBeInTheDocument();
    expect(screen.queryByTestId("company-portal-24h")).not.toBeInTheDocument();

    // Back to no affinity: the sign-in settings go away again.
    await user.click(screen.getByTestId("userAffinity-withoutUserAffinity"));
    expect(queryField("authentication")).not.toBeInTheDocument();
    expect(queryField("sharedIPad")).toBeInTheDocument();

    // The certificate picker only for "Allow Apple Configurator by certificate".
    expect(queryField("configuratorCertificates")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("syncWithComputers-allowByCertificate"));
    expect(field("configuratorCertificates")).toBeInTheDocument();
    await user.click(screen.getByTestId("syncWithComputers-denyAll"));
    expect(queryField("configuratorCertificates")).not.toBeInTheDocument();

    // The device name template box only when the template is applied.
    expect(queryField("deviceNameTemplate")).not.toBeInTheDocument();
    await user.click(within(field("applyDeviceNameTemplate")).getByRole("switch"));
    expect(field("deviceNameTemplate")).toBeInTheDocument();
  });

  it("reads certificate files, shows each one's subject and expiry or its error, and removes them", async () => {
    const der = new TextEncoder().encode("CERT:Lab Mac 2|2026-01-01T00:00:00Z");
    const { user, backend } = setup({
      files: [
        [
          { name: "lab-mac.pem", bytes: fakePemFile("Lab Mac 1", "2027-05-01T00:00:00Z") },
          { name: "old-mac.cer", bytes: der },
        ],
        [{ name: "junk.crt", bytes: new TextEncoder().encode("not a certificate") }],
      ],
    });
    await step(1);
    await user.type(within(field("name")).getByRole("textbox"), "Lab iPads");
    await user.click(screen.getByTestId("wizard-next"));
    await step(2);
    await user.click(screen.getByTestId("syncWithComputers-allowByCertificate"));

    // None yet: Next says so at the field.
    await user.click(screen.getByTestId("wizard-next"));
    await waitFor(() =>
      expect(field("configuratorCertificates")).toHaveTextContent(
        /Add at least one Apple Configurator certificate/,
      ),
    );

    await user.click(screen.getByTestId("add-certificates"));
    expect(await screen.findByTestId("certificate-summary-0")).toHaveTextContent("Lab Mac 1");
    expect(screen.getByTestId("certificate-summary-0")).toHaveTextContent(/2027/);
    expect(screen.getByTestId("certificate-summary-1")).toHaveTextContent("Lab Mac 2");
    expect(screen.getByTestId("certificate-summary-1")).toHaveTextContent("Expired");
    expect(screen.getByTestId("certificate-count")).toHaveTextContent("2 of 10");

    // PEM armour is stripped: the backend gets base64 DER.
    await waitFor(() =>
      expect(lastCall(backend.calls, "profiles.check")?.draft.configuratorCertificates).toEqual([
        btoa("CERT:Lab Mac 1|2027-05-01T00:00:00Z"),
        btoa("CERT:Lab Mac 2|2026-01-01T00:00:00Z"),
      ]),
    );

    await user.click(screen.getByTestId("add-certificates"));
    expect(await screen.findByTestId("certificate-error-2")).toHaveTextContent(
      /not an X\.509 certificate/,
    );
    expect(screen.getByTestId("certificate-2")).toHaveTextContent("junk.crt");

    await user.click(screen.getByTestId("certificate-remove-2"));
    await user.click(screen.getByTestId("certificate-remove-0"));
    expect(screen.queryByTestId("certificate-2")).not.toBeInTheDocument();
    expect(screen.getByTestId("certificate-0")).toHaveTextContent("old-mac.cer");
    await waitFor(() =>
      expect(screen.getByTestId("certificate-count")).toHaveTextContent("1 of 10"),
    );
  });

  it("previews the device name template on a sample iPad", async () => {
    const { user } = setup();
    await step(1);
    await user.type(within(field("name")).getByRole("textbox"), "Named iPads");
    await user.click(screen.getByTestId("wizard-next"));
    await step(2);
    await user.click(within(field("applyDeviceNameTemplate")).getByRole("switch"));
    await user.click(screen.getByTestId("insert-devicetype"));
    await user.type(within(field("deviceNameTemplate")).getByRole("textbox"), "-");
    await user.click(screen.getByTestId("insert-serial"));
    expect(within(field("deviceNameTemplate")).getByRole("textbox")).toHaveValue(
      "{{DEVICETYPE}}-{{SERIAL}}",
    );
    await waitFor(() =>
      expect(screen.getByTestId("device-name-preview")).toHaveTextContent("iPad-F9FXK2ABCD12"),
    );
  });

  it("searches the Setup Assistant screens and hides them one by one or all at once", async () => {
    const { user, backend } = setup();
    await step(1);
    await user.type(within(field("name")).getByRole("textbox"), "Quiet setup");
    await user.click(screen.getByTestId("wizard-next"));
    await step(2);
    await user.click(screen.getByTestId("wizard-next"));
    await step(3);

    const list = screen.getByTestId("skip-key-list");
    const onIos = offeredOn("iOS");
    // Only screens that exist on iOS/iPadOS and were not removed are offered.
    expect(within(list).queryByTestId("skip-key-FileVault")).not.toBeInTheDocument();
    expect(within(list).queryByTestId("skip-key-WebContentFiltering")).not.toBeInTheDocument();
    const tone = within(list).getByTestId("skip-key-DisplayTone");
    expect(within(tone).getByTestId("skip-key-deprecated")).toHaveTextContent("15.0");
    expect(tone).toHaveTextContent("iOS/iPadOS 9.3.2+");
    expect(screen.getByTestId("skip-keys-count")).toHaveTextContent(`0 of ${onIos} screens hidden`);

    await user.type(screen.getByTestId("skip-key-search"), "siri");
    expect(within(list).getAllByRole("listitem")).toHaveLength(1);
    await user.click(screen.getByTestId("skip-key-Siri-hide"));
    expect(screen.getByTestId("skip-key-Siri")).toHaveAttribute("data-hidden", "true");
    expect(screen.getByTestId("skip-keys-count")).toHaveTextContent(`1 of ${onIos} screens hidden`);

    await user.clear(screen.getByTestId("skip-key-search"));
    await user.type(screen.getByTestId("skip-key-search"), "nothing like this");
    expect(screen.getByTestId("skip-keys-none")).toBeInTheDocument();
    await user.clear(screen.getByTestId("skip-key-search"));

    await user.click(screen.getByTestId("skip-keys-hide-all"));
    expect(screen.getByTestId("skip-keys-count")).toHaveTextContent(
      `${onIos} of ${onIos} screens hidden`,
    );
    await user.click(screen.getByTestId("skip-keys-show-all"));
    expect(screen.getByTestId("skip-keys-count")).toHaveTextContent(`0 of ${onIos} screens hidden`);

    await user.click(screen.getByTestId("skip-key-Siri-hide"));
    await user.click(screen.getByTestId("skip-key-Payment-hide"));
    // A deprecated screen can still be hidden, with the backend's warning on its row.
    await user.click(screen.getByTestId("skip-key-Zoom-hide"));
    await waitFor(() =>
      expect(screen.getByTestId("skip-key-Zoom")).toHaveTextContent(/Apple deprecated/),
    );
    await user.click(screen.getByTestId("wizard-next"));
    await step(4);
    expect(screen.getByTestId("summary-hiddenScreens")).toHaveTextContent(
      "3: Siri, Apple Pay, Zoom",
    );
    expect(lastCall(backend.calls, "profiles.check")?.draft.hiddenScreens).toEqual([
      "Siri",
      "Payment",
      "Zoom",
    ]);
  });

  it("reviews every choice with the warnings, the licensing note and the Apple JSON, then creates and opens the profile", async () => {
    const { user, backend } = setup();
    await step(1);
    await user.type(within(field("name")).getByRole("textbox"), "Sales iPads");
    await user.click(screen.getByTestId("wizard-next"));
    await step(2);
    await user.click(within(field("lockedEnrollment")).getByRole("switch"));
    await user.click(screen.getByTestId("wizard-next"));
    await step(3);
    await user.type(within(field("department.name")).getByRole("textbox"), "Retail IT");
    await user.click(screen.getByTestId("skip-key-DisplayTone-hide"));
    await user.click(screen.getByTestId("wizard-next"));
    await step(4);

    const summary = screen.getByTestId("review-summary");
    expect(within(summary).getByTestId("summary-basics")).toHaveTextContent("Sales iPads");
    expect(within(summary).getByTestId("summary-basics")).toHaveTextContent("Retail West");
    expect(within(summary).getByTestId("summary-management")).toHaveTextContent(
      "Enroll without user affinity",
    );
    expect(within(summary).getByTestId("summary-management")).toHaveTextContent(
      /Locked enrollment\s*Yes/,
    );
    expect(within(summary).getByTestId("summary-setup")).toHaveTextContent("Retail IT");
    expect(await screen.findByTestId("review-warnings")).toHaveTextContent(/Display Tone/);
    expect(screen.getByTestId("licensing-note")).toHaveTextContent(/device license/);
    expect(screen.getByTestId("review-enrollment-url")).toHaveTextContent(ENROLL);

    // The JSON is collapsed until asked for.
    expect(screen.queryByTestId("apple-json")).not.toBeInTheDocument();
    await user.click(
      within(screen.getByTestId("apple-json-toggle")).getByRole("button", { hidden: true }),
    );
    const json = await screen.findByTestId("apple-json");
    expect(json).toHaveTextContent('"profile_name": "Sales iPads"');
    expect(json).toHaveTextContent('"is_mdm_removable": false');
    expect(json).toHaveTextContent(`"url": "${ENROLL}"`);
    await user.click(screen.getByTestId("apple-json-copy"));
    expect(await navigator.clipboard.readText()).toContain('"profile_name": "Sales iPads"');

    await user.click(screen.getByTestId("wizard-create"));
    await screen.findByTestId("profile-detail");
    const page = screen.getByTestId("page-profile-detail");
    expect(within(page).getByRole("heading", { level: 1 })).toHaveTextContent("Sales iPads");
    expect(window.location.hash).toBe("#/profiles/100?created=1");
    expect(screen.getByTestId("profile-created")).toBeInTheDocument();
    expect(screen.getByTestId("apple-uuid")).toHaveTextContent(/^[0-9A-F]{32}$/);
    expect(screen.queryByTestId("upload-failed")).not.toBeInTheDocument();
    expect(lastCall(backend.calls, "profiles.create")).toMatchObject({
      tokenId: "1",
      draft: {
        name: "Sales iPads",
        lockedEnrollment: true,
        department: { name: "Retail IT", phone: null, email: null },
        hiddenScreens: ["DisplayTone"],
      },
    });
  });

  it("opens the profile with the error and Retry upload when Apple refuses it", async () => {
    const { user, fake } = setup();
    fake.state.uploadScript.push({
      error:
        "Apple refused the profile (CONFIG_URL_INVALID): check 'enrollmentUrl' and save the profile again",
      errorField: "enrollmentUrl",
    });
    await step(1);
    await user.type(within(field("name")).getByRole("textbox"), "Sales iPads");
    for (const n of [2, 3, 4]) {
      await user.click(screen.getByTestId("wizard-next"));
      await step(n);
    }
    await waitFor(() => expect(screen.getByTestId("wizard-create")).toBeEnabled());
    await user.click(screen.getByTestId("wizard-create"));

    const failed = await screen.findByTestId("upload-failed");
    expect(failed).toHaveAttribute("data-state", "failed");
    expect(within(failed).getByTestId("upload-error")).toHaveTextContent("CONFIG_URL_INVALID");
    expect(within(failed).getByTestId("upload-error-field")).toHaveTextContent("Enrollment URL");
    expect(screen.queryByTestId("profile-created")).not.toBeInTheDocument();
    expect(screen.getByTestId("apple-uuid")).toHaveTextContent("None yet");

    await user.click(within(failed).getByTestId("retry-upload"));
    await waitFor(() => expect(screen.queryByTestId("upload-failed")).not.toBeInTheDocument());
    expect(
      within(screen.getByTestId("detail-upload-state")).getByText("Uploaded"),
    ).toBeInTheDocument();
    expect(screen.getByTestId("apple-uuid")).toHaveTextContent(/^[0-9A-F]{32}$/);
  });

  it("says where to set the enrollment URL when none is set, and cannot create until then", async () => {
    const { user } = setup({ enrollmentUrl: null });
    await step(1);
    expect(await screen.findByTestId("token-no-enrollment-url")).toBeInTheDocument();
    await user.type(within(field("name")).getByRole("textbox"), "Sales iPads");
    for (const n of [2, 3, 4]) {
      await user.click(screen.getByTestId("wizard-next"));
      await step(n);
    }
    const missing = await screen.findByTestId("enrollment-url-missing");
    expect(missing).toHaveTextContent(/There is no enrollment URL/);
    expect(within(missing).getByTestId("enrollment-url-settings-link")).toHaveAttribute(
      "href",
      "#/settings",
    );
    expect(screen.getByTestId("review-enrollment-url")).toHaveTextContent("Not set");
    expect(screen.getByTestId("wizard-create")).toBeDisabled();

    // A URL for this profile alone also does it.
    await user.click(within(field("urlOverride")).getByRole("switch"));
    await user.type(within(field("enrollmentUrl")).getByRole("textbox"), "http://plain.example");
    await waitFor(() => expect(field("enrollmentUrl")).toHaveTextContent(/must start with https/));
    await user.clear(within(field("enrollmentUrl")).getByRole("textbox"));
    await user.type(within(field("enrollmentUrl")).getByRole("textbox"), ENROLL);
    await waitFor(() => expect(screen.getByTestId("wizard-create")).toBeEnabled());
  });
});

describe("Edit profile", () => {
  const seed: SeedProfile = {
    id: "7",
    tokenId: "1",
    name: "Sales iPads",
    deviceCount: 12,
    draft: { hiddenScreens: ["Siri", "IntendedUser", "WebContentFiltering"] },
  };

  it("keeps screen keys it does not offer, saves a new version and follows the re-assignment", async () => {
    const { user, backend } = setup({ at: "#/profiles/7/edit", profiles: [seed] });
    await step(1);
    expect(screen.getByTestId("edit-note")).toHaveTextContent(/keep their current settings until/);
    expect(screen.getByTestId("wizard-token-name")).toHaveTextContent("Retail West");
    const name = within(field("name")).getByRole("textbox");
    expect(name).toHaveValue("Sales iPads");

    // Unchanged: nothing to save yet.
    await user.click(screen.getByTestId("wizard-nav-4"));
    await step(4);
    expect(screen.getByTestId("wizard-create")).toHaveTextContent("Save new version");
    expect(screen.getByTestId("wizard-create")).toBeDisabled();

    await user.click(screen.getByTestId("wizard-nav-3"));
    const other = screen.getByTestId("skip-key-other-IntendedUser");
    await waitFor(() => expect(other).toHaveTextContent(/not in Apple's current list of screens/));
    const removed = screen.getByTestId("skip-key-other-WebContentFiltering");
    expect(within(removed).getByTestId("skip-key-removed")).toHaveTextContent("26.1");
    expect(screen.getByTestId("skip-key-Siri")).toHaveAttribute("data-hidden", "true");

    await user.click(screen.getByTestId("wizard-nav-1"));
    await user.clear(within(field("name")).getByRole("textbox"));
    await user.type(within(field("name")).getByRole("textbox"), "Sales iPads 2026");
    await user.click(screen.getByTestId("wizard-nav-4"));
    await waitFor(() => expect(screen.getByTestId("wizard-create")).toBeEnabled());
    await user.click(screen.getByTestId("wizard-create"));

    await screen.findByTestId("profile-detail");
    expect(lastCall(backend.calls, "profiles.edit")).toMatchObject({
      id: "7",
      draft: {
        name: "Sales iPads 2026",
        hiddenScreens: ["Siri", "IntendedUser", "WebContentFiltering"],
      },
    });
    expect(screen.getByTestId("profile-saved")).toHaveTextContent("Version 2 saved");
    const progress = screen.getByTestId("reassignment");
    expect(progress).toHaveTextContent("Moving 12 devices to version 2");
    await waitFor(() => expect(progress).toHaveAttribute("data-result", "ok"));
    expect(progress).toHaveTextContent("12 devices now have version 2");
  });
});
