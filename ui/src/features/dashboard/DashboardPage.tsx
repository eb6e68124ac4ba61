import {
  Body1,
  Card,
  CardHeader,
  Link,
  Subtitle2,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import {
  DocumentBulletList20Regular,
  DocumentSettings20Regular,
  KeyMultiple20Regular,
  PhoneLaptop20Regular,
} from "@fluentui/react-icons";
import type { ReactNode } from "react";
import { useDashboardSummary, useWorkspaceInfo } from "../../app/api";
import { hrefTo } from "../../app/paths";
import type { WorkspaceInfo } from "../../bindings/WorkspaceInfo";
import { ErrorState } from "../../components/ErrorState";
import { formatCount } from "../../components/format";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { NeedsAttention } from "./NeedsAttention";
import { SummaryCharts } from "./SummaryCharts";

const useStyles = makeStyles({
  stats: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(200px, 1fr))",
    gap: tokens.spacingHorizontalL,
    margin: 0,
  },
  stat: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalL,
  },
  statLabel: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    color: tokens.colorNeutralForeground2,
  },
  statIcon: {
    display: "flex",
    color: tokens.colorBrandForeground1,
  },
  statValue: {
    // Values line up at the bottom even when a label wraps.
    margin: 0,
    marginTop: "auto",
    fontSize: tokens.fontSizeHero800,
    lineHeight: tokens.lineHeightHero800,
    fontWeight: tokens.fontWeightSemibold,
  },
  paragraph: {
    margin: 0,
  },
  workspace: {
    padding: tokens.spacingHorizontalL,
    color: tokens.colorNeutralForeground2,
  },
  facts: {
    display: "grid",
    gridTemplateColumns: "minmax(120px, max-content) 1fr",
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

function Stat({
  label,
  value,
  icon,
  testId,
}: {
  label: string;
  value: number;
  icon: ReactNode;
  testId: string;
}) {
  const styles = useStyles();
  return (
    <Card className={styles.stat}>
      <dt className={styles.statLabel}>
        <span className={styles.statIcon} aria-hidden="true">
          {icon}
        </span>
        <Body1>{label}</Body1>
      </dt>
      <dd className={styles.statValue} data-testid={testId}>
        {formatCount(value)}
      </dd>
    </Card>
  );
}

/** The workspace's contents, one card each. */
const STATS: readonly {
  label: string;
  count: keyof WorkspaceInfo["counts"];
  icon: ReactNode;
  testId: string;
}[] = [
  {
    label: "Enrollment program tokens",
    count: "tokens",
    icon: <KeyMultiple20Regular />,
    testId: "count-tokens",
  },
  {
    label: "Enrollment profiles",
    count: "profiles",
    icon: <DocumentSettings20Regular />,
    testId: "count-profiles",
  },
  { label: "Devices", count: "devices", icon: <PhoneLaptop20Regular />, testId: "count-devices" },
  {
    label: "Audit log entries",
    count: "auditEntries",
    icon: <DocumentBulletList20Regular />,
    testId: "count-audit",
  },
];

function Overview({ info }: { info: WorkspaceInfo }) {
  const styles = useStyles();
  const { counts } = info;
  const empty = counts.tokens === 0;
  return (
    <>
      <dl className={styles.stats} aria-label="Workspace contents">
        {STATS.map(({ label, count, icon, testId }) => (
          <Stat key={testId} label={label} value={counts[count]} icon={icon} testId={testId} />
        ))}
      </dl>
      {empty ? (
        <Card data-testid="dashboard-next-step">
          <CardHeader header={<Subtitle2 as="h2">Get started</Subtitle2>} />
          <Text as="p" block className={styles.paragraph}>
            Depot needs an enrollment program token before it can see your devices. Tokens come from
            Apple Business Manager or Apple School Manager.
          </Text>
          <Link href={hrefTo("tokens")}>Go to enrollment program tokens</Link>
        </Card>
      ) : (
        <Summary />
      )}
      <Card className={styles.workspace} size="small" data-testid="dashboard-workspace">
        <CardHeader header={<Subtitle2 as="h2">Workspace</Subtitle2>} />
        <dl className={styles.facts}>
          <dt className={styles.term}>Location</dt>
          <dd className={mergeClasses(styles.definition, styles.path)} data-testid="workspace-path">
            {info.path}
          </dd>
          <dt className={styles.term}>Schema version</dt>
          <dd className={styles.definition} data-testid="workspace-schema">
            {info.schemaVersion}
          </dd>
        </dl>
      </Card>
    </>
  );
}

/** The charts, from one `dashboard.summary` (asked for once the workspace has a token). */
function Summary() {
  const summary = useDashboardSummary();
  if (summary.isPending) return <LoadingState label="Loading the dashboard…" />;
  if (summary.isError) {
    return (
      <ErrorState
        title="Couldn't load the dashboard's figures"
        error={summary.error}
        onRetry={() => void summary.refetch()}
        retrying={summary.isFetching}
      />
    );
  }
  return <SummaryCharts summary={summary.data} />;
}

export function DashboardPage() {
  const info = useWorkspaceInfo();
  return (
    <Page
      testId="dashboard"
      title="Dashboard"
      description="What this Depot workspace holds right now, and what needs attention."
    >
      <NeedsAttention />
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
        <Overview info={info.data} />
      )}
    </Page>
  );
}
