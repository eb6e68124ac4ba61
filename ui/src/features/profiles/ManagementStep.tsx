import {
  Body1,
  Button,
  Caption1,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Switch,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CertificateCheck } from "../../bindings/CertificateCheck";
import type { SkipKeyCatalogue } from "../../bindings/SkipKeyCatalogue";
import {
  AFFINITY_LABELS,
  AUTHENTICATION_LABELS,
  MAX_CACHED_USERS,
  SAMPLE_DEVICE,
  SYNC_LABELS,
  languageName,
  platformLabel,
  regionName,
  topKey,
  usesFor,
  visibleSettings,
} from "./draft";
import { CertificateList } from "./CertificateList";
import { VppTokenPicker } from "./VppTokenPicker";
import { OtherProblems, SettingField, StepSection, YesNoField, type StepProps } from "./StepParts";
import { useProfileStyles } from "./styles";

const useStyles = makeStyles({
  radioHint: {
    display: "block",
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
    paddingLeft: "32px",
    marginTop: `calc(-1 * ${tokens.spacingVerticalXS})`,
    marginBottom: tokens.spacingVerticalXS,
  },
  preview: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "baseline",
    flexWrap: "wrap",
  },
  optionNote: {
    color: tokens.colorPaletteDarkOrangeForeground1,
    marginTop: `calc(-1 * ${tokens.spacingVerticalS})`,
    maxWidth: "520px",
  },
  tokenButtons: {
    display: "flex",
    gap: tokens.spacingHorizontalXS,
    marginTop: tokens.spacingVerticalXS,
  },
});

const AFFINITY_HINTS: Record<string, string> = {
  withUserAffinity:
    "For devices that belong to one person, who signs in and can use the Company Portal app for apps and support.",
  withoutUserAffinity:
    "For shared, kiosk or single-purpose devices with no assigned person. The Company Portal app does not work on them.",
};

const AUTHENTICATION_HINTS: Record<string, string> = {
  companyPortal:
    "Setup Assistant finishes without a sign-in; the user signs in to the Company Portal app afterwards.",
  setupAssistant: "The user signs in on a Setup Assistant screen while the device is set up.",
  setupAssistantModern:
    "Setup Assistant shows your sign-in web page (iOS/iPadOS 13 or macOS 10.15 and later), at the configuration web URL from Settings.",
};

const SYNC_HINTS: Record<string, string> = {
  denyAll:
    "The port is for charging only: the device cannot pair with Finder, iTunes or Apple Configurator.",
  allowAll: "The device can pair with any computer.",
  allowByCertificate:
    "Only Macs that hold one of the certificates you add below can pair with the device.",
};

const SUPERVISION_HINTS: Record<string, string> = {
  iOS: "Supervision unlocks more management controls and keeps Activation Lock off unless you turn it on; Shared iPad needs it. iOS/iPadOS 13 and later supervise every device enrolled this way and ignore this setting. A device set up unsupervised can only become supervised by erasing it with Apple Configurator.",
  macOS:
    "Supervision unlocks more management controls. macOS 11 and later supervise every Mac enrolled this way and ignore this setting.",
  tvOS: "Supervision unlocks more management controls. tvOS 13 and later supervise every Apple TV enrolled this way and ignore this setting.",
  visionOS:
    "Supervision unlocks more management controls. Apple Vision Pro devices enrolled this way are supervised whatever this setting says.",
};

export const TEMPLATE_TOKENS = ["{{SERIAL}}", "{{DEVICETYPE}}"] as const;

type ManagementStepProps = StepProps & {
  /** The platforms' settings, languages and regions. */
  catalogue: SkipKeyCatalogue;
  /** From the latest check: one entry per certificate, in order. */
  certificates: readonly CertificateCheck[];
  /** The template rendered on a sample iPad, from the latest check. */
  deviceNamePreview: string | null;
  /** File names for the certificates (parallel to the draft's list). */
  certificateNames: readonly string[];
  onCertificateNames: (names: string[]) => void;
};

/** Step 2: who the device is for, how users sign in, supervision, pairing, naming. */
export function ManagementStep({
  draft,
  update,
  problems,
  certificates,
  deviceNamePreview,
  certificateNames,
  onCertificateNames,
  catalogue,
}: ManagementStepProps) {
  const styles = useProfileStyles();
  const own = useStyles();
  const visible = visibleSettings(draft, usesFor(catalogue.platformSettings, draft.platform));
  const templateOn = draft.deviceNameTemplate !== null;
  const platform = platformLabel(draft.platform);
  const languages = [...catalogue.languages]
    .map((code) => ({ code, name: languageName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, "en"));
  const regions = [...catalogue.regions]
    .map((code) => ({ code, name: regionName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, "en"));
  const authentications = Object.entries(AUTHENTICATION_LABELS).filter(
    ([value]) => value !== "companyPortal" || visible.companyPortalAuthentication,
  );
  const byLanguage = visible.language || visible.region || visible.autoAdvanceSetup;
  const restore = visible.returnToService || visible.doNotUseProfileFromBackup;

  const placed = (path: string): boolean => {
    const key = topKey(path);
    if (key in visible) return visible[key as keyof typeof visible];
    return [
      "supervised",
      "lockedEnrollment",
      "awaitFinalConfiguration",
      "deviceNameTemplate",
    ].includes(key);
  };

  return (
    <>
      <OtherProblems problems={problems} placed={placed} />
      <StepSection title="Users">
        {visible.userAffinity ? (
          <SettingField
            path="userAffinity"
            problems={problems}
            label="User affinity"
            hint="Whether each device enrolls for a particular person."
          >
            <RadioGroup
              value={draft.userAffinity}
              onChange={(_, data) => update({ userAffinity: data.value })}
            >
              {Object.entries(AFFINITY_LABELS).map(([value, text]) => (
                <div key={value}>
                  <Radio value={value} label={text} data-testid={`userAffinity-${value}`} />
                  <Caption1 className={own.radioHint}>
                    {AFFINITY_HINTS[value]}
                    {value === "withoutUserAffinity" && visible.sharedIPadOffered
                      ? " Shared iPad is possible."
                      : ""}
                  </Caption1>
                </div>
              ))}
            </RadioGroup>
          </SettingField>
        ) : (
          <Caption1 className={styles.muted} data-testid="user-affinity-unavailable">
            {platform} profiles enroll devices without user affinity: nobody signs in during setup.
          </Caption1>
        )}

        {visible.authentication ? (
          <>
            <SettingField
              path="authentication"
              problems={problems}
              label="Where users authenticate"
              required
            >
              <RadioGroup
                value={draft.authentication ?? ""}
                onChange={(_, data) => update({ authentication: data.value })}
              >
                {authentications.map(([value, text]) => (
                  <div key={value}>
                    <Radio value={value} label={text} data-testid={`authentication-${value}`} />
                    <Caption1 className={own.radioHint}>{AUTHENTICATION_HINTS[value]}</Caption1>
                  </div>
                ))}
              </RadioGroup>
            </SettingField>
            <MessageBar intent="info" layout="multiline" data-testid="mfa-note">
              <MessageBarBody>
                Multifactor authentication, and asking users to change an expired or temporary
                password when they first sign in, only work when users sign in with the Company
                Portal or with modern authentication. The legacy Setup Assistant sign-in cannot do
                either.
              </MessageBarBody>
            </MessageBar>
            {draft.authentication === "companyPortal" ? (
              <MessageBar intent="warning" layout="multiline" data-testid="company-portal-24h">
                <MessageBarBody>
                  Once the Company Portal app has been downloaded to a device, enrollment has to
                  finish within 24 hours. After that it can fail, and the device then has to be
                  erased before it can enroll again.
                </MessageBarBody>
              </MessageBar>
            ) : null}
          </>
        ) : null}

        {visible.installCompanyPortal ? (
          <YesNoField
            path="installCompanyPortal"
            label="Install Company Portal"
            problems={problems}
            checked={draft.installCompanyPortal}
            disabled={draft.authentication === "companyPortal"}
            onChange={(checked) => update({ installCompanyPortal: checked })}
            hint={
              draft.authentication === "companyPortal"
                ? "Always installed when users sign in with the Company Portal."
                : "Install it when you use conditional access or deliver company apps to these devices."
            }
          />
        ) : null}

        {visible.companyPortalVppToken ? (
          <SettingField
            path="companyPortalVppToken"
            problems={problems}
            label="Install Company Portal with an Apps and Books token"
            hint="Optional. With a token whose location holds Company Portal licences, the app installs without asking for an Apple Account. The profile keeps the token's name."
          >
            <VppTokenPicker
              value={draft.companyPortalVppToken}
              onChange={(name) => update({ companyPortalVppToken: name })}
            />
          </SettingField>
        ) : null}

        {visible.singleAppModeUntilAuthentication ? (
          <YesNoField
            path="singleAppModeUntilAuthentication"
            label="Run Company Portal in Single App Mode until authentication"
            problems={problems}
            checked={draft.singleAppModeUntilAuthentication}
            onChange={(checked) => update({ singleAppModeUntilAuthentication: checked })}
            hint="After setup the device shows only the Company Portal until the user has signed in. Needs iOS/iPadOS 11.3.1 or later. A second sign-in factor cannot be completed on a device locked to one app, so for MFA the second factor must come from another device."
          />
        ) : null}
      </StepSection>

      <StepSection title="Management">
        <YesNoField
          path="supervised"
          label="Supervised"
          problems={problems}
          checked={draft.supervised}
          onChange={(checked) => update({ supervised: checked })}
          hint={SUPERVISION_HINTS[draft.platform] ?? SUPERVISION_HINTS.iOS ?? ""}
        />
        <YesNoField
          path="lockedEnrollment"
          label="Locked enrollment"
          problems={problems}
          checked={draft.lockedEnrollment}
          onChange={(checked) => update({ lockedEnrollment: checked })}
          hint="Users cannot remove the management profile in Settings. Needs Supervised. Changing it later requires erasing the device."
        />
        <Caption1 className={own.optionNote} data-testid="locked-enrollment-configurator">
          Devices added to Apple Business Manager through Apple Configurator can still be removed
          from management during their 30-day provisional period, locked or not.
        </Caption1>
        {!visible.sharedIPadOffered ? null : visible.sharedIPad ? (
          <YesNoField
            path="sharedIPad"
            label="Shared iPad"
            problems={problems}
            checked={draft.sharedIPad}
            onChange={(checked) => update({ sharedIPad: checked })}
            hint="Several people use the same iPad, each signing in with a Managed Apple Account, or in a temporary guest session. Needs iPadOS 13.4 or later."
          />
        ) : (
          <Caption1 className={styles.muted} data-testid="shared-ipad-unavailable">
            Shared iPad is available for supervised devices enrolled without user affinity.
          </Caption1>
        )}
        {visible.maximumCachedUsers ? (
          <SettingField
            path="maximumCachedUsers"
            problems={problems}
            label="Maximum cached users"
            required
            hint={`1 to ${MAX_CACHED_USERS}. How many people's data the iPad keeps. Too few, and returning users wait for their data again; too many, and each has little storage left.`}
          >
            <Input
              type="number"
              min={1}
              max={MAX_CACHED_USERS}
              className={styles.narrowField}
              value={draft.maximumCachedUsers === null ? "" : String(draft.maximumCachedUsers)}
              onChange={(_, data) => {
                const n = Number.parseInt(data.value, 10);
                update({ maximumCachedUsers: Number.isNaN(n) ? null : n });
              }}
            />
          </SettingField>
        ) : null}
        <YesNoField
          path="awaitFinalConfiguration"
          label="Await final configuration"
          problems={problems}
          checked={draft.awaitFinalConfiguration}
          onChange={(checked) => update({ awaitFinalConfiguration: checked })}
          hint="The device stays in Setup Assistant until your MDM server reports that its configuration is complete, so nobody uses a half-configured device."
        />
      </StepSection>

      {byLanguage ? (
        <StepSection title="Setup Assistant language and pace">
          {visible.language ? (
            <SettingField
              path="language"
              problems={problems}
              label="Language"
              hint="Setup Assistant starts in this language and skips the language screen. Not set: the person at the device chooses."
            >
              <CodeSelect
                value={draft.language}
                options={languages}
                onChange={(language) => update({ language })}
                testId="language-select"
              />
            </SettingField>
          ) : null}
          {visible.region ? (
            <SettingField
              path="region"
              problems={problems}
              label="Region"
              hint={
                draft.language === null
                  ? "Choose a language first: Apple applies a region only together with one."
                  : "Skips the region screen. Not set: the person at the device chooses."
              }
            >
              <CodeSelect
                value={draft.region}
                options={regions}
                disabled={draft.language === null}
                onChange={(region) => update({ region })}
                testId="region-select"
              />
            </SettingField>
          ) : null}
          {visible.autoAdvanceSetup ? (
            <YesNoField
              path="autoAdvanceSetup"
              label="Auto advance Setup Assistant"
              problems={problems}
              checked={draft.autoAdvanceSetup}
              onChange={(checked) => update({ autoAdvanceSetup: checked })}
              hint="Setup Assistant moves through its screens on its own, so the device finishes setup with nobody at it (tvOS, and macOS 11 or later). Set the language and region too, or the device stops at those screens."
            />
          ) : null}
        </StepSection>
      ) : null}

      {restore ? (
        <StepSection title="Erase and restore">
          {visible.returnToService ? (
            <YesNoField
              path="returnToService"
              label="Return to Service"
              problems={problems}
              checked={draft.returnToService}
              onChange={(checked) => update({ returnToService: checked })}
              hint={`Needs ${platform} 26 or later. After your MDM server erases the device, it goes through setup again and re-enrolls on its own, so it is ready for the next user without anyone tapping through the screens.`}
            />
          ) : null}
          {visible.doNotUseProfileFromBackup ? (
            <YesNoField
              path="doNotUseProfileFromBackup"
              label="Don't restore the enrollment profile from a backup"
              problems={problems}
              checked={draft.doNotUseProfileFromBackup}
              onChange={(checked) => update({ doNotUseProfileFromBackup: checked })}
              hint={`Needs ${platform} 26 or later. A device restored from a backup asks Apple for its current enrollment profile instead of reusing the one saved in the backup.`}
            />
          ) : null}
        </StepSection>
      ) : null}

      <StepSection title="Computers">
        {visible.syncWithComputers ? (
          <SettingField path="syncWithComputers" problems={problems} label="Sync with computers">
            <RadioGroup
              value={draft.syncWithComputers}
              onChange={(_, data) => update({ syncWithComputers: data.value })}
            >
              {Object.entries(SYNC_LABELS).map(([value, text]) => (
                <div key={value}>
                  <Radio value={value} label={text} data-testid={`syncWithComputers-${value}`} />
                  <Caption1 className={own.radioHint}>{SYNC_HINTS[value]}</Caption1>
                </div>
              ))}
            </RadioGroup>
          </SettingField>
        ) : (
          <Caption1 className={styles.muted} data-testid="sync-unavailable">
            {platform} profiles leave pairing with computers to the device: Sync with computers
            stays at Allow all.
          </Caption1>
        )}
        {visible.syncWithComputers && draft.syncWithComputers === "denyAll" ? (
          <MessageBar intent="warning" layout="multiline" data-testid="deny-all-note">
            <MessageBarBody>
              On iOS/iPadOS 13 and later, Deny all in the profile no longer blocks pairing by
              itself: it works only through the restriction your MDM installs (allowHostPairing
              turned off, as described in the MDM handoff files).
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {visible.configuratorCertificates ? (
          <CertificateList
            draft={draft}
            update={update}
            problems={problems}
            certificates={certificates}
            names={certificateNames}
            onNames={onCertificateNames}
          />
        ) : null}
      </StepSection>

      <StepSection title="Device name">
        <SettingField
          path="applyDeviceNameTemplate"
          problems={[]}
          label="Apply device name template"
          hint="Names each device from a pattern when it enrolls, and again each time it checks in with your MDM server."
        >
          <Switch
            checked={templateOn}
            label={templateOn ? "Yes" : "No"}
            onChange={(_, data) => update({ deviceNameTemplate: data.checked ? "" : null })}
          />
        </SettingField>
        {templateOn ? (
          <>
            <SettingField
              path="deviceNameTemplate"
              problems={problems}
              label="Device name template"
              required
              hint="Use {{SERIAL}} for the serial number and {{DEVICETYPE}} for the kind of device, for example {{DEVICETYPE}}-{{SERIAL}}. At most 63 characters once filled in."
            >
              <Input
                value={draft.deviceNameTemplate ?? ""}
                onChange={(_, data) => update({ deviceNameTemplate: data.value })}
                placeholder="{{DEVICETYPE}}-{{SERIAL}}"
              />
            </SettingField>
            <div className={own.tokenButtons}>
              {TEMPLATE_TOKENS.map((token) => (
                <Button
                  key={token}
                  size="small"
                  onClick={() =>
                    update((d) => ({
                      ...d,
                      deviceNameTemplate: `${d.deviceNameTemplate ?? ""}${token}`,
                    }))
                  }
                  data-testid={`insert-${token.replace(/[{}]/g, "").toLowerCase()}`}
                >
                  Insert {token}
                </Button>
              ))}
            </div>
            <div className={own.preview}>
              <Body1>On a sample {SAMPLE_DEVICE[draft.platform] ?? "device"}:</Body1>
              <span className={styles.mono} data-testid="device-name-preview">
                {deviceNamePreview ?? "—"}
              </span>
            </div>
          </>
        ) : null}
      </StepSection>
    </>
  );
}

/** A picker of ISO codes shown as "Name (code)", with "Not set" for null. */
function CodeSelect({
  value,
  options,
  disabled = false,
  onChange,
  testId,
}: {
  value: string | null;
  options: { code: string; name: string }[];
  disabled?: boolean;
  onChange: (code: string | null) => void;
  testId: string;
}) {
  return (
    <Select
      value={value ?? ""}
      disabled={disabled}
      onChange={(_, data) => onChange(data.value === "" ? null : data.value)}
      data-testid={testId}
    >
      <option value="">Not set</option>
      {options.map((o) => (
        <option key={o.code} value={o.code}>
          {o.name} ({o.code})
        </option>
      ))}
    </Select>
  );
}
