import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { call, queryKeys } from "../../app/api";
import type { AssignmentPreviewDto } from "../../bindings/AssignmentPreviewDto";
import type { DeviceQueryDto } from "../../bindings/DeviceQueryDto";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { plural } from "./format";
import { PreviewView, WipeNote } from "./PreviewView";
import { ProfilePicker } from "./ProfilePicker";
import { RunView } from "./RunView";

const useStyles = makeStyles({
  surface: {
    maxWidth: "960px",
    width: "calc(100vw - 48px)",
  },
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    // The content scrolls: notes keep their height instead of being
    // squeezed under the text that follows them.
    "& > *": { flexShrink: 0 },
  },
  paragraph: {
    margin: 0,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
});

/** Which devices: the ones picked row by row, or every device matching the filters. */
export type AssignTarget =
  | { kind: "serials"; serials: readonly string[] }
  | { kind: "query"; query: DeviceQueryDto; count: number };

type AssignDialogProps = {
  /** Send a profile, or take the devices' profile away (DEV-4). */
  action: "assign" | "remove";
  tokenId: string;
  tokenName: string;
  target: AssignTarget;
  onClose: () => void;
};

type Step =
  { kind: "choose" } | { kind: "check"; profileId: string | null } | { kind: "run"; runId: string };

/**
 * DEV-2/DEV-4 from the device list: choose a profile of the token (when
 * assigning), look at what would happen, confirm, then follow the run.
 * Nothing is sent before Confirm.
 */
export function AssignDialog({ action, tokenId, tokenName, target, onClose }: AssignDialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const [profileId, setProfileId] = useState<string | null>(null);
  const [step, setStep] = useState<Step>(
    action === "remove" ? { kind: "check", profileId: null } : { kind: "choose" },
  );

  const preview = useMutation({
    mutationFn: (chosen: string | null): Promise<AssignmentPreviewDto> =>
      call("assignments.preview", {
        tokenId,
        ...(chosen === null ? {} : { profileId: chosen }),
        ...(target.kind === "serials" ? { serials: [...target.serials] } : { query: target.query }),
      }),
  });
  const start = useMutation({
    mutationFn: (chosen: string | null) =>
      call("assignments.start", {
        tokenId,
        ...(chosen === null ? {} : { profileId: chosen }),
        ...(target.kind === "serials"
          ? { serials: preview.data?.toSend ?? [] }
          : { query: target.query }),
      }),
    onSuccess: ({ run }) => {
      client.setQueryData(queryKeys.assignment(run.id), run);
      setStep({ kind: "run", runId: run.id });
    },
  });

  // Selected serials are checked as soon as the check step opens.
  const checking = step.kind === "check" ? step : null;
  const { mutate: runPreview } = preview;
  useEffect(() => {
    if (checking !== null) runPreview(checking.profileId);
  }, [checking, runPreview]);

  const devices =
    target.kind === "serials"
      ? plural(target.serials.length, "selected device", "selected devices")
      : plural(target.count, "device matching the filters", "devices matching the filters");
  const heading =
    action === "assign" ? `Assign a profile to ${devices}` : `Remove the profile from ${devices}`;
  const toSend = preview.data?.sendCount ?? 0;
  const canConfirm = step.kind === "check" && !start.isPending && preview.isSuccess && toSend > 0;

  return (
    <Dialog open onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface
        className={styles.surface}
        data-testid="assign-dialog"
        data-action={action}
        data-step={step.kind}
      >
        <DialogBody>
          <DialogTitle>{heading}</DialogTitle>
          <DialogContent className={styles.content}>
            <Caption1 className={styles.muted}>Token: {tokenName}</Caption1>
            {step.kind === "choose" ? (
              <>
                <Body1 className={styles.paragraph}>
                  Choose the profile Apple gives these devices the next time they go through Setup
                  Assistant. Only this token&apos;s profiles can be used.
                </Body1>
                <ProfilePicker
                  tokenId={tokenId}
                  value={profileId}
                  onChange={setProfileId}
                  testId="assign-profile"
                />
                <WipeNote />
              </>
            ) : null}
            {step.kind === "check" ? (
              preview.isPending || preview.isIdle ? (
                <LoadingState label="Checking the devices…" />
              ) : preview.isError ? (
                <ErrorState
                  title="Couldn't check the devices"
                  error={preview.error}
                  onRetry={() => preview.mutate(step.profileId)}
                  retrying={preview.isPending}
                />
              ) : (
                <>
                  <PreviewView preview={preview.data} action={action} />
                  {action === "assign" ? <WipeNote /> : null}
                </>
              )
            ) : null}
            {step.kind === "check" && target.kind === "query" && preview.isSuccess ? (
              <>
                <Body1 className={styles.paragraph} data-testid="assign-query-summary">
                  {action === "assign"
                    ? `Confirming sends the profile to every one of the ${plural(target.count, "device", "devices")} on ${tokenName} that match the filters when the run starts.`
                    : `Confirming removes the profile from every one of the ${plural(target.count, "device", "devices")} on ${tokenName} that match the filters when the run starts.`}{" "}
                  Devices Apple refused in the last 24 hours are skipped, and each device&apos;s
                  answer is listed when the run ends.
                </Body1>
                {action === "assign" ? <WipeNote /> : null}
              </>
            ) : null}
            {start.isError ? (
              <ErrorState
                title={
                  action === "assign"
                    ? "Couldn't start the assignment"
                    : "Couldn't start the removal"
                }
                error={start.error}
              />
            ) : null}
            {step.kind === "run" ? (
              <>
                <RunView runId={step.runId} />
                <Caption1 className={styles.muted}>
                  Closing this window does not stop the run; its results stay in each device&apos;s
                  history.
                </Caption1>
              </>
            ) : null}
          </DialogContent>
          <DialogActions>
            {step.kind === "choose" ? (
              <Button
                appearance="primary"
                disabled={profileId === null}
                onClick={() => setStep({ kind: "check", profileId })}
                data-testid="assign-preview"
              >
                {target.kind === "serials" ? "Check devices" : "Review"}
              </Button>
            ) : null}
            {step.kind === "check" ? (
              <>
                {action === "assign" ? (
                  <Button
                    onClick={() => {
                      preview.reset();
                      start.reset();
                      setStep({ kind: "choose" });
                    }}
                    data-testid="assign-back"
                  >
                    Back
                  </Button>
                ) : null}
                <Button
                  appearance="primary"
                  disabled={!canConfirm}
                  onClick={() => start.mutate(step.profileId)}
                  data-testid="assign-confirm"
                >
                  {start.isPending
                    ? "Starting…"
                    : action === "assign"
                      ? `Assign to ${plural(toSend, "device", "devices")}`
                      : `Remove from ${plural(toSend, "device", "devices")}`}
                </Button>
              </>
            ) : null}
            <Button onClick={onClose} data-testid="assign-close">
              {step.kind === "run" ? "Close" : "Cancel"}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
