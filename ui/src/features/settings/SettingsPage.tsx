import { Card, CardHeader, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import { useWorkspaceInfo } from "../../app/api";
import { useColorScheme } from "../../app/theme";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";

const useStyles = makeStyles({
  sections: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    maxWidth: "760px",
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
  path: {
    fontFamily: tokens.fontFamilyMonospace,
    overflowWrap: "anywhere",
  },
});

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
            className={`${styles.definition} ${styles.path}`}
            data-testid="settings-workspace-path"
          >
            {info.data.path}
          </dd>
          <dt className={styles.term}>Schema version</dt>
          <dd className={styles.definition} data-testid="settings-schema-version">
            {info.data.schemaVersion}
          </dd>
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
    <Page testId="settings" title="Settings" description="This workspace and how Depot looks.">
      <div className={styles.sections}>
        <WorkspaceSection />
        <AppearanceSection />
      </div>
    </Page>
  );
}
