import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Link,
  Menu,
  MenuButton,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ChevronDown20Regular, ChevronRight20Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { alertHref, alertLinkText, isSnoozed, type AlertDto } from "../../app/alerts";
import { call, queryKeys, useAlerts } from "../../app/api";
import { useCan } from "../../app/session";
import type { AlertList } from "../../bindings/AlertList";
import { formatDateTime } from "../../components/format";
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
  text: {
    display: "flex",
    flexDirection: "column",
    alignItems: "flex-start",
    gap: tokens.spacingVerticalXXS,
  },
  actions: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
  },
  snoozed: {
    display: "flex",
    flexDirection: "column",
    alignItems: "flex-start",
    gap: tokens.spacingVerticalS,
    marginTop: tokens.spacingVerticalM,
  },
  muted: { color: tokens.colorNeutralForeground2 },
  calm: { margin: 0, color: tokens.colorNeutralForeground2 },
});

const BADGE = {
  critical: { color: "danger", label: "Critical" },
  warning: { color: "warning", label: "Warning" },
  info: { color: "informative", label: "Info" },
} as const;

/** How long "Snooze" hides an alert, in hours (the backend allows 1 to 720). */
export const SNOOZE_CHOICES = [
  { hours: 24, label: "1 day" },
  { hours: 72, label: "3 days" },
  { hours: 168, label: "7 days" },
  { hours: 720, label: "30 days" },
] as const;

type SnoozeChange =
  { kind: "snooze"; key: string; hours: number } | { kind: "unsnooze"; key: string };

/** Snoozes and unsnoozes alerts; the answer is the new list, shown at once. */
function useSnooze() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: SnoozeChange): Promise<AlertList> =>
      change.kind === "snooze"
        ? call("alerts.snooze", { key: change.key, hours: change.hours })
        : call("alerts.unsnooze", { key: change.key }),
    onSuccess: async (list) => {
      client.setQueryData(queryKeys.alerts, list);
      // Snoozing is audited.
      await Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.alerts }),
        client.invalidateQueries({ queryKey: queryKeys.audit }),
      ]);
    },
  });
}

type Snooze = ReturnType<typeof useSnooze>;

function SnoozeMenu({ alert, snooze }: { alert: AlertDto; snooze: Snooze }) {
  return (
    <Menu>
      <MenuTrigger disableButtonEnhancement>
        <MenuButton
          size="small"
          disabled={snooze.isPending}
          data-testid={`alert-snooze-${alert.key}`}
        >
          Snooze
        </MenuButton>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {SNOOZE_CHOICES.map(({ hours, label }) => (
            <MenuItem
              key={hours}
              onClick={() => snooze.mutate({ kind: "snooze", key: alert.key, hours })}
              data-testid={`alert-snooze-${alert.key}-${hours}`}
            >
              {label}
            </MenuItem>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}

function AlertItem({ alert, snooze }: { alert: AlertDto; snooze: Snooze | null }) {
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
        <div className={styles.actions}>
          <Link href={alertHref(alert)} data-testid={`alert-fix-${alert.key}`}>
            {alertLinkText(alert)}
          </Link>
          {snooze ? <SnoozeMenu alert={alert} snooze={snooze} /> : null}
        </div>
      </div>
    </li>
  );
}

function SnoozedItem({ alert, snooze }: { alert: AlertDto; snooze: Snooze | null }) {
  const styles = useStyles();
  const badge = BADGE[alert.severity];
  return (
    <li
      className={styles.item}
      data-testid={`alert-${alert.key}`}
      data-severity={alert.severity}
      data-kind={alert.kind}
      data-snoozed
    >
      <Badge appearance="outline" color={badge.color} shape="rounded">
        {badge.label}
      </Badge>
      <div className={styles.text}>
        <Body1>{alert.message}</Body1>
        <Caption1 className={styles.muted} data-testid={`alert-snoozed-${alert.key}`}>
          Snoozed until {formatDateTime(alert.snoozedUntil)}
          {alert.snoozedBy ? ` by ${alert.snoozedBy}` : ""}.
        </Caption1>
        {snooze ? (
          <Button
            size="small"
            disabled={snooze.isPending}
            onClick={() => snooze.mutate({ kind: "unsnooze", key: alert.key })}
            data-testid={`alert-unsnooze-${alert.key}`}
          >
            Unsnooze
          </Button>
        ) : null}
      </div>
    </li>
  );
}

/** Snoozed alerts, folded away under the rest until opened. */
function SnoozedSection({ alerts, snooze }: { alerts: AlertDto[]; snooze: Snooze | null }) {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  return (
    <div className={styles.snoozed}>
      <Button
        appearance="subtle"
        icon={open ? <ChevronDown20Regular /> : <ChevronRight20Regular />}
        aria-expanded={open}
        aria-controls="alerts-snoozed-list"
        onClick={() => setOpen(!open)}
        data-testid="alerts-snoozed-toggle"
      >
        Snoozed ({alerts.length})
      </Button>
      {open ? (
        <ul
          id="alerts-snoozed-list"
          className={styles.list}
          aria-label="Snoozed alerts"
          data-testid="alerts-snoozed"
        >
          {alerts.map((alert) => (
            <SnoozedItem key={alert.key} alert={alert} snooze={snooze} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * The dashboard's "Needs attention": every alert, worst first, each with the
 * way to its fix; snoozed ones folded away below. Admins may snooze.
 */
export function NeedsAttention() {
  const styles = useStyles();
  const alerts = useAlerts();
  const snooze = useSnooze();
  const mayManage = useCan("manage");
  const shownSnooze = mayManage ? snooze : null;
  const all = alerts.data?.alerts ?? [];
  const active = all.filter((alert) => !isSnoozed(alert));
  const snoozed = all.filter((alert) => isSnoozed(alert));
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
      ) : (
        <>
          {snooze.isError ? (
            <MessageBar intent="error" layout="multiline" data-testid="alert-snooze-error">
              <MessageBarBody>
                <MessageBarTitle>
                  {snooze.variables.kind === "snooze"
                    ? "Couldn't snooze the alert"
                    : "Couldn't unsnooze the alert"}
                </MessageBarTitle>
                {snooze.error.message}
              </MessageBarBody>
            </MessageBar>
          ) : null}
          {active.length === 0 ? (
            <p className={styles.calm} data-testid="needs-attention-none">
              {snoozed.length === 0
                ? "Nothing needs attention: tokens are valid, syncs succeed and new devices get a profile."
                : "Nothing needs attention but what was snoozed."}
            </p>
          ) : (
            <ul className={styles.list} aria-label="Alerts, worst first">
              {active.map((alert) => (
                <AlertItem key={alert.key} alert={alert} snooze={shownSnooze} />
              ))}
            </ul>
          )}
          {snoozed.length > 0 ? <SnoozedSection alerts={snoozed} snooze={shownSnooze} /> : null}
        </>
      )}
    </Card>
  );
}
