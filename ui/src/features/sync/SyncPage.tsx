import { makeStyles } from "@fluentui/react-components";
import { ArrowSync20Regular } from "@fluentui/react-icons";
import { useWorkspaceInfo } from "../../app/api";
import { CountGate } from "../../components/CountGate";
import { EmptyState } from "../../components/EmptyState";
import { Page } from "../../components/Page";

const useStyles = makeStyles({ paragraph: { margin: 0 } });

export function SyncPage() {
  const styles = useStyles();
  const info = useWorkspaceInfo();
  return (
    <Page
      testId="sync"
      title="Sync"
      description="How up to date Depot's device list is for each token, and what happened in recent runs."
    >
      <CountGate
        query={info}
        count={(data) => data.counts.tokens}
        noun={["token to sync", "tokens to sync"]}
        loadingLabel="Loading sync status…"
        errorTitle="Couldn't load sync status"
        empty={
          <EmptyState testId="sync-empty" icon={<ArrowSync20Regular />} title="Nothing to sync yet">
            <p className={styles.paragraph}>
              Syncing asks Apple which devices are assigned to each token&apos;s MDM server and what
              changed since the last run. Depot syncs every token on its own twice a day while it is
              running, and you can start a sync by hand when you need fresh data.
            </p>
            <p className={styles.paragraph}>
              Once a token is added, this page shows each token&apos;s last result, the next
              scheduled run and the history of recent runs.
            </p>
          </EmptyState>
        }
      />
    </Page>
  );
}
