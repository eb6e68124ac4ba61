import {
  Button,
  Caption1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowClockwise16Regular,
  ArrowSync16Regular,
  Delete16Regular,
  Warning16Filled,
} from "@fluentui/react-icons";
import { now } from "../../app/clock";
import type { VppToken } from "../../bindings/VppToken";
import { SimulatorBadge } from "../../components/SimulatorBadge";
import { formatDate, formatDateTime } from "../../components/format";
import { expiryLevel, licencesText, vppDaysLeft, vppDaysLeftText } from "../../components/vppToken";
import { VppStateBadge } from "./VppStateBadge";

const useStyles = makeStyles({
  table: {
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    overflow: "hidden",
  },
  layout: { tableLayout: "auto" },
  cell: {
    verticalAlign: "top",
    paddingTop: tokens.spacingVerticalS,
    paddingBottom: tokens.spacingVerticalS,
  },
  name: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
    fontWeight: tokens.fontWeightSemibold,
  },
  nowrap: { whiteSpace: "nowrap" },
  secondary: { display: "block", color: tokens.colorNeutralForeground3 },
  problem: { display: "block", maxWidth: "280px", marginTop: tokens.spacingVerticalXS },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  danger: { color: tokens.colorPaletteRedForeground1 },
  flag: {
    display: "flex",
    alignItems: "flex-start",
    maxWidth: "240px",
    gap: tokens.spacingHorizontalXS,
    color: tokens.colorPaletteDarkOrangeForeground1,
  },
  none: { color: tokens.colorNeutralForeground3 },
  actions: { display: "flex", gap: tokens.spacingHorizontalXS, flexWrap: "wrap" },
});

type VppTableProps = {
  tokens: readonly VppToken[];
  /** The buttons a role may use; the others are left out. */
  canSync: boolean;
  canManage: boolean;
  /** The token being synced now ("all" during Sync all). */
  syncing: string | null;
  onSync: (id: string) => void;
  onRenew: (token: VppToken) => void;
  onDelete: (token: VppToken) => void;
};

export function VppTable({
  tokens: rows,
  canSync,
  canManage,
  syncing,
  onSync,
  onRenew,
  onDelete,
}: VppTableProps) {
  const styles = useStyles();
  const hasActions = canSync || canManage;
  return (
    <div className={styles.table}>
      <Table aria-label="Apps and Books tokens" data-testid="vpp-table" className={styles.layout}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Name</TableHeaderCell>
            <TableHeaderCell>Location</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Expires</TableHeaderCell>
            <TableHeaderCell>Company Portal licences</TableHeaderCell>
            <TableHeaderCell>Last sync</TableHeaderCell>
            {hasActions ? <TableHeaderCell>Actions</TableHeaderCell> : null}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((token) => (
            <TableRow key={token.id} data-testid={`vpp-row-${token.id}`}>
              <TableCell className={styles.cell}>
                <span className={styles.name}>
                  {token.name}
                  {token.simulator ? <SimulatorBadge size="small" /> : null}
                </span>
              </TableCell>
              <TableCell className={styles.cell}>
                {token.locationName}
                <Caption1 className={styles.secondary}>{token.orgName}</Caption1>
              </TableCell>
              <TableCell className={styles.cell}>
                <VppStateBadge token={token} />
                {token.problem ? (
                  <Caption1 className={styles.problem} data-testid={`vpp-problem-${token.id}`}>
                    {token.problem}
                  </Caption1>
                ) : null}
                {token.retryAt ? (
                  <Caption1 className={styles.secondary}>
                    Apple asked Depot to wait until {formatDateTime(token.retryAt)}
                  </Caption1>
                ) : null}
              </TableCell>
              <ExpiryCell token={token} />
              <LicencesCell token={token} />
              <TableCell className={styles.cell} data-testid={`vpp-last-sync-${token.id}`}>
                {token.lastSyncAt ? (
                  <span className={styles.nowrap}>{formatDateTime(token.lastSyncAt)}</span>
                ) : (
                  <span className={styles.none}>Never</span>
                )}
              </TableCell>
              {hasActions ? (
                <TableCell className={styles.cell}>
                  <span className={styles.actions}>
                    {canSync ? (
                      <Button
                        size="small"
                        icon={<ArrowSync16Regular />}
                        disabled={syncing !== null}
                        onClick={() => onSync(token.id)}
                        data-testid={`vpp-sync-${token.id}`}
                      >
                        {syncing === token.id ? "Syncing…" : "Sync now"}
                      </Button>
                    ) : null}
                    {canManage ? (
                      <>
                        <Button
                          size="small"
                          icon={<ArrowClockwise16Regular />}
                          onClick={() => onRenew(token)}
                          data-testid={`vpp-renew-${token.id}`}
                        >
                          Renew
                        </Button>
                        <Button
                          size="small"
                          icon={<Delete16Regular />}
                          onClick={() => onDelete(token)}
                          data-testid={`vpp-delete-${token.id}`}
                        >
                          Delete
                        </Button>
                      </>
                    ) : null}
                  </span>
                </TableCell>
              ) : null}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function ExpiryCell({ token }: { token: VppToken }) {
  const styles = useStyles();
  const left = vppDaysLeft(token.expiresAt, now());
  const level = expiryLevel(left);
  return (
    <TableCell className={styles.cell} data-testid={`vpp-expiry-${token.id}`} data-level={level}>
      <span className={styles.nowrap}>{formatDate(token.expiresAt)}</span>
      <Caption1
        className={mergeClasses(
          styles.secondary,
          styles.nowrap,
          level === "warning" && styles.warning,
          level === "danger" && styles.danger,
        )}
      >
        {vppDaysLeftText(left)}
      </Caption1>
    </TableCell>
  );
}

function LicencesCell({ token }: { token: VppToken }) {
  const styles = useStyles();
  const licences = token.companyPortal;
  return (
    <TableCell className={styles.cell} data-testid={`vpp-licences-${token.id}`}>
      {licences === null ? (
        <span className={styles.none}>
          {token.lastSyncAt === null
            ? "Not read yet: sync the token"
            : "None: this location has no Company Portal licences"}
        </span>
      ) : (
        <>
          <span className={mergeClasses(licences.available === 0 && styles.warning)}>
            {licencesText(licences)}
          </span>
          <Caption1 className={styles.secondary}>as of {formatDateTime(licences.asOf)}</Caption1>
          {licences.deviceAssignable ? null : (
            <Caption1 className={styles.flag} data-testid={`vpp-not-device-assignable-${token.id}`}>
              <Warning16Filled aria-hidden="true" />
              Not device-assignable: ADE devices cannot use these licences
            </Caption1>
          )}
        </>
      )}
    </TableCell>
  );
}
