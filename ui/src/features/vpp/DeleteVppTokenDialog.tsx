import {
  Body1,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { call, isApiError } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { hrefTo } from "../../app/paths";
import type { VppToken } from "../../bindings/VppToken";
import { ConfirmDeleteDialog } from "../../components/ConfirmDeleteDialog";

/** Deletes an Apps and Books token; the backend refuses while profiles install with it. */
export function DeleteVppTokenDialog({ token, onClose }: { token: VppToken; onClose: () => void }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => call("vpp.delete", { id: token.id }),
    onSuccess: async () => {
      onClose();
      await refreshAfter(client, "vpp");
    },
  });
  const inUse =
    isApiError(remove.error) && remove.error.code === "TOKEN_IN_USE" ? remove.error.message : null;

  return (
    <ConfirmDeleteDialog
      onClose={onClose}
      title={`Delete the Apps and Books token "${token.name}"?`}
      blockers={
        inUse !== null ? (
          <MessageBar intent="warning" layout="multiline" data-testid="vpp-delete-in-use">
            <MessageBarBody>
              <MessageBarTitle>Profiles still install the Company Portal with it</MessageBarTitle>
              <div data-testid="vpp-delete-in-use-message">{inUse}</div>
              <Link href={hrefTo("profiles")} data-testid="vpp-delete-go-profiles">
                Go to Profiles
              </Link>
            </MessageBarBody>
          </MessageBar>
        ) : null
      }
      action={{
        run: () => remove.mutate(),
        pending: remove.isPending,
        error: inUse !== null ? null : remove.error,
        errorTitle: "Couldn't delete the token",
      }}
      cancelLabel={inUse !== null ? "Close" : "Cancel"}
      testIds={{ dialog: "vpp-delete-dialog", confirm: "vpp-delete-confirm" }}
    >
      {inUse !== null ? null : (
        <Body1>
          Depot forgets the token and stops syncing its licence counts. Nothing changes in
          Apple&apos;s portal: the location, its licences and the apps already installed stay as
          they are. Download the token again if you want it back.
        </Body1>
      )}
    </ConfirmDeleteDialog>
  );
}
