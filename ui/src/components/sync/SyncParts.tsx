import {
  Badge,
  Caption1,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Button,
  makeStyles,
  tokens,
  type BadgeProps,
} from "@fluentui/react-components";
import { Dismiss20Regular } from "@fluentui/react-icons";
import type { SyncError } from "../../bindings/SyncError";
import type { SyncHealth } from "../../bindings/SyncHealth";
import type { SyncKind } from "../../bindings/SyncKind";
import type { SyncPhase } from "../../bindings/SyncPhase";
import type { SyncProgress } from "../../bindings/SyncProgress";
import type { SyncStatus } from "../../bindings/SyncStatus";
import { isApiError } from "../../platform";
import { formatCount, formatDateTime, parseTime, relativeTime } from "./time";

const useStyles = makeStyles({
  progress: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  progressLine: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "baseline",
    justifyContent: "space-between",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXXS,
  },
  counts: {
    display: "flex",
    flexWrap: "wrap",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXXS,
    fontVariantNumeric: "tabular-nums",
  },
  count: {
    whiteSpace: "nowrap",
  },
  strong: {
    fontWeight: tokens.fontWeightSemibold,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  errorDetails: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
});

export function kindLabel(kind: SyncKind): string {
  return kind === "full" ? "Full sync" : "Delta sync";
}

export function phaseLabel(phase: SyncPhase): string {
  switch (phase) {
    case "fetch":
      return "Fetching every device from Apple";
    case "sync":
      return "Reading changes from Apple";
    case "finishing":
      return "Marking devices Apple no longer lists";
  }
}

/** The last error, unless a later sync succeeded. */
export function currentError(health: SyncHealth): SyncError | null {
  const error = health.lastError;
  if (!error) return null;
  const failed = parseTime(error.at) ?? 0;
  const succeeded = parseTime(health.lastSuccessAt) ?? -Infinity;
  return failed >= succeeded ? error : null;
}

type Color = NonNullable<BadgeProps["color"]>;

function describeState(status: SyncStatus): { label: string; color: Color; state: string } {
  if (status.running) {
    return status.running.cancelling
      ? { label: "Cancelling", color: "warning", state: "cancelling" }
      : { label: "Syncing", color: "brand", state: "running" };
  }
  if (currentError(status.health))
    return { label: "Last sync failed", color: "danger", state: "failed" };
  if (!status.health.lastSuccessAt)
    return { label: "Never synced", color: "informative", state: "never" };
  return { label: "Synced", color: "success", state: "idle" };
}

/** Syncing / Synced / Last sync failed / Never synced. */
export function SyncStateBadge({ status }: { status: SyncStatus }) {
  const { label, color, state } = describeState(status);
  return (
    <Badge
      appearance="tint"
      color={color}
      data-testid={`sync-state-${status.tokenId}`}
      data-state={state}
    >
      {label}
    </Badge>
  );
}

/** A running sync: an indeterminate bar (Apple does not say how many pages remain) and the counts so far. */
export function SyncProgressView({
  tokenId,
  progress,
  now,
}: {
  tokenId: string;
  progress: SyncProgress;
  now: number;
}) {
  const styles = useStyles();
  const label = progress.cancelling
    ? "Cancelling — Depot stops after the page it is on"
    : `${kindLabel(progress.kind)} · ${phaseLabel(progress.phase)}`;
  const counts: [string, number][] = [
    ["added", progress.added],
    ["modified", progress.modified],
    ["removed", progress.removed],
  ];
  return (
    <div
      className={styles.progress}
      data-testid={`sync-progress-${tokenId}`}
      role="status"
      aria-live="polite"
    >
      <div className={styles.progressLine}>
        <span className={styles.strong}>{label}</span>
        <Caption1 className={styles.muted} title={formatDateTime(progress.startedAt)}>
          Started {relativeTime(progress.startedAt, now, true)}
        </Caption1>
      </div>
      <ProgressBar
        thickness="large"
        color={progress.cancelling ? "warning" : "brand"}
        aria-label={label}
      />
      <div className={styles.counts}>
        <span className={styles.count}>
          {progress.pages === 1 ? "1 page" : `${formatCount(progress.pages)} pages`}
        </span>
        {counts.map(([what, n]) => (
          <span key={what} className={styles.count}>
            <span className={styles.strong}>{formatCount(n)}</span> {what}
          </span>
        ))}
      </div>
    </div>
  );
}

/** The last sync failed: what happened, in plain words, and what to do. */
export function SyncErrorBar({
  tokenId,
  error,
  now,
}: {
  tokenId: string;
  error: SyncError;
  now: number;
}) {
  const styles = useStyles();
  return (
    <MessageBar
      intent="error"
      layout="multiline"
      data-testid={`sync-error-${tokenId}`}
      data-error-code={error.code}
    >
      <MessageBarBody>
        <MessageBarTitle>Last sync failed {relativeTime(error.at, now, true)}</MessageBarTitle>
        <div className={styles.errorDetails}>
          <span>{error.message}</span>
          <span>
            <span className={styles.strong}>What to do: </span>
            {error.advice}
          </span>
          <Caption1 className={styles.muted}>
            {formatDateTime(error.at)} · Error code: {error.code}
          </Caption1>
        </div>
      </MessageBarBody>
    </MessageBar>
  );
}

/** Why Sync now / Full sync / Cancel did not happen (SYNC_TOO_SOON, SYNC_RUNNING, …). */
export function SyncActionError({
  title,
  error,
  testId,
  onDismiss,
}: {
  title: string;
  error: unknown;
  testId: string;
  onDismiss: () => void;
}) {
  const code = isApiError(error) ? error.code : undefined;
  const message =
    error instanceof Error || isApiError(error) ? error.message : "An unexpected error occurred.";
  const intent = code === "SYNC_TOO_SOON" || code === "SYNC_RUNNING" ? "warning" : "error";
  const advice =
    code === "SYNC_RUNNING"
      ? "Its progress shows here shortly; wait for it to finish."
      : code === "SYNC_TOO_SOON"
        ? null
        : "Retry in a moment. If it keeps failing, restart Depot.";
  return (
    <MessageBar intent={intent} layout="multiline" data-testid={testId} data-error-code={code}>
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {message}
        {advice ? ` ${advice}` : null}
      </MessageBarBody>
      <MessageBarActions
        containerAction={
          <Button
            appearance="transparent"
            aria-label="Dismiss"
            icon={<Dismiss20Regular />}
            onClick={onDismiss}
          />
        }
      />
    </MessageBar>
  );
}

/** What the sync views use of one token's start and cancel requests (`useSyncActions`). */
type SyncRequest<V> = {
  mutate: (variables: V) => void;
  isPending: boolean;
  isError: boolean;
  error: unknown;
  reset: () => void;
};
export type SyncActions = { start: SyncRequest<boolean>; cancel: SyncRequest<void> };

/** A start or cancel request that failed, each dismissible. */
export function SyncActionErrors({ tokenId, actions }: { tokenId: string; actions: SyncActions }) {
  const { start, cancel } = actions;
  return (
    <>
      {start.isError ? (
        <SyncActionError
          title="The sync did not start"
          error={start.error}
          testId={`sync-start-error-${tokenId}`}
          onDismiss={() => start.reset()}
        />
      ) : null}
      {cancel.isError ? (
        <SyncActionError
          title="Couldn't cancel the sync"
          error={cancel.error}
          testId={`sync-cancel-error-${tokenId}`}
          onDismiss={() => cancel.reset()}
        />
      ) : null}
    </>
  );
}
