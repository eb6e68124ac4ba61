import {
  Body1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { call } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { ConfirmDeleteDialog } from "../../components/ConfirmDeleteDialog";
import { plural } from "./format";

const useStyles = makeStyles({
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
      await refreshAfter(client, "devices");
    },
    // Some groups may be gone already: show what is left.
    onError: () => refreshAfter(client, "devices"),
  });

  return (
    <ConfirmDeleteDialog
      onClose={onClose}
      title={`Delete ${plural(total, "device", "devices")} from Depot?`}
      action={{
        run: () => remove.mutate(),
        pending: remove.isPending,
        error: remove.error,
        errorTitle: "Couldn't delete the devices",
        label: `Delete ${plural(total, "device", "devices")}`,
      }}
      testIds={{
        dialog: "delete-devices-dialog",
        confirm: "delete-devices-confirm",
        cancel: "delete-devices-cancel",
      }}
    >
      <Body1 className={styles.paragraph}>
        Depot forgets{" "}
        {groups.length === 1
          ? `these devices of ${groups[0]?.tokenName ?? ""}`
          : `these devices of ${groups.length} tokens`}
        , with their profile history. Nothing is sent to Apple, and the profile Apple holds for each
        device stays as it is.
      </Body1>
      <MessageBar intent="warning" layout="multiline" data-testid="delete-devices-warning">
        <MessageBarBody>
          <MessageBarTitle>They can come back</MessageBarTitle>A device that Apple Business Manager
          or Apple School Manager still assigns to this MDM server returns with the next full sync.
          To keep it away, unassign it from the server in Apple&apos;s portal first.
        </MessageBarBody>
      </MessageBar>
    </ConfirmDeleteDialog>
  );
}
