import {
  Body1,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { call, isApiError, queryKeys } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { PATHS, hrefTo, type RouteId } from "../../app/paths";
import { navigate } from "../../app/router";
import type { DeleteBlockerKind } from "../../bindings/DeleteBlockerKind";
import { ConfirmDeleteDialog } from "../../components/ConfirmDeleteDialog";
import type { TokenDialogProps } from "./tokenDialog";

const useStyles = makeStyles({
  list: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  links: {
    display: "flex",
    gap: tokens.spacingHorizontalL,
    marginTop: tokens.spacingVerticalS,
  },
  fix: {
    whiteSpace: "nowrap",
  },
});

/** Where each kind of blocker is fixed. */
const FIX: Record<DeleteBlockerKind, { page: RouteId; label: string; testId: string }> = {
  devices: { page: "devices", label: "Go to Devices", testId: "delete-fix-devices" },
  defaultProfile: { page: "profiles", label: "Go to Profiles", testId: "delete-fix-profiles" },
};

/** Backend messages are sentence fragments ("3 devices of this token …"); show them as sentences. */
function sentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** TOK-6: only a token without assigned devices and without a default profile can go. */
export function DeleteDialog({ token, open, onOpenChange }: TokenDialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const { summary } = token;
  const remove = useMutation({
    mutationFn: () => call("tokens.delete", { id: summary.id }),
    onError: (error) => {
      // Something changed since the page loaded: fetch the structured blockers again.
      if (isApiError(error) && error.code === "TOKEN_IN_USE") {
        void client.invalidateQueries({ queryKey: queryKeys.token(summary.id) });
      }
    },
    onSuccess: async () => {
      onOpenChange(false);
      navigate(PATHS.tokens);
      client.removeQueries({ queryKey: ["tokens.get", summary.id] });
      await refreshAfter(client, "token");
    },
  });

  const close = () => {
    onOpenChange(false);
    remove.reset();
  };

  const inUseMessage =
    isApiError(remove.error) && remove.error.code === "TOKEN_IN_USE" ? remove.error.message : null;
  const inUse = inUseMessage !== null;
  const blockers = token.deleteBlockers;
  const blocked = inUse || blockers.length > 0;
  // The backend's TOKEN_IN_USE carries a plain message; the kinds (and so the
  // links) come from the token's blockers, refetched after the error.
  const inUseKinds = [...new Set(blockers.map((b) => b.kind))];
  const fallbackKinds: DeleteBlockerKind[] = ["devices", "defaultProfile"];

  return (
    <ConfirmDeleteDialog
      open={open}
      onClose={close}
      title={`Delete token for ${summary.serverName}?`}
      blockers={
        blocked ? (
          <MessageBar intent="warning" layout="multiline" data-testid="delete-blockers">
            <MessageBarBody>
              <MessageBarTitle>This token can&apos;t be deleted yet</MessageBarTitle>
              {inUseMessage !== null ? (
                <>
                  <span data-testid="delete-in-use">{sentence(inUseMessage)}</span>
                  <div className={styles.links}>
                    {(inUseKinds.length > 0 ? inUseKinds : fallbackKinds).map((kind) => (
                      <Link key={kind} href={hrefTo(FIX[kind].page)} data-testid={FIX[kind].testId}>
                        {FIX[kind].label}
                      </Link>
                    ))}
                  </div>
                </>
              ) : (
                <ul className={styles.list}>
                  {blockers.map((blocker) => (
                    <li key={blocker.kind} data-testid="delete-blocker" data-kind={blocker.kind}>
                      {sentence(blocker.message)}{" "}
                      <Link
                        href={hrefTo(FIX[blocker.kind].page)}
                        className={styles.fix}
                        data-testid={FIX[blocker.kind].testId}
                      >
                        {FIX[blocker.kind].label}
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
            </MessageBarBody>
          </MessageBar>
        ) : null
      }
      action={{
        run: () => remove.mutate(),
        pending: remove.isPending,
        error: inUse ? null : remove.error,
        errorTitle: "Couldn't delete the token",
      }}
      testIds={{ dialog: "delete-dialog", confirm: "delete-confirm" }}
    >
      {blocked ? null : (
        <>
          <Body1>
            Depot removes the token, its key, its enrollment profiles and its sync history from this
            workspace. Nothing changes in Apple&apos;s portal: the MDM server and its device
            assignments stay there until you remove them.
          </Body1>
          <Body1>The audit log keeps a record of the deletion.</Body1>
        </>
      )}
    </ConfirmDeleteDialog>
  );
}
