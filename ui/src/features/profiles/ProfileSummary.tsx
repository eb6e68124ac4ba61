import { Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import type { ProfileDraft } from "../../bindings/ProfileDraft";
import type { SkipKeyCatalogue } from "../../bindings/SkipKeyCatalogue";
import { Facts, type Fact } from "../../components/Facts";
import {
  AFFINITY_LABELS,
  AUTHENTICATION_LABELS,
  SYNC_LABELS,
  WIZARD_STEPS,
  label,
  languageName,
  platformLabel,
  regionName,
  screenLabel,
  usesFor,
  visibleSettings,
} from "./draft";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  group: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  heading: {
    margin: 0,
  },
});

const yesNo = (value: boolean) => (value ? "Yes" : "No");
const orNone = (value: string | null | undefined) =>
  value === null || value === undefined || value.trim() === "" ? "None" : value;

type ProfileSummaryProps = {
  draft: ProfileDraft;
  tokenName: string;
  /** Screen names and the platforms' settings; undefined while it loads. */
  catalogue: SkipKeyCatalogue | undefined;
  deviceNamePreview?: string | null | undefined;
  testId?: string | undefined;
};

/** Every choice of a profile in words, grouped like the wizard's steps. */
export function ProfileSummary({
  draft,
  tokenName,
  catalogue,
  deviceNamePreview,
  testId = "profile-summary",
}: ProfileSummaryProps) {
  const styles = useStyles();
  const visible = visibleSettings(
    draft,
    usesFor(catalogue?.platformSettings ?? [], draft.platform),
  );
  const keys = catalogue?.keys ?? [];
  const platform = platformLabel(draft.platform);
  const [basics, management, setup] = WIZARD_STEPS;

  const basicFacts: Fact[] = [
    { label: "Name", value: draft.name, testId: "summary-name" },
    { label: "Description", value: orNone(draft.description) },
    { label: "Token", value: tokenName },
    { label: "Platform", value: platform, testId: "summary-platform" },
  ];

  const managementFacts: Fact[] = [
    {
      label: "User affinity",
      value: label(AFFINITY_LABELS, draft.userAffinity),
      testId: "summary-userAffinity",
    },
  ];
  const named = (code: string | null, name: (code: string) => string) =>
    code === null ? "Not set" : `${name(code)} (${code})`;
  if (visible.authentication) {
    managementFacts.push({
      label: "Where users authenticate",
      value: label(AUTHENTICATION_LABELS, draft.authentication),
      testId: "summary-authentication",
    });
  }
  if (visible.installCompanyPortal) {
    managementFacts.push({
      label: "Install Company Portal",
      value: yesNo(draft.installCompanyPortal),
    });
  }
  if (visible.companyPortalVppToken) {
    managementFacts.push({
      label: "VPP token for Company Portal",
      value: orNone(draft.companyPortalVppToken),
    });
  }
  if (visible.singleAppModeUntilAuthentication) {
    managementFacts.push({
      label: "Single App Mode until authentication",
      value: yesNo(draft.singleAppModeUntilAuthentication),
    });
  }
  managementFacts.push(
    { label: "Supervised", value: yesNo(draft.supervised), testId: "summary-supervised" },
    { label: "Locked enrollment", value: yesNo(draft.lockedEnrollment) },
  );
  if (visible.sharedIPad) {
    managementFacts.push({
      label: "Shared iPad",
      value: yesNo(draft.sharedIPad),
      testId: "summary-sharedIPad",
    });
  }
  if (visible.maximumCachedUsers) {
    managementFacts.push({
      label: "Maximum cached users",
      value: draft.maximumCachedUsers === null ? "—" : String(draft.maximumCachedUsers),
    });
  }
  managementFacts.push({
    label: "Await final configuration",
    value: yesNo(draft.awaitFinalConfiguration),
  });
  if (visible.language) {
    managementFacts.push({
      label: "Language",
      value: named(draft.language, languageName),
      testId: "summary-language",
    });
  }
  if (visible.region) {
    managementFacts.push({
      label: "Region",
      value: named(draft.region, regionName),
      testId: "summary-region",
    });
  }
  if (visible.autoAdvanceSetup) {
    managementFacts.push({
      label: "Auto advance Setup Assistant",
      value: yesNo(draft.autoAdvanceSetup),
      testId: "summary-autoAdvanceSetup",
    });
  }
  if (visible.returnToService) {
    managementFacts.push({
      label: "Return to Service (26+)",
      value: yesNo(draft.returnToService),
      testId: "summary-returnToService",
    });
  }
  if (visible.doNotUseProfileFromBackup) {
    managementFacts.push({
      label: "Don't restore the profile from a backup (26+)",
      value: yesNo(draft.doNotUseProfileFromBackup),
      testId: "summary-doNotUseProfileFromBackup",
    });
  }
  managementFacts.push({
    label: "Sync with computers",
    value: label(SYNC_LABELS, draft.syncWithComputers),
    testId: "summary-syncWithComputers",
  });
  if (visible.configuratorCertificates) {
    managementFacts.push({
      label: "Apple Configurator certificates",
      value: String(draft.configuratorCertificates.length),
    });
  }
  managementFacts.push({
    label: "Device name template",
    value:
      draft.deviceNameTemplate === null
        ? "Not applied"
        : deviceNamePreview
          ? `${draft.deviceNameTemplate} (for example ${deviceNamePreview})`
          : draft.deviceNameTemplate,
    mono: draft.deviceNameTemplate !== null,
    testId: "summary-deviceNameTemplate",
  });

  const hidden = draft.hiddenScreens;
  const setupFacts: Fact[] = [
    { label: "Department name", value: orNone(draft.department?.name) },
    { label: "Department phone", value: orNone(draft.department?.phone) },
    { label: "Support email", value: orNone(draft.department?.email) },
    {
      label: "Hidden screens",
      value:
        hidden.length === 0
          ? "None — every screen shows"
          : `${hidden.length}: ${hidden.map((key) => screenLabel(keys, key)).join(", ")}`,
      testId: "summary-hiddenScreens",
    },
  ];

  const groups = [
    { id: "basics", title: basics.title, facts: basicFacts },
    { id: "management", title: management.title, facts: managementFacts },
    { id: "setup", title: setup.title, facts: setupFacts },
  ];

  return (
    <div className={styles.root} data-testid={testId}>
      {groups.map((group) => (
        <section key={group.id} className={styles.group} data-testid={`summary-${group.id}`}>
          <Subtitle2 as="h3" className={styles.heading}>
            {group.title}
          </Subtitle2>
          <Facts facts={group.facts} />
        </section>
      ))}
    </div>
  );
}
