import {
  Badge,
  Body1,
  Caption1,
  Card,
  CardHeader,
  Link,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { alertHref, alertLinkText, type AlertDto } from "../../app/alerts";
import { useAlerts } from "../../app/api";
import { LoadingState } from "../../components/LoadingState";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL },
  list: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  item: {
    display: "grid",
    gridTemplateColumns: "88px 1fr",
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXXS,
    alignItems: "start",
  },
  text: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  muted: { color: tokens.colorNeutralForeground2 },
  calm: { margin: 0, color: tokens.colorNeutralForeground2 },
});

const BADGE = {
  critical: { color: "danger", label: "Critical" },
  warning: { color: "warning", label: "Warning" },
  info: { color: "informative", label: "Info" },
} as const;

function AlertItem({ alert }: { alert: AlertDto }) {
  const styles = useStyles();
  const badge = BADGE[alert.severity];
  return (
    <li
      className={styles.item}
      data-testid={`alert-${alert.key}`}
      data-severity={alert.severity}
      data-kind={alert.kind}
    >
      <Badge appearance="filled" color={badge.color} shape="rounded">
        {badge.label}
      </Badge>
      <div className={styles.text}>
        <Body1>{alert.message}</Body1>
        <Caption1 className={styles.muted}>
          {alert.action} Since {alert.since.slice(0, 10)}.
        </Caption1>
        <Link href={alertHref(alert)} data-testid={`alert-fix-${alert.key}`}>
          {alertLinkText(alert)}
        </Link>
      </div>
    </li>
  );
}

/** The dashboard's "Needs attention": every alert, worst first, each with the way to its fix. */
export function NeedsAttention() {
  const styles = useStyles();
  const alerts = useAlerts();
  return (
    <Card className={styles.card} data-testid="needs-attention">
      <CardHeader header={<Subtitle2 as="h2">Needs attention</Subtitle2>} />
      {alerts.isPending ? (
        <LoadingState label="Checking what needs attention…" />
      ) : alerts.isError ? (
        <div data-testid="needs-attention-error">
          <Caption1 className={styles.muted}>
            Couldn&apos;t check what needs attention: {alerts.error.message}
          </Caption1>
        </div>
      ) : alerts.data.alerts.length === 0 ? (
        <p className={styles.calm} data-testid="needs-attention-none">
          Nothing needs attention: tokens are valid, syncs succeed and new devices get a profile.
        </p>
      ) : (
        <ul className={styles.list} aria-label="Alerts, worst first">
          {alerts.data.alerts.map((alert) => (
            <AlertItem key={alert.key} alert={alert} />
          ))}
        </ul>
      )}
    </Card>
  );
}
