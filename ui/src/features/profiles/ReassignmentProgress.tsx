import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { call, useAssignmentRun } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { runResultIntent } from "../../app/closedSets";
import type { AssignmentRun } from "../../bindings/AssignmentRun";
import { ErrorState } from "../../components/ErrorState";
import { throttledLine } from "../../components/throttled";
import { LoadingState } from "../../components/LoadingState";
import { formatCount, plural } from "./format";

const useStyles = makeStyles({
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  counts: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
  },
});

/** The outcome counts that are not zero, in words. */
function outcomeLines(run: AssignmentRun): string[] {
  const parts: [number, string][] = [
    [run.succeeded, "moved"],
    [run.notAccessible, "not accessible to this MDM server any more"],
    [run.failed, "failed (tried again after a 24-hour pause)"],
    [run.cooldown, "waiting out a cooldown"],
    [run.notSent, "not sent"],
    [run.pending, "still waiting"],
  ];
  const lines = parts.filter(([n]) => n > 0).map(([n, text]) => `${formatCount(n)} ${text}`);
  const throttled = throttledLine(run);
  if (throttled !== null) lines.splice(3, 0, throttled);
  return lines;
}

/**
 * PRO-14: after an edit, devices on older versions move to the new one. Polls
 * `assignments.get` while the run is running.
 */
export function ReassignmentProgress({ runId, version }: { runId: string; version: number }) {
  const styles = useStyles();
  const client = useQueryClient();
  const run = useAssignmentRun(runId);
  const cancel = useMutation({
    mutationFn: () => call("assignments.cancel", { id: runId }),
    onSettled: () => refreshAfter(client, { kind: "assignmentProgress", runId }),
  });

  // When the run ends, device counts and versions change.
  const result = run.data?.result;
  const previous = useRef(result);
  useEffect(() => {
    if (previous.current === "running" && result !== undefined && result !== "running") {
      void refreshAfter(client, "profile");
    }
    previous.current = result;
  }, [result, client]);

  if (run.isPending) return <LoadingState label="Loading the re-assignment…" />;
  if (run.isError) {
    return <ErrorState title="Couldn't load the re-assignment" error={run.error} />;
  }
  const data = run.data;
  const done = data.total - data.pending;
  const running = data.result === "running";
  const title = running
    ? `Moving ${plural(data.total, "device", "devices")} to version ${version}…`
    : data.result === "ok"
      ? `${plural(data.succeeded, "device now has", "devices now have")} version ${version}`
      : data.result === "cancelled"
        ? "The re-assignment was cancelled"
        : data.result === "failed"
          ? "The re-assignment failed"
          : `Some devices did not move to version ${version}`;

  return (
    <MessageBar
      intent={runResultIntent(data.result)}
      layout="multiline"
      data-testid="reassignment"
      data-result={data.result}
    >
      <MessageBarBody>
        <div className={styles.body}>
          <MessageBarTitle>{title}</MessageBarTitle>
          {running ? (
            <ProgressBar
              {...(data.total > 0 ? { value: done / data.total } : {})}
              aria-label="Re-assignment progress"
              data-testid="reassignment-progress"
            />
          ) : null}
          <ul className={styles.counts} data-testid="reassignment-counts">
            {outcomeLines(data).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          {data.error ? <span data-testid="reassignment-error">{data.error}</span> : null}
          <span>
            Devices that are already set up keep their old settings until they are erased; the new
            version applies the next time each one goes through Setup Assistant.
          </span>
        </div>
      </MessageBarBody>
      {running ? (
        <MessageBarActions>
          <Button
            onClick={() => cancel.mutate()}
            disabled={cancel.isPending}
            data-testid="reassignment-cancel"
          >
            Stop
          </Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}
