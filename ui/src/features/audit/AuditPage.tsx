import { makeStyles } from "@fluentui/react-components";
import { DocumentBulletList20Regular } from "@fluentui/react-icons";
import { useWorkspaceInfo } from "../../app/api";
import { CountGate } from "../../components/CountGate";
import { EmptyState } from "../../components/EmptyState";
import { Page } from "../../components/Page";

const useStyles = makeStyles({ paragraph: { margin: 0 } });

export function AuditPage() {
  const styles = useStyles();
  const info = useWorkspaceInfo();
  return (
    <Page
      testId="audit"
      title="Audit log"
      description="A permanent record of every change made in this workspace."
    >
      <CountGate
        query={info}
        count={(data) => data.counts.auditEntries}
        noun={["audit log entry", "audit log entries"]}
        loadingLabel="Loading audit log…"
        errorTitle="Couldn't load the audit log"
        empty={
          <EmptyState
            testId="audit-empty"
            icon={<DocumentBulletList20Regular />}
            title="No changes recorded yet"
          >
            <p className={styles.paragraph}>
              Adding, renewing or deleting a token, editing a profile, assigning devices and
              changing settings each leave an entry here: when it happened, who did it, what it
              touched and what changed. Entries can never be edited or removed.
            </p>
          </EmptyState>
        }
      />
    </Page>
  );
}
