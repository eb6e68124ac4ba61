import {
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { alertHref, isSnoozed } from "./alerts";
import { useAlerts } from "./api";
import { hrefTo } from "./paths";

const useStyles = makeStyles({
  banner: { margin: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL} 0` },
});

/** App-wide: the worst critical alert, on every page, until its cause is gone or it is snoozed. */
export function AlertBanner() {
  const styles = useStyles();
  const alerts = useAlerts();
  const critical =
    alerts.data?.alerts.filter((a) => a.severity === "critical" && !isSnoozed(a)) ?? [];
  const first = critical[0];
  if (first === undefined) return null;
  return (
    <MessageBar
      intent="error"
      layout="multiline"
      className={styles.banner}
      data-testid="critical-banner"
      data-count={critical.length}
    >
      <MessageBarBody>
        <MessageBarTitle>
          {critical.length === 1
            ? "Needs attention now"
            : `${critical.length} things need attention now`}
        </MessageBarTitle>
        {first.message}{" "}
        <Link href={alertHref(first)} data-testid="critical-banner-fix">
          Fix it
        </Link>
        {critical.length > 1 ? (
          <>
            {" · "}
            <Link href={hrefTo("dashboard")} data-testid="critical-banner-all">
              See all on the dashboard
            </Link>
          </>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}
