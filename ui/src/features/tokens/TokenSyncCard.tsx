import { Body1, Card, CardHeader, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import { useCan, useServedWorkspace } from "../../app/session";
import { useSyncActions, useSyncHistory, useSyncStatus } from "../../app/sync";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { SyncActionControls } from "../../components/sync/SyncControls";
import { SyncHealthFacts } from "../../components/sync/SyncHealthFacts";
import { SyncHistoryTable } from "../../components/sync/SyncHistoryTable";
import {
  SyncActionErrors,
  SyncProgressView,
  SyncStateBadge,
} from "../../components/sync/SyncParts";
import { useNow } from "../../components/sync/time";

const useStyles = makeStyles({
  card: {
    gridColumn: "1 / -1",
    gap: tokens.spacingVerticalL,
    paddingBottom: tokens.spacingVerticalL,
  },
  header: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "flex-start",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalL,
  },
  heading: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  section: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  sectionTitle: {
    margin: 0,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
});

/** Token detail: sync controls, health (SYN-6) and the last 50 runs. */
export function TokenSyncCard({ token }: { token: TokenSummary }) {
  const styles = useStyles();
  const status = useSyncStatus(token.id);
  const history = useSyncHistory(token.id);
  const actions = useSyncActions(token.id);
  const mayStartSyncs = useCan("sync");
  const served = useServedWorkspace();
  const now = useNow(1_000);

  return (
    <Card className={styles.card} data-testid="token-sync">
      <div className={styles.header}>
        <CardHeader
          header={
            <span className={styles.heading}>
              <Subtitle2 as="h2">Sync with {token.simulator ? "the simulator" : "Apple"}</Subtitle2>
              {status.data ? <SyncStateBadge status={status.data} /> : null}
            </span>
          }
          description={`${
            served
              ? "Depot's server syncs changes every 12 hours, whether or not anyone has Depot open."
              : "Depot syncs changes every 12 hours while it is open."
          } Start a sync when you need fresh data now.`}
        />
        {status.data ? (
          <SyncActionControls
            tokenId={token.id}
            serverName={token.serverName}
            status={status.data}
            actions={actions}
            allowed={mayStartSyncs}
          />
        ) : null}
      </div>
      {status.isPending ? <LoadingState label="Loading sync status…" /> : null}
      {status.isError ? (
        <ErrorState
          title="Couldn't load the sync status"
          error={status.error}
          onRetry={() => void status.refetch()}
          retrying={status.isFetching}
        />
      ) : null}
      <SyncActionErrors tokenId={token.id} actions={actions} />
      {status.data?.running ? (
        <SyncProgressView tokenId={token.id} progress={status.data.running} now={now} />
      ) : null}
      {status.data ? (
        <section className={styles.section} aria-label="Sync health">
          <SyncHealthFacts
            tokenId={token.id}
            health={status.data.health}
            now={now}
            running={status.data.running !== null}
          />
        </section>
      ) : null}
      <section className={styles.section} aria-labelledby={`sync-history-${token.id}`}>
        <Subtitle2 as="h3" id={`sync-history-${token.id}`} className={styles.sectionTitle}>
          Recent syncs
        </Subtitle2>
        {history.isPending ? <LoadingState label="Loading the sync history…" /> : null}
        {history.isError ? (
          <ErrorState
            title="Couldn't load the sync history"
            error={history.error}
            onRetry={() => void history.refetch()}
            retrying={history.isFetching}
          />
        ) : null}
        {history.data && history.data.runs.length === 0 ? (
          <Body1 className={styles.muted} data-testid="sync-history-empty">
            No syncs yet. The first one fetches every device assigned to this MDM server.
          </Body1>
        ) : null}
        {history.data && history.data.runs.length > 0 ? (
          <SyncHistoryTable runs={history.data.runs} />
        ) : null}
      </section>
    </Card>
  );
}
