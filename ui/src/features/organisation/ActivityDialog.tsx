import {
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { call } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import type { OrgActivityRequest } from "../../bindings/OrgActivityRequest";
import type { OrgPreviewDto } from "../../bindings/OrgPreviewDto";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { plural } from "../../components/format";
import { ActivityView } from "./ActivityView";

const useStyles = makeStyles({
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  group: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  serials: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
    color: tokens.colorNeutralForeground2,
  },
});

function Group({ testId, title, items }: { testId: string; title: string; items: string[] }) {
  const styles = useStyles();
  if (items.length === 0) return null;
  return (
    <div className={styles.group} data-testid={testId}>
      <strong>{title}</strong>
      <span className={styles.serials}>{items.join(", ")}</span>
    </div>
  );
}

function Preview({ preview, kind }: { preview: OrgPreviewDto; kind: string }) {
  const styles = useStyles();
  const server = preview.serverName;
  const assign = kind === "assign";
  const willChange = preview.willChange.length;
  return (
    <div className={styles.content} data-testid="org-preview">
      <Group
        testId="org-preview-will-change"
        title={`${plural(willChange, "device", "devices")} will be ${assign ? "assigned to" : "unassigned from"} ${server}`}
        items={preview.willChange}
      />
      <Group
        testId="org-preview-already"
        title={
          assign
            ? `${plural(preview.already.length, "device is", "devices are")} already on ${server} (nothing to do)`
            : `${plural(preview.already.length, "device is", "devices are")} not on ${server} (nothing to do)`
        }
        items={preview.already}
      />
      <Group
        testId="org-preview-other-server"
        title={`${plural(preview.otherServer.length, "device is", "devices are")} on another server now: they move to ${server}`}
        items={preview.otherServer.map((s) => `${s.serial} (${s.server})`)}
      />
      <Group
        testId="org-preview-released"
        title={`${plural(preview.released.length, "device was", "devices were")} released from the organisation (left out)`}
        items={preview.released}
      />
      <Group
        testId="org-preview-unknown"
        title={`${plural(preview.unknown.length, "serial is", "serials are")} not in the organisation as of the last sync (left out)`}
        items={preview.unknown}
      />
      {preview.tokenId === null ? (
        <MessageBar intent="warning" layout="multiline" data-testid="org-preview-no-token">
          <MessageBarBody>
            {server} has no Depot token: Depot cannot sync it afterwards, and these devices will not
            show in Depot&apos;s device list until its token is added.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {willChange + preview.otherServer.length === 0 ? (
        <Caption1 data-testid="org-preview-nothing">Nothing to send to Apple.</Caption1>
      ) : null}
    </div>
  );
}

type ActivityDialogProps = { request: OrgActivityRequest; onClose: () => void };

/**
 * Assign or unassign: first what would happen (org.preview), then, once
 * confirmed, the activity at Apple followed until it ends.
 */
export function ActivityDialog({ request, onClose }: ActivityDialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const preview = useQuery({
    queryKey: ["org.preview", request],
    queryFn: () => call("org.preview", request),
    staleTime: Infinity,
    gcTime: 0,
  });
  const start = useMutation({
    mutationFn: () => call("org.start", request),
    onSuccess: () => refreshAfter(client, "org"),
  });

  const title = request.kind === "assign" ? "Assign to server" : "Unassign from server";
  const sendable =
    preview.isSuccess && preview.data.willChange.length + preview.data.otherServer.length > 0;
  const tokenId = preview.data?.tokenId ?? null;

  let body: ReactNode;
  if (start.isSuccess) {
    body = (
      <div className={styles.content} data-testid="org-run">
        {start.data.activities.map((a) => (
          <ActivityView key={a.id} id={a.id} initial={a} tokenId={tokenId} />
        ))}
      </div>
    );
  } else if (preview.isPending) {
    body = <LoadingState label="Checking the devices…" />;
  } else if (preview.isError) {
    body = <ErrorState title="Couldn't preview the change" error={preview.error} />;
  } else {
    body = (
      <>
        <Preview preview={preview.data} kind={request.kind} />
        {start.isError ? <ErrorState title="Couldn't start" error={start.error} /> : null}
      </>
    );
  }

  return (
    <Dialog open onOpenChange={(_, data) => !data.open && onClose()} modalType="modal">
      <DialogSurface data-testid="org-activity-dialog">
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent className={styles.content}>{body}</DialogContent>
          <DialogActions>
            {start.isSuccess ? (
              <Button appearance="primary" onClick={onClose} data-testid="org-activity-close">
                Close
              </Button>
            ) : (
              <>
                <Button
                  appearance="primary"
                  disabled={!sendable || start.isPending}
                  onClick={() => start.mutate()}
                  data-testid="org-confirm"
                >
                  {start.isPending ? "Starting…" : "Confirm"}
                </Button>
                <Button onClick={onClose}>Cancel</Button>
              </>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
