import { makeStyles } from "@fluentui/react-components";
import { DocumentSettings20Regular } from "@fluentui/react-icons";
import { useWorkspaceInfo } from "../../app/api";
import { CountGate } from "../../components/CountGate";
import { EmptyState } from "../../components/EmptyState";
import { Page } from "../../components/Page";

const useStyles = makeStyles({ paragraph: { margin: 0 } });

export function ProfilesPage() {
  const styles = useStyles();
  const info = useWorkspaceInfo();
  return (
    <Page
      testId="profiles"
      title="Profiles"
      description="Enrollment profiles decide how a device is set up the first time it is switched on."
    >
      <CountGate
        query={info}
        count={(data) => data.counts.profiles}
        noun={["enrollment profile", "enrollment profiles"]}
        loadingLabel="Loading profiles…"
        errorTitle="Couldn't load enrollment profiles"
        empty={
          <EmptyState
            testId="profiles-empty"
            icon={<DocumentSettings20Regular />}
            title="No enrollment profiles yet"
          >
            <p className={styles.paragraph}>
              A profile bundles the choices applied during Setup Assistant: whether the device is
              supervised, whether users can remove management, how they sign in, and which setup
              screens they never see. Once created, a profile can be assigned to devices or made the
              default for new ones.
            </p>
            <p className={styles.paragraph}>
              Every profile belongs to one enrollment program token, so profiles show up here after
              a token has been added.
            </p>
          </EmptyState>
        }
      />
    </Page>
  );
}
