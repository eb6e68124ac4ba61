import { makeStyles } from "@fluentui/react-components";
import { PhoneLaptop20Regular } from "@fluentui/react-icons";
import { useWorkspaceInfo } from "../../app/api";
import { CountGate } from "../../components/CountGate";
import { EmptyState } from "../../components/EmptyState";
import { Page } from "../../components/Page";

const useStyles = makeStyles({ paragraph: { margin: 0 } });

export function DevicesPage() {
  const styles = useStyles();
  const info = useWorkspaceInfo();
  return (
    <Page
      testId="devices"
      title="Devices"
      description="Devices that Apple has assigned to your MDM servers, and the profile each one gets."
    >
      <CountGate
        query={info}
        count={(data) => data.counts.devices}
        noun={["device", "devices"]}
        loadingLabel="Loading devices…"
        errorTitle="Couldn't load devices"
        empty={
          <EmptyState testId="devices-empty" icon={<PhoneLaptop20Regular />} title="No devices yet">
            <p className={styles.paragraph}>
              Devices arrive with the first sync of an enrollment program token. Each entry is a
              serial number your organisation bought and assigned to one of its MDM servers in Apple
              Business Manager or Apple School Manager, with the model, the OS and the enrollment
              profile it will receive.
            </p>
            <p className={styles.paragraph}>
              From here you will be able to search them, assign or remove profiles, and export the
              list.
            </p>
          </EmptyState>
        }
      />
    </Page>
  );
}
