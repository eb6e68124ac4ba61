import {
  Caption1,
  Card,
  CardHeader,
  Subtitle2,
  Switch,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  desktopNotificationsAvailable,
  setNotificationsEnabled,
  useNotificationsEnabled,
} from "../../app/notifications";

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  explain: { color: tokens.colorNeutralForeground2 },
});

/** Desktop notifications for alerts: on unless turned off here (remembered on this machine). */
export function NotificationsCard() {
  const styles = useStyles();
  const enabled = useNotificationsEnabled();
  const available = desktopNotificationsAvailable();
  return (
    <Card data-testid="settings-notifications">
      <CardHeader header={<Subtitle2 as="h2">Notifications</Subtitle2>} />
      {available ? (
        <div className={styles.body}>
          <Switch
            checked={enabled}
            onChange={(_, data) => setNotificationsEnabled(data.checked)}
            label="Desktop notifications for alerts"
            data-testid="settings-notifications-switch"
          />
          <Caption1 className={styles.explain}>
            One notification when a warning or critical alert appears, and again if it gets worse or
            better. Snoozed alerts stay quiet.
          </Caption1>
        </div>
      ) : (
        <Caption1 className={styles.explain} data-testid="settings-notifications-desktop-only">
          Desktop notifications for alerts are a feature of the Depot desktop app. Here, alerts show
          on the dashboard, and critical ones in a banner on every page.
        </Caption1>
      )}
    </Card>
  );
}
