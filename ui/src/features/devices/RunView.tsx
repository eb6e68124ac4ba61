import {
  Button,
  Caption1,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowDownload20Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { call, useAssignmentResults, useAssignmentRun } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { runResultIntent } from "../../app/closedSets";
import { saveText } from "../../app/files";
import type { AssignmentResult } from "../../bindings/AssignmentResult";
import type { AssignmentRun } from "../../bindings/AssignmentRun";
import { CopyButton } from "../../components/CopyButton";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { ResultBadge } from "./badges";
import { csvLine } from "../../components/csv";
import { throttledLine, waitingTitle } from "../../components/throttled";
import { formatCount, formatDateTime, plural } from "./format";
import { VirtualGrid, type GridColumn } from "./VirtualGrid";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  counts: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
  },
  actions: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
    flexWrap: "wrap",
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
});

/** The outcome counts that are not zero, in words (DEV-3). */
function outcomeLines(run: AssignmentRun): { key: string; text: string }[] {
  const parts: [string, number, string][] = [
    ["succeeded", run.succeeded, "done"],
    ["notAccessible", run.notAccessible, "not accessible to this MDM server"],
    ["failed", run.failed, "failed (not sent again for 24 hours)"],
    ["cooldown", run.cooldown, "skipped while cooling down"],
    ["notSent", run.notSent, "not sent"],
    ["pending", run.pending, "waiting for Apple's answer"],
  ];
  const lines = parts
    .filter(([, n]) => n > 0)
    .map(([key, n, text]) => ({ key, text: `${formatCount(n)} ${text}` }));
  const throttled = throttledLine(run);
  if (throttled !== null) lines.splice(3, 0, { key: "throttled", text: throttled });
  return lines;
}

/** The per-serial outcomes as CSV, built here from `assignments.results`. */
export function resultsCsv(results: readonly AssignmentResult[]): string {
  const lines = [
    csvLine(["serial", "outcome", "detail", "answered_at", "batch"]),
    ...results.map((r) => csvLine([r.serial, r.outcome ?? "", r.detail, r.at, r.batch])),
  ];
  return `${lines.join("\n")}\n`;
}

function title(run: AssignmentRun): string {
  const removing = run.kind === "remove";
  const waiting = waitingTitle(run);
  if (waiting !== null) return waiting;
  switch (run.result) {
    case "running":
      return removing
        ? `Removing the profile from ${plural(run.total, "device", "devices")}…`
        : `Sending the profile to ${plural(run.total, "device", "devices")}…`;
    case "ok":
      return removing
        ? `The profile was removed from ${plural(run.succeeded, "device", "devices")}`
        : `${plural(run.succeeded, "device has", "devices have")} the profile now`;
    case "cancelled":
      return "Stopped before every device was sent";
    case "failed":
      return "Apple did not take the change";
    default:
      return "Some devices did not take the change";
  }
}

/**
 * A running assignment (DEV-3): progress (answered of total) with Stop, polled
 * every second; once it ends, every serial's outcome and a CSV of them.
 */
export function RunView({ runId }: { runId: string }) {
  const styles = useStyles();
  const client = useQueryClient();
  const run = useAssignmentRun(runId);
  const ended = run.data !== undefined && run.data.result !== "running";
  const results = useAssignmentResults(runId, ended);
  const cancel = useMutation({
    mutationFn: () => call("assignments.cancel", { id: runId }),
    onSettled: () => refreshAfter(client, { kind: "assignmentProgress", runId }),
  });
  const [exported, setExported] = useState<string | null>(null);

  // Profiles, statuses and last results of the devices changed: list them again once.
  const refreshed = useRef(false);
  useEffect(() => {
    if (ended && !refreshed.current) {
      refreshed.current = true;
      void refreshAfter(client, "devices");
    }
  }, [ended, client]);

  if (run.isPending) return <LoadingState label="Loading the assignment…" />;
  if (run.isError) return <ErrorState title="Couldn't load the assignment" error={run.error} />;
  const data = run.data;
  const answered = data.total - data.pending;
  const running = data.result === "running";

  const columns: GridColumn<AssignmentResult>[] = [
    {
      id: "serial",
      label: "Serial number",
      track: "150px",
      render: (r) => <span className={styles.mono}>{r.serial}</span>,
    },
    {
      id: "outcome",
      label: "Outcome",
      track: "150px",
      render: (r) => <ResultBadge result={r.outcome} waiting />,
    },
    {
      id: "detail",
      label: "Detail",
      track: "minmax(0, 1fr)",
      render: (r) => r.detail ?? <span className={styles.muted}>—</span>,
    },
    { id: "at", label: "Answered", track: "170px", render: (r) => formatDateTime(r.at) },
  ];

  return (
    <div className={styles.root} data-testid="assignment-run" data-result={data.result}>
      <MessageBar intent={runResultIntent(data.result)} layout="multiline">
        <MessageBarBody>
          <div className={styles.body}>
            <MessageBarTitle>{title(data)}</MessageBarTitle>
            {running ? (
              <div data-testid="assignment-progress">
                <ProgressBar
                  {...(data.total > 0 ? { value: answered / data.total } : {})}
                  aria-label="Assignment progress"
                />
                <Caption1>
                  {formatCount(answered)} of {formatCount(data.total)} answered
                </Caption1>
              </div>
            ) : null}
            <ul className={styles.counts} data-testid="assignment-counts">
              {outcomeLines(data).map((line) => (
                <li key={line.key} data-outcome={line.key}>
                  {line.text}
                </li>
              ))}
            </ul>
            {data.error ? <span data-testid="assignment-error">{data.error}</span> : null}
          </div>
        </MessageBarBody>
        {running ? (
          <MessageBarActions>
            <Button
              onClick={() => cancel.mutate()}
              disabled={cancel.isPending}
              data-testid="assignment-cancel"
            >
              {cancel.isPending ? "Stopping…" : "Stop"}
            </Button>
          </MessageBarActions>
        ) : null}
      </MessageBar>
      {cancel.isError ? (
        <ErrorState title="Couldn't stop the assignment" error={cancel.error} />
      ) : null}
      {!ended ? null : results.isPending ? (
        <LoadingState label="Loading each device's outcome…" />
      ) : results.isError ? (
        <ErrorState
          title="Couldn't load each device's outcome"
          error={results.error}
          onRetry={() => void results.refetch()}
          retrying={results.isFetching}
        />
      ) : (
        <div className={styles.root} data-testid="assignment-results">
          <div className={styles.actions}>
            <Button
              icon={<ArrowDownload20Regular />}
              onClick={() => {
                void saveText({
                  fileName: `depot-assignment-${runId}-results.csv`,
                  filterName: "CSV file",
                  extensions: ["csv"],
                  mimeType: "text/csv",
                  contents: resultsCsv(results.data.results),
                }).then((saved) => {
                  if (saved !== null) setExported(saved.savedTo);
                });
              }}
              data-testid="assignment-export-results"
            >
              Export results CSV
            </Button>
            <CopyButton
              text={resultsCsv(results.data.results)}
              label="Copy the results as CSV"
              testId="assignment-copy-results"
            />
            {exported !== null ? (
              <Caption1 data-testid="assignment-exported">Saved as {exported}.</Caption1>
            ) : null}
          </div>
          <VirtualGrid
            items={results.data.results}
            columns={columns}
            rowKey={(r) => r.serial}
            rowAttributes={(r) => ({
              "data-testid": `assignment-result-${r.serial}`,
              "data-outcome": r.outcome ?? "",
            })}
            label="Outcome per device"
            testId="assignment-results-table"
            height={320}
          />
        </div>
      )}
    </div>
  );
}
