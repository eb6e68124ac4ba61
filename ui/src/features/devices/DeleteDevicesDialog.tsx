import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { call, invalidateAfterDeviceChange } from "../../app/api";
import { ErrorState } from "../../components/ErrorState";
import { plural } from "./format";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  paragraph: {
    margin: 0,
  },
});

/** The serials to delete, per token (`devices.delete` works on one token at a time). */
export type DeleteGroup = { tokenId: string; tokenName: string; serials: string[] };

type DeleteDevicesDialogProps = {
  groups: readonly DeleteGroup[];
  onClose: () => void;
  onDeleted: (deleted: number) => void;
};

/**
 * DEV-5: Depot forgets the devices. Apple does not: a device still assigned to
 * the MDM server in Apple Business Manager comes back with the next full sync (SYN-3).
 */
export function DeleteDevicesDialog({ groups, onClose, onDeleted }: DeleteDevicesDialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const total = groups.reduce((n, g) => n + g.serials.length, 0);
  const remove = useMutation({
    mutationFn: async () => {
      let deleted = 0;
      for (const group of groups) {
        const done = await call("devices.delete", {
          tokenId: group.tokenId,
          serials: group.serials,
        });
        deleted += done.deleted;
      }
      return deleted;
    },
    onSuccess: async (deleted) => {
      onDeleted(deleted);
      await invalidateAfterDeviceChange(client);
    },
    // Some groups may be gone already: show what is left.
    onError: () => invalidateAfterDeviceChange(client),
  });

  return (
    <Dialog open onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface data-testid="delete-devices-dialog">
        <DialogBody>
          <DialogTitle>Delete {plural(total, "device", "devices")} from Depot?</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1 className={styles.paragraph}>
              Depot forgets{" "}
              {groups.length === 1
                ? `these devices of ${groups[0]?.tokenName ?? ""}`
                : `these devices of ${groups.length} tokens`}
              , with their profile history. Nothing is sent to Apple, and the profile Apple holds
              for each device stays as it is.
            </Body1>
            <MessageBar intent="warning" layout="multiline" data-testid="delete-devices-warning">
              <MessageBarBody>
                <MessageBarTitle>They can come back</MessageBarTitle>A device that Apple Business
                Manager or Apple School Manager still assigns to this MDM server returns with the
                next full sync. To keep it away, unassign it from the server in Apple&apos;s portal
                first.
              </MessageBarBody>
            </MessageBar>
            {remove.isError ? (
              <ErrorState title="Couldn't delete the devices" error={remove.error} />
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              onClick={() => remove.mutate()}
              disabled={remove.isPending}
              data-testid="delete-devices-confirm"
            >
              {remove.isPending ? "Deleting…" : `Delete ${plural(total, "device", "devices")}`}
            </Button>
            <Button onClick={onClose} data-testid="delete-devices-cancel">
              Cancel
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
