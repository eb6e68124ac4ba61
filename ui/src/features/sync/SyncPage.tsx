import {
  Button,
  Caption1,
  Card,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
  typographyStyles,
} from "@fluentui/react-components";
import { ArrowSync20Regular, Key20Regular } from "@fluentui/react-icons";
import { useState, type ReactNode } from "react";
import { useTokenDetail } from "../../app/api";
import { DEVICE_PATHS, PROFILE_PATHS, hrefTo, TOKEN_PATHS } from "../../app/paths";
import { useCan, useServedWorkspace } from "../../app/session";
import { useSyncActions, useSyncOverview } from "../../app/sync";
import type { TokenSyncStatus } from "../../bindings/TokenSyncStatus";
import { EmptyState } from "../../components/EmptyState";
import { PlatformMismatchTable } from "../../components/platforms";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { SimulatorBadge } from "../../components/SimulatorBadge";
import { SyncActionControls } from "../../components/sync/SyncControls";
import {
  SyncActionErrors,
  SyncErrorBar,
  SyncProgressView,
  SyncStateBadge,
  currentError,
} from "../../components/sync/SyncParts";
import {
  formatCount,
  formatDateTime,
  parseTime,
  relativeTime,
  useNow,
} from "../../components/sync/time";

const useStyles = makeStyles({
  paragraph: { margin: 0 },
  list: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  card: {
    gap: tokens.spacingVerticalM,
  },
  head: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "flex-start",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalL,
  },
  title: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    minWidth: 0,
  },
  name: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  serverLink: {
    fontSize: tokens.fontSizeBase400,
    fontWeight: tokens.fontWeightSemibold,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  stats: {
    display: "grid",
    gridTemplateColumns: "repeat(4, minmax(0, 1fr))",
    "@media (max-width: 1000px)": {
      gridTemplateColumns: "repeat(2, minmax(0, 1fr))",
      rowGap: tokens.spacingVerticalM,
    },
    gap: tokens.spacingHorizontalL,
    margin: 0,
  },
  stat: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    minWidth: 0,
  },
  statLabel: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground3,
  },
  statValue: {
    ...typographyStyles.body1Strong,
    margin: 0,
    fontVariantNumeric: "tabular-nums",
  },
  statSub: {
    ...typographyStyles.caption1,
    margin: 0,
    color: tokens.colorNeutralForeground3,
  },
});

export function SyncPage() {
  const served = useServedWorkspace();
  const styles = useStyles();
  const overview = useSyncOverview();
  let body: ReactNode;
  if (overview.isPending) {
    body = <LoadingState label="Loading sync status…" />;
  } else if (overview.isError) {
    body = (
      <ErrorState
        title="Couldn't load sync status"
        error={overview.error}
        onRetry={() => void overview.refetch()}
        retrying={overview.isFetching}
      />
    );
  } else if (overview.data.tokens.length === 0) {
    body = (
      <EmptyState
        testId="sync-empty"
        icon={<ArrowSync20Regular />}
        title="Nothing to sync yet"
        actions={
          <Button
            as="a"
            href={hrefTo("tokens")}
            appearance="primary"
            icon={<Key20Regular />}
            data-testid="sync-empty-tokens"
          >
            Go to enrollment program tokens
          </Button>
        }
      >
        <p className={styles.paragraph}>
          Syncing asks Apple which devices are assigned to each token&apos;s MDM server and what
          changed since the last run. Depot syncs every token on its own twice a day while it is
          open, and you can start a sync by hand when you need fresh data.
        </p>
        <p className={styles.paragraph}>
          Add an enrollment program token first; its sync status then shows here.
        </p>
      </EmptyState>
    );
  } else {
    body = (
      <div className={styles.list}>
        {overview.data.tokens.map((entry) => (
          <SyncRow key={entry.token.id} entry={entry} />
        ))}
      </div>
    );
  }
  return (
    <Page
      testId="sync"
      title="Sync"
      description={`How up to date Depot's device list is for each token. ${
        served
          ? "Depot's server syncs changes every 12 hours, whether or not anyone has Depot open"
          : "Depot syncs changes every 12 hours while it is open"
      }; start a sync by hand when you need fresh data.`}
    >
      {body}
    </Page>
  );
}

function Stat({
  label,
  value,
  sub,
  testId,
}: {
  label: string;
  value: ReactNode;
  sub?: ReactNode;
  testId?: string;
}) {
  const styles = useStyles();
  return (
    <div className={styles.stat} data-testid={testId}>
      <dt className={styles.statLabel}>{label}</dt>
      <dd className={styles.statValue}>{value}</dd>
      {sub ? <dd className={styles.statSub}>{sub}</dd> : null}
    </div>
  );
}

function SyncRow({ entry }: { entry: TokenSyncStatus }) {
  const styles = useStyles();
  const { token, status } = entry;
  const { health, running } = status;
  const actions = useSyncActions(token.id);
  const mayStartSyncs = useCan("sync");
  const now = useNow(15_000);
  const error = running ? null : currentError(health);
  const nextAuto = parseTime(health.nextAutomaticAt);

  return (
    <Card className={styles.card} data-testid={`sync-row-${token.id}`}>
      <div className={styles.head}>
        <div className={styles.title}>
          <span className={styles.name}>
            <Link href={`#${TOKEN_PATHS.detail(token.id)}`} className={styles.serverLink}>
              {token.serverName}
            </Link>
            {token.simulator ? <SimulatorBadge size="small" /> : null}
            <SyncStateBadge status={status} />
          </span>
          <Caption1 className={styles.muted}>{token.orgName}</Caption1>
        </div>
        <SyncActionControls
          tokenId={token.id}
          serverName={token.serverName}
          status={status}
          actions={actions}
          allowed={mayStartSyncs}
        />
      </div>
      <dl className={styles.stats}>
        <Stat
          label="Devices"
          value={formatCount(health.deviceCount)}
          testId={`sync-devices-${token.id}`}
        />
        <Stat
          label="Last successful sync"
          value={health.lastSuccessAt ? relativeTime(health.lastSuccessAt, now, true) : "Never"}
          sub={health.lastSuccessAt ? formatDateTime(health.lastSuccessAt) : undefined}
          testId={`sync-last-success-${token.id}`}
        />
        <Stat
          label="Next automatic sync"
          value={
            running
              ? "After this one"
              : nextAuto === null || !health.nextAutomaticAt
                ? "Not scheduled"
                : nextAuto <= now
                  ? "Due now"
                  : relativeTime(health.nextAutomaticAt, now)
          }
          sub={
            health.nextAutomaticAt && !running ? formatDateTime(health.nextAutomaticAt) : undefined
          }
          testId={`sync-next-${token.id}`}
        />
        <Stat
          label="Last full sync"
          value={health.lastFullSyncAt ? relativeTime(health.lastFullSyncAt, now, true) : "Never"}
          sub={health.lastFullSyncAt ? formatDateTime(health.lastFullSyncAt) : undefined}
        />
      </dl>
      {running ? <SyncProgressView tokenId={token.id} progress={running} now={now} /> : null}
      {error ? <SyncErrorBar tokenId={token.id} error={error} now={now} /> : null}
      <SyncActionErrors tokenId={token.id} actions={actions} />
      <PlatformMismatches tokenId={token.id} />
    </Card>
  );
}

/**
 * Devices that received a profile made for another platform (before Depot
 * kept a default per platform), so an admin can assign them the right one.
 */
function PlatformMismatches({ tokenId }: { tokenId: string }) {
  const detail = useTokenDetail(tokenId);
  const [open, setOpen] = useState(false);
  const mismatches = detail.data?.platformMismatches ?? [];
  if (mismatches.length === 0) return null;
  const count = formatCount(mismatches.length);
  return (
    <>
      <MessageBar intent="warning" layout="multiline" data-testid={`sync-mismatches-${tokenId}`}>
        <MessageBarBody>
          <MessageBarTitle>
            {mismatches.length === 1
              ? "1 device received another platform's profile"
              : `${count} devices received another platform's profile`}
          </MessageBarTitle>
          {mismatches.length === 1 ? "It holds" : "They hold"} a profile made for another platform,
          given before Depot kept one default per platform. Assign each the profile of its own
          platform; a device that already installed the wrong one must also be erased.
        </MessageBarBody>
        <MessageBarActions>
          <Button
            as="a"
            href={`#${DEVICE_PATHS.assignSerials(
              tokenId,
              mismatches.map((m) => m.serial),
            )}`}
            data-testid={`sync-mismatches-assign-${tokenId}`}
          >
            Assign the right profile…
          </Button>
          <Button onClick={() => setOpen(!open)} data-testid={`sync-mismatches-show-${tokenId}`}>
            {open ? "Hide devices" : "Show devices"}
          </Button>
        </MessageBarActions>
      </MessageBar>
      {open ? (
        <PlatformMismatchTable
          mismatches={mismatches}
          profileHref={PROFILE_PATHS.detail}
          testId={`sync-mismatch-list-${tokenId}`}
        />
      ) : null}
    </>
  );
}
