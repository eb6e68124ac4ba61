import {
  Badge,
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
  type BadgeProps,
} from "@fluentui/react-components";
import type { SyncResult } from "../../bindings/SyncResult";
import type { SyncRun } from "../../bindings/SyncRun";
import { kindLabel } from "./SyncParts";
import { formatCount, formatDateTime, parseTime, shortDuration } from "./time";

const useStyles = makeStyles({
  scroller: {
    overflowX: "auto",
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  layout: {
    tableLayout: "auto",
    minWidth: "760px",
  },
  nowrap: {
    whiteSpace: "nowrap",
  },
  headerNumber: {
    "& .fui-TableHeaderCell__button": {
      justifyContent: "flex-end",
    },
  },
  number: {
    textAlign: "right",
    whiteSpace: "nowrap",
    fontVariantNumeric: "tabular-nums",
  },
  error: {
    minWidth: "160px",
    maxWidth: "360px",
    overflowWrap: "anywhere",
    paddingTop: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalXS,
  },
  secondary: {
    display: "block",
    color: tokens.colorNeutralForeground3,
  },
  none: {
    color: tokens.colorNeutralForeground3,
  },
});

const RESULTS: Record<SyncResult, { label: string; color: NonNullable<BadgeProps["color"]> }> = {
  running: { label: "Running", color: "brand" },
  ok: { label: "Succeeded", color: "success" },
  failed: { label: "Failed", color: "danger" },
  cancelled: { label: "Cancelled", color: "warning" },
};

function duration(run: SyncRun): string {
  const start = parseTime(run.startedAt);
  const end = parseTime(run.finishedAt);
  return start !== null && end !== null ? shortDuration(end - start) : "—";
}

/** The last 50 runs of one token, newest first. */
export function SyncHistoryTable({ runs }: { runs: readonly SyncRun[] }) {
  const styles = useStyles();
  return (
    <div className={styles.scroller}>
      <Table
        size="small"
        aria-label="Sync history"
        data-testid="sync-history"
        className={styles.layout}
      >
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Started</TableHeaderCell>
            <TableHeaderCell>Kind</TableHeaderCell>
            <TableHeaderCell>Trigger</TableHeaderCell>
            <TableHeaderCell>Result</TableHeaderCell>
            <TableHeaderCell className={mergeClasses(styles.number, styles.headerNumber)}>
              Duration
            </TableHeaderCell>
            <TableHeaderCell className={mergeClasses(styles.number, styles.headerNumber)}>
              Pages
            </TableHeaderCell>
            <TableHeaderCell className={mergeClasses(styles.number, styles.headerNumber)}>
              Added
            </TableHeaderCell>
            <TableHeaderCell className={mergeClasses(styles.number, styles.headerNumber)}>
              Modified
            </TableHeaderCell>
            <TableHeaderCell className={mergeClasses(styles.number, styles.headerNumber)}>
              Removed
            </TableHeaderCell>
            <TableHeaderCell>Error</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {runs.map((run) => {
            const result = RESULTS[run.result];
            return (
              <TableRow key={run.id} data-testid="sync-history-row" data-result={run.result}>
                <TableCell className={styles.nowrap}>{formatDateTime(run.startedAt)}</TableCell>
                <TableCell className={styles.nowrap}>
                  {kindLabel(run.kind).replace(" sync", "")}
                </TableCell>
                <TableCell className={styles.nowrap}>
                  {run.trigger === "manual" ? "Manual" : "Automatic"}
                </TableCell>
                <TableCell className={styles.nowrap}>
                  <Badge appearance="tint" color={result.color}>
                    {result.label}
                  </Badge>
                </TableCell>
                <TableCell className={styles.number}>{duration(run)}</TableCell>
                <TableCell className={styles.number}>{formatCount(run.pages)}</TableCell>
                <TableCell className={styles.number}>{formatCount(run.added)}</TableCell>
                <TableCell className={styles.number}>{formatCount(run.modified)}</TableCell>
                <TableCell className={styles.number}>{formatCount(run.removed)}</TableCell>
                <TableCell className={styles.error}>
                  {run.error ? (
                    <>
                      {run.error}
                      {run.errorCode ? (
                        <Caption1 className={styles.secondary}>{run.errorCode}</Caption1>
                      ) : null}
                    </>
                  ) : (
                    <span className={styles.none}>—</span>
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
