import {
  Caption1,
  Link,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Tag,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import type { KeyboardEvent } from "react";
import { TOKEN_PATHS } from "../../app/paths";
import { navigate } from "../../app/router";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { SimulatorBadge } from "../../components/SimulatorBadge";
import { TokenStatusBadge } from "./TokenStatusBadge";
import { daysLeftText, formatCount, formatDate } from "./format";
import type { SyncResult } from "../../bindings/SyncResult";

/** How the token list words the last sync's outcome. */
const LAST_SYNC_RESULT: Record<SyncResult, string> = {
  ok: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
  running: "Running",
};

const useStyles = makeStyles({
  table: {
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    overflow: "hidden",
  },
  // Fluent's tables use fixed, equal columns; let the content size them instead.
  layout: {
    tableLayout: "auto",
  },
  row: {
    cursor: "pointer",
  },
  nowrap: {
    whiteSpace: "nowrap",
  },
  name: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
  },
  serverLink: {
    fontWeight: tokens.fontWeightSemibold,
  },
  secondary: {
    display: "block",
    color: tokens.colorNeutralForeground3,
  },
  defaultLine: {
    display: "block",
    whiteSpace: "nowrap",
  },
  platformTag: {
    color: tokens.colorNeutralForeground3,
  },
  number: {
    textAlign: "right",
    fontVariantNumeric: "tabular-nums",
  },
  tags: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalXS,
  },
  none: {
    color: tokens.colorNeutralForeground3,
  },
});

export function TokenTable({ tokens: rows }: { tokens: readonly TokenSummary[] }) {
  const styles = useStyles();
  const open = (id: string) => navigate(TOKEN_PATHS.detail(id));
  const onKeyDown = (event: KeyboardEvent, id: string) => {
    if (event.key === "Enter" && event.target === event.currentTarget) open(id);
  };
  return (
    <div className={styles.table}>
      <Table
        aria-label="Enrollment program tokens"
        data-testid="tokens-table"
        className={styles.layout}
      >
        <TableHeader>
          <TableRow>
            <TableHeaderCell>MDM server</TableHeaderCell>
            <TableHeaderCell>Organisation</TableHeaderCell>
            <TableHeaderCell>Apple ID</TableHeaderCell>
            <TableHeaderCell>Expires</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell className={styles.number}>Devices</TableHeaderCell>
            <TableHeaderCell className={styles.number}>Profiles</TableHeaderCell>
            <TableHeaderCell>Default profiles</TableHeaderCell>
            <TableHeaderCell>Last sync</TableHeaderCell>
            <TableHeaderCell>Scope tags</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((token) => (
            <TableRow
              key={token.id}
              className={mergeClasses(styles.row, "token-row")}
              data-testid={`token-row-${token.id}`}
              data-token-row={token.serverName}
              onClick={() => open(token.id)}
              onKeyDown={(event) => onKeyDown(event, token.id)}
            >
              <TableCell>
                <TableCellLayout>
                  <span className={styles.name}>
                    <Link
                      href={`#${TOKEN_PATHS.detail(token.id)}`}
                      className={styles.serverLink}
                      onClick={(event) => event.stopPropagation()}
                    >
                      {token.serverName}
                    </Link>
                    {token.simulator ? <SimulatorBadge size="small" /> : null}
                  </span>
                </TableCellLayout>
              </TableCell>
              <TableCell>{token.orgName}</TableCell>
              <TableCell>
                <span className={styles.nowrap}>{token.appleId}</span>
              </TableCell>
              <TableCell className={styles.nowrap}>
                <span className={styles.nowrap}>{formatDate(token.expiresAt)}</span>
                <Caption1 className={mergeClasses(styles.secondary, styles.nowrap)}>
                  {daysLeftText(token.daysLeft)}
                </Caption1>
              </TableCell>
              <TableCell className={styles.nowrap}>
                <TokenStatusBadge status={token.status} daysLeft={token.daysLeft} />
              </TableCell>
              <TableCell className={styles.number}>{formatCount(token.deviceCount)}</TableCell>
              <TableCell className={styles.number}>{formatCount(token.profileCount)}</TableCell>
              <TableCell data-testid={`token-defaults-${token.id}`}>
                {token.defaultProfiles.length > 0
                  ? token.defaultProfiles.map((d) => (
                      <span key={d.platform} className={styles.defaultLine}>
                        {d.profile} <Caption1 className={styles.platformTag}>({d.label})</Caption1>
                      </span>
                    ))
                  : (token.defaultProfile ?? <span className={styles.none}>None</span>)}
              </TableCell>
              <TableCell data-testid={`token-last-sync-${token.id}`}>
                {token.lastSyncAt ? (
                  <>
                    <span className={styles.nowrap}>{formatDate(token.lastSyncAt)}</span>
                    <Caption1 className={mergeClasses(styles.secondary, styles.nowrap)}>
                      {LAST_SYNC_RESULT[token.lastSyncResult ?? "ok"]}
                    </Caption1>
                  </>
                ) : (
                  <span className={styles.none}>Never</span>
                )}
              </TableCell>
              <TableCell>
                {token.scopeTags.length > 0 ? (
                  <span className={styles.tags}>
                    {token.scopeTags.map((tag) => (
                      <Tag key={tag} size="extra-small" shape="circular" appearance="brand">
                        {tag}
                      </Tag>
                    ))}
                  </span>
                ) : (
                  <span className={styles.none}>—</span>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
