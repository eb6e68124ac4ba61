import {
  Badge,
  Caption1,
  Link,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useOrgActivity } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { DEVICE_PATHS } from "../../app/paths";
import type { OrgActivityDto } from "../../bindings/OrgActivityDto";
import { ErrorState } from "../../components/ErrorState";
import { plural } from "../../components/format";
import { activityLabel } from "./badges";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  status: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  muted: { color: tokens.colorNeutralForeground3 },
});

const KIND: Record<string, string> = { assign: "Assign to", unassign: "Unassign from" };

/** An activity's status as Apple reports it (a spinner while it runs). */
function ActivityStatus({ activity }: { activity: OrgActivityDto }) {
  const styles = useStyles();
  const finished = activity.finishedAt !== null;
  const failed = activity.error !== null || activity.status === "FAILED";
  return (
    <span
      className={styles.status}
      data-testid={`org-activity-status-${activity.id}`}
      data-status={activity.status}
      data-finished={finished ? "true" : "false"}
    >
      {finished ? (
        <Badge appearance="tint" color={failed ? "danger" : "success"}>
          {activity.status}
        </Badge>
      ) : (
        <Spinner size="extra-tiny" aria-hidden="true" />
      )}
      {finished ? activity.subStatus : activityLabel(activity.status, activity.subStatus)}
    </span>
  );
}

type ActivityViewProps = {
  id: string;
  initial?: OrgActivityDto;
  /** Depot's token of the activity's server, if it has one. */
  tokenId: string | null;
};

/**
 * One assign/unassign activity, polled until Depot has read Apple's log:
 * Apple's status as progress, then each device's result and whether the
 * server's token was synced.
 */
export function ActivityView({ id, initial, tokenId }: ActivityViewProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const query = useOrgActivity(id);
  const activity = query.data ?? initial;
  const finished = activity !== undefined && activity.finishedAt !== null;

  // Once it ends, the organisation's devices (and Depot's, if the token synced) changed.
  const wasFinished = useRef(finished);
  useEffect(() => {
    if (finished && !wasFinished.current) void refreshAfter(client, "org");
    wasFinished.current = finished;
  }, [finished, client]);

  if (activity === undefined) {
    return query.isError ? (
      <ErrorState title="Couldn't read the activity" error={query.error} />
    ) : (
      <Spinner size="tiny" label="Reading the activity…" labelPosition="after" />
    );
  }
  return (
    <div className={styles.root} data-testid={`org-activity-${id}`}>
      <div>
        <strong>
          {KIND[activity.kind] ?? activity.kind} {activity.serverName}
        </strong>{" "}
        <Caption1 className={styles.muted}>
          {plural(activity.serials.length, "device", "devices")}
        </Caption1>
      </div>
      <ActivityStatus activity={activity} />
      {activity.error !== null ? (
        <MessageBar intent="error" layout="multiline" data-testid={`org-activity-error-${id}`}>
          <MessageBarBody>{activity.error}</MessageBarBody>
        </MessageBar>
      ) : null}
      {finished && activity.results.length > 0 ? (
        <Table size="small" aria-label="Results" data-testid={`org-activity-results-${id}`}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Serial number</TableHeaderCell>
              <TableHeaderCell>Result</TableHeaderCell>
              <TableHeaderCell>Message</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {activity.results.map((r) => (
              <TableRow key={r.serial} data-testid={`org-result-${id}-${r.serial}`}>
                <TableCell>{r.serial}</TableCell>
                <TableCell>
                  <Badge appearance="tint" color={r.result === "SUCCESS" ? "success" : "danger"}>
                    {r.result}
                  </Badge>
                </TableCell>
                <TableCell>{r.message === "" ? "—" : r.message}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {finished ? (
        <Caption1 data-testid={`org-activity-token-${id}`}>
          {tokenId === null ? (
            `${activity.serverName} has no Depot token, so Depot's own device list does not show these devices.`
          ) : activity.tokenSynced ? (
            <>
              Depot synced the token of {activity.serverName}:{" "}
              <Link href={`#${DEVICE_PATHS.forToken(tokenId)}`}>see its devices</Link>.
            </>
          ) : (
            <>
              Depot has not synced the token of {activity.serverName} yet; its next sync brings the
              change. <Link href={`#${DEVICE_PATHS.forToken(tokenId)}`}>See its devices</Link>.
            </>
          )}
        </Caption1>
      ) : null}
    </div>
  );
}
