import {
  Badge,
  Caption1,
  Card,
  CardHeader,
  Subtitle2,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import { useWorkspaceInfo } from "../../app/api";
import { useColorScheme } from "../../app/theme";
import type { KeyProtection } from "../../bindings/KeyProtection";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { EnrollmentUrlsCard } from "./EnrollmentUrlsCard";
import { NotificationsCard } from "./NotificationsCard";
import { ServerConnectionCard } from "./ServerConnectionCard";
import { WebhooksCard } from "./WebhooksCard";

const useStyles = makeStyles({
  sections: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    maxWidth: "960px",
  },
  facts: {
    display: "grid",
    gridTemplateColumns: "160px minmax(0, 1fr)",
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  term: {
    color: tokens.colorNeutralForeground2,
  },
  definition: {
    margin: 0,
    minWidth: 0,
  },
  protection: {
    display: "flex",
    flexDirection: "column",
    alignItems: "flex-start",
    gap: tokens.spacingVerticalXS,
  },
  explain: {
    color: tokens.colorNeutralForeground2,
  },
  path: {
    fontFamily: tokens.fontFamilyMonospace,
    overflowWrap: "anywhere",
  },
});

const PROTECTION: Record<
  KeyProtection,
  { label: string; badge: string; color: "success" | "warning" | "danger"; explain: string }
> = {
  keychain: {
    label: "Operating system keychain",
    badge: "Protected",
    color: "success",
    explain:
      "Token credentials and private keys are encrypted with a key that your operating system's keychain keeps for your user account.",
  },
  keyFile: {
    label: "Key file",
    badge: "Less protected",
    color: "warning",
    explain:
      "No keychain was available, so the encryption key is in a file that only your user account can read. Anyone who can read that file and a copy of the workspace can open the token credentials. Use the keychain on desktops; keep the key file for servers and CI, and protect its backups.",
  },
  testKey: {
    label: "Fixed test key",
    badge: "Not protected",
    color: "danger",
    explain:
      "This workspace uses a built-in key meant for automated tests. Do not add real tokens from Apple to it.",
  },
};

function KeyProtectionFact({ protection }: { protection: KeyProtection }) {
  const styles = useStyles();
  const facts = PROTECTION[protection];
  return (
    <div className={styles.protection}>
      <span>
        {facts.label}{" "}
        <Badge appearance="tint" color={facts.color} data-testid="settings-key-protection-badge">
          {facts.badge}
        </Badge>
      </span>
      <Caption1 className={styles.explain}>{facts.explain}</Caption1>
    </div>
  );
}

function WorkspaceSection() {
  const styles = useStyles();
  const info = useWorkspaceInfo();
  return (
    <Card>
      <CardHeader header={<Subtitle2 as="h2">Workspace</Subtitle2>} />
      {info.isPending ? (
        <LoadingState label="Loading workspace…" />
      ) : info.isError ? (
        <ErrorState
          title="Couldn't load workspace information"
          error={info.error}
          onRetry={() => void info.refetch()}
          retrying={info.isFetching}
        />
      ) : (
        <dl className={styles.facts}>
          <dt className={styles.term}>Location</dt>
          <dd
            className={mergeClasses(styles.definition, styles.path)}
            data-testid="settings-workspace-path"
          >
            {info.data.path}
          </dd>
          <dt className={styles.term}>Schema version</dt>
          <dd className={styles.definition} data-testid="settings-schema-version">
            {info.data.schemaVersion}
          </dd>
          <dt className={styles.term}>Secrets at rest</dt>
          <dd
            className={styles.definition}
            data-testid="settings-key-protection"
            data-protection={info.data.keyProtection}
          >
            <KeyProtectionFact protection={info.data.keyProtection} />
          </dd>
          {info.data.simulatorUrl ? (
            <>
              <dt className={styles.term}>Simulator</dt>
              <dd
                className={mergeClasses(styles.definition, styles.path)}
                data-testid="settings-simulator"
              >
                Running at {info.data.simulatorUrl}
              </dd>
            </>
          ) : null}
        </dl>
      )}
    </Card>
  );
}

function AppearanceSection() {
  const styles = useStyles();
  const scheme = useColorScheme();
  return (
    <Card>
      <CardHeader header={<Subtitle2 as="h2">Appearance</Subtitle2>} />
      <dl className={styles.facts}>
        <dt className={styles.term}>Theme</dt>
        <dd className={styles.definition} data-testid="settings-theme">
          Follows your system setting (currently {scheme})
        </dd>
      </dl>
    </Card>
  );
}

export function SettingsPage() {
  const styles = useStyles();
  return (
    <Page
      testId="settings"
      title="Settings"
      description="This workspace, where devices enroll, notifications, webhooks and how Depot looks."
    >
      <div className={styles.sections}>
        <ServerConnectionCard />
        <WorkspaceSection />
        <EnrollmentUrlsCard />
        <NotificationsCard />
        <WebhooksCard />
        <AppearanceSection />
      </div>
    </Page>
  );
}
