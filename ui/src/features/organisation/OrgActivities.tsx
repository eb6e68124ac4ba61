import {
  Badge,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
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
import { useState } from "react";
import { useOrgActivities } from "../../app/api";
import type { OrgAccountDto } from "../../bindings/OrgAccountDto";
import type { OrgActivityDto } from "../../bindings/OrgActivityDto";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { formatCount, formatDateTime } from "../../components/format";
import { ActivityView } from "./ActivityView";
import { activityLabel } from "./badges";

const useStyles = makeStyles({
  muted: { color: tokens.colorNeutralForeground3 },
  status: { display: "inline-flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  tableWrap: { overflowX: "auto" },
});

const KIND: Record<string, string> = { assign: "Assign", unassign: "Unassign" };

/** Depot's token of a server, from the accounts' server lists. */
function tokenOf(accounts: readonly OrgAccountDto[], serverId: string): string | null {
  for (const account of accounts) {
    const server = account.servers.find((s) => s.id === serverId);
    if (server) return server.tokenId;
  }
  return null;
}

/** The assign/unassign activities Depot started, newest first. */
export function OrgActivities({ accounts }: { accounts: readonly OrgAccountDto[] }) {
  const styles = useStyles();
  const list = useOrgActivities();
  const [open, setOpen] = useState<OrgActivityDto | null>(null);

  if (list.isPending) return <LoadingState label="Loading activities…" />;
  if (list.isError) {
    return <ErrorState title="Couldn't load the activities" error={list.error} />;
  }
  const activities = [...list.data.activities].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt),
  );
  if (activities.length === 0) {
    return (
      <Caption1 className={styles.muted} data-testid="org-activities-none">
        No devices assigned or unassigned from Depot yet.
      </Caption1>
    );
  }
  return (
    <div className={styles.tableWrap}>
      <Table size="small" aria-label="Activities" data-testid="org-activities">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Started</TableHeaderCell>
            <TableHeaderCell>Change</TableHeaderCell>
            <TableHeaderCell>MDM server</TableHeaderCell>
            <TableHeaderCell>Devices</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell>By</TableHeaderCell>
            <TableHeaderCell />
          </TableRow>
        </TableHeader>
        <TableBody>
          {activities.map((a) => (
            <TableRow key={a.id} data-testid={`org-activity-row-${a.id}`}>
              <TableCell>{formatDateTime(a.createdAt)}</TableCell>
              <TableCell>{KIND[a.kind] ?? a.kind}</TableCell>
              <TableCell>{a.serverName}</TableCell>
              <TableCell>{formatCount(a.serials.length)}</TableCell>
              <TableCell>
                <span className={styles.status} data-testid={`org-activity-row-status-${a.id}`}>
                  {a.finishedAt === null ? <Spinner size="extra-tiny" aria-hidden="true" /> : null}
                  <Badge
                    appearance="tint"
                    color={
                      a.finishedAt === null
                        ? "informative"
                        : a.error !== null || a.status === "FAILED"
                          ? "danger"
                          : "success"
                    }
                  >
                    {activityLabel(a.status, a.subStatus)}
                  </Badge>
                </span>
              </TableCell>
              <TableCell>{a.operator}</TableCell>
              <TableCell>
                <Button
                  size="small"
                  onClick={() => setOpen(a)}
                  data-testid={`org-activity-open-${a.id}`}
                >
                  Details
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {open !== null ? (
        <Dialog open onOpenChange={(_, data) => !data.open && setOpen(null)}>
          <DialogSurface data-testid="org-activity-details">
            <DialogBody>
              <DialogTitle>Activity</DialogTitle>
              <DialogContent>
                <ActivityView
                  id={open.id}
                  initial={open}
                  tokenId={tokenOf(accounts, open.serverId)}
                />
              </DialogContent>
              <DialogActions>
                <Button onClick={() => setOpen(null)}>Close</Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
    </div>
  );
}
