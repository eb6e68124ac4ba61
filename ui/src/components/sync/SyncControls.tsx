import {
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowSync20Regular,
  ArrowSyncCircle20Regular,
  DismissCircle20Regular,
} from "@fluentui/react-icons";
import { useId, useState } from "react";
import type { SyncStatus } from "../../bindings/SyncStatus";
import type { SyncActions } from "./SyncParts";
import { countdown, formatDateTime, msUntil, useNow } from "./time";

const FULL_SYNC_DAYS = 7;

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  // Right-aligned, also when a narrow window wraps the controls under the title.
  end: {
    alignItems: "flex-end",
    textAlign: "right",
    marginLeft: "auto",
  },
  start: {
    alignItems: "flex-start",
  },
  buttons: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalS,
  },
  hint: {
    color: tokens.colorNeutralForeground3,
    fontVariantNumeric: "tabular-nums",
    whiteSpace: "nowrap",
  },
  dialogText: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    margin: 0,
  },
  paragraph: {
    margin: 0,
  },
});

export type SyncControlsProps = {
  tokenId: string;
  serverName: string;
  status: SyncStatus;
  onStart: (full: boolean) => void;
  onCancel: () => void;
  /** A start request is on its way. */
  starting: boolean;
  /** A cancel request is on its way. */
  cancelPending: boolean;
  /** Where the buttons sit in their container. */
  align?: "start" | "end";
  /**
   * Whether the person may start or cancel syncs (a read-only account on a
   * Depot server may not): without it, a note instead of the buttons.
   */
  allowed?: boolean;
};

/**
 * Sync now, Full sync… and Cancel for one token, with the pacing rules in
 * view: a live countdown while the manual cooldown lasts and the date a full
 * sync is allowed again.
 */
export function SyncControls({
  tokenId,
  serverName,
  status,
  onStart,
  onCancel,
  starting,
  cancelPending,
  align = "end",
  allowed = true,
}: SyncControlsProps) {
  const styles = useStyles();
  const now = useNow(1_000);
  const hintId = useId();
  const [confirmFull, setConfirmFull] = useState(false);
  const { running, health } = status;
  const manualWait = msUntil(health.manualAllowedAt, now);
  const fullWait = msUntil(health.fullAllowedAt, now);
  const busy = running !== null || starting;

  const hints: string[] = [];
  if (!running && manualWait > 0) hints.push(`Available in ${countdown(manualWait)}`);
  if (!running && fullWait > 0 && health.fullAllowedAt) {
    hints.push(`Full sync from ${formatDateTime(health.fullAllowedAt)}`);
  }
  if (!running && health.pacingExempt) hints.push("No pacing limits for this simulator token");
  const nextFull = formatDateTime(new Date(now + FULL_SYNC_DAYS * 86_400_000).toISOString());

  if (!allowed) {
    return (
      <div className={mergeClasses(styles.root, align === "end" ? styles.end : styles.start)}>
        <Caption1 className={styles.hint} data-testid={`sync-not-allowed-${tokenId}`}>
          {running ? "Syncing… " : ""}Your role cannot start a sync; an administrator or help-desk
          member can.
        </Caption1>
      </div>
    );
  }
  return (
    <div className={mergeClasses(styles.root, align === "end" ? styles.end : styles.start)}>
      <div className={styles.buttons}>
        <Button
          appearance="primary"
          icon={running ? <Spinner size="extra-tiny" /> : <ArrowSync20Regular />}
          disabled={busy || manualWait > 0}
          onClick={() => onStart(false)}
          aria-describedby={hints.length > 0 ? hintId : undefined}
          data-testid={`sync-now-${tokenId}`}
        >
          {running ? "Syncing…" : starting ? "Starting…" : "Sync now"}
        </Button>
        {running ? (
          <Button
            icon={<DismissCircle20Regular />}
            disabled={running.cancelling || cancelPending}
            onClick={onCancel}
            data-testid={`sync-cancel-${tokenId}`}
          >
            {running.cancelling || cancelPending ? "Cancelling…" : "Cancel sync"}
          </Button>
        ) : (
          <Button
            icon={<ArrowSyncCircle20Regular />}
            disabled={busy || fullWait > 0}
            onClick={() => setConfirmFull(true)}
            aria-describedby={hints.length > 0 ? hintId : undefined}
            data-testid={`sync-full-${tokenId}`}
          >
            Full sync…
          </Button>
        )}
      </div>
      {hints.length > 0 ? (
        <Caption1 id={hintId} className={styles.hint} data-testid={`sync-cooldown-${tokenId}`}>
          {hints.join(" · ")}
        </Caption1>
      ) : null}
      <Dialog open={confirmFull} onOpenChange={(_, data) => setConfirmFull(data.open)}>
        <DialogSurface data-testid="sync-full-dialog">
          <DialogBody>
            <DialogTitle>Run a full sync of {serverName}?</DialogTitle>
            <DialogContent className={styles.dialogText}>
              <p className={styles.paragraph}>
                A full sync asks Apple for every device assigned to this MDM server, not only what
                changed since the last sync. Use it when Depot&apos;s device list no longer matches
                Apple Business Manager — for example to bring back a device that was deleted in
                Depot but is still assigned to this server.
              </p>
              {health.pacingExempt ? (
                <p className={styles.paragraph}>
                  This simulator token has pacing switched off, so the 7-day limit does not apply.
                </p>
              ) : (
                <p className={styles.paragraph} data-testid="sync-full-rule">
                  Apple allows a full sync at most once every {FULL_SYNC_DAYS} days per token. After
                  this one, the next full sync is possible from {nextFull}. Regular syncs of changes
                  keep running as usual in the meantime.
                </p>
              )}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                onClick={() => {
                  setConfirmFull(false);
                  onStart(true);
                }}
                data-testid="sync-full-confirm"
              >
                Start full sync
              </Button>
              <Button onClick={() => setConfirmFull(false)}>Not now</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}

/** `SyncControls` wired to one token's start and cancel requests (`useSyncActions`). */
export function SyncActionControls({
  actions,
  ...props
}: Omit<SyncControlsProps, "onStart" | "onCancel" | "starting" | "cancelPending"> & {
  actions: SyncActions;
}) {
  const { start, cancel } = actions;
  return (
    <SyncControls
      {...props}
      onStart={(full) => start.mutate(full)}
      onCancel={() => cancel.mutate()}
      starting={start.isPending}
      cancelPending={cancel.isPending}
    />
  );
}
