import {
  Button,
  Caption1,
  Checkbox,
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
import { ArrowSwap20Regular } from "@fluentui/react-icons";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { call } from "../../app/api";
import type { ProfileDiff } from "../../bindings/ProfileDiff";
import type { ProfileVersion } from "../../bindings/ProfileVersion";
import { ErrorState } from "../../components/ErrorState";
import { formatDateTime } from "./format";
import { useProfileStyles } from "./styles";
import { UploadBadge } from "./UploadBadge";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  toolbar: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    flexWrap: "wrap",
  },
  value: {
    overflowWrap: "anywhere",
    maxWidth: "320px",
  },
});

/** PRO-14: every saved version, and what changed between two of them. */
export function VersionHistory({
  profileId,
  versions,
}: {
  profileId: string;
  versions: readonly ProfileVersion[];
}) {
  const styles = useProfileStyles();
  const own = useStyles();
  const [selected, setSelected] = useState<number[]>([]);
  const diff = useMutation({
    mutationFn: ([from, to]: [number, number]) =>
      call("profiles.diff", { id: profileId, from, to }),
  });

  const toggle = (version: number, on: boolean) => {
    diff.reset();
    setSelected((current) => {
      const rest = current.filter((v) => v !== version);
      // Keep the last two choices: ticking a third replaces the older pick.
      return on ? [...rest, version].slice(-2) : rest;
    });
  };
  const pair: [number, number] | null =
    selected.length === 2 ? [Math.min(...selected), Math.max(...selected)] : null;

  return (
    <div className={own.root} data-testid="version-history">
      <div className={styles.tableFrame}>
        <Table aria-label="Versions" className={styles.tableLayout}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Compare</TableHeaderCell>
              <TableHeaderCell>Version</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
              <TableHeaderCell>By</TableHeaderCell>
              <TableHeaderCell>Upload to Apple</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {versions.map((v) => (
              <TableRow key={v.version} data-testid={`version-row-${v.version}`}>
                <TableCell>
                  <Checkbox
                    checked={selected.includes(v.version)}
                    onChange={(_, data) => toggle(v.version, data.checked === true)}
                    aria-label={`Compare version ${v.version}`}
                    data-testid={`version-select-${v.version}`}
                  />
                </TableCell>
                <TableCell>{v.version}</TableCell>
                <TableCell className={styles.nowrap}>{formatDateTime(v.createdAt)}</TableCell>
                <TableCell>{v.createdBy}</TableCell>
                <TableCell>
                  <UploadBadge upload={v.upload} />
                  {v.upload.error ? (
                    <Caption1 className={mergeClasses(styles.muted, own.value)}>
                      {" "}
                      {v.upload.error}
                    </Caption1>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      <div className={own.toolbar}>
        <Button
          icon={<ArrowSwap20Regular />}
          disabled={pair === null || diff.isPending}
          onClick={() => pair && diff.mutate(pair)}
          data-testid="compare-versions"
        >
          {pair ? `Compare version ${pair[0]} with ${pair[1]}` : "Compare"}
        </Button>
        <Caption1 className={styles.muted}>
          {versions.length < 2
            ? "There is only one version so far; every edit adds one."
            : "Tick two versions to see which settings differ."}
        </Caption1>
      </div>
      {diff.isError ? (
        <ErrorState title="Couldn't compare the versions" error={diff.error} />
      ) : null}
      {diff.data ? <DiffTable diff={diff.data} /> : null}
    </div>
  );
}

function DiffTable({ diff }: { diff: ProfileDiff }) {
  const styles = useProfileStyles();
  const own = useStyles();
  if (diff.changes.length === 0) {
    return (
      <Caption1 data-testid="diff-empty">
        Versions {diff.from} and {diff.to} have the same settings.
      </Caption1>
    );
  }
  return (
    <div className={styles.tableFrame}>
      <Table
        aria-label={`Changes from version ${diff.from} to ${diff.to}`}
        data-testid="diff-table"
        className={styles.tableLayout}
      >
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Setting</TableHeaderCell>
            <TableHeaderCell>Before (version {diff.from})</TableHeaderCell>
            <TableHeaderCell>After (version {diff.to})</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {diff.changes.map((change) => (
            <TableRow key={change.field} data-testid="diff-row" data-field={change.field}>
              <TableCell>{change.label}</TableCell>
              <TableCell className={own.value} data-testid="diff-before">
                {change.before}
              </TableCell>
              <TableCell className={own.value} data-testid="diff-after">
                {change.after}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
