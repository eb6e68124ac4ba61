import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { call, invalidateAfterTokenChange, isApiError } from "../../app/api";
import { PATHS, hrefTo } from "../../app/paths";
import { navigate } from "../../app/router";
import type { TokenDetail } from "../../bindings/TokenDetail";
import { ErrorState } from "../../components/ErrorState";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
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
});

type DeleteDialogProps = {
  token: TokenDetail;
  open: boolean;
  onOpenChange: (open: boolean) => void;
};

/** TOK-6: only a token without assigned devices and without a default profile can go. */
export function DeleteDialog({ token, open, onOpenChange }: DeleteDialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const { summary } = token;
  const remove = useMutation({
    mutationFn: () => call("tokens.delete", { id: summary.id }),
    onSuccess: async () => {
      onOpenChange(false);
      navigate(PATHS.tokens);
      client.removeQueries({ queryKey: ["tokens.get", summary.id] });
      await invalidateAfterTokenChange(client);
    },
  });

  const close = () => {
    onOpenChange(false);
    remove.reset();
  };

  const inUse = isApiError(remove.error) && remove.error.code === "TOKEN_IN_USE";
  const blockers = inUse && remove.error ? [remove.error.message] : token.deleteBlockers;
  const blocked = blockers.length > 0;

  return (
    <Dialog open={open} onOpenChange={(_, data) => (data.open ? onOpenChange(true) : close())}>
      <DialogSurface data-testid="delete-dialog">
        <DialogBody>
          <DialogTitle>Delete token for {summary.serverName}?</DialogTitle>
          <DialogContent className={styles.content}>
            {blocked ? (
              <MessageBar intent="warning" layout="multiline" data-testid="delete-blockers">
                <MessageBarBody>
                  <MessageBarTitle>This token can&apos;t be deleted yet</MessageBarTitle>
                  <ul className={styles.list}>
                    {blockers.map((blocker) => (
                      <li key={blocker}>{blocker}</li>
                    ))}
                  </ul>
                  <div className={styles.links}>
                    <Link href={hrefTo("devices")} data-testid="delete-fix-devices">
                      Go to Devices
                    </Link>
                    <Link href={hrefTo("profiles")} data-testid="delete-fix-profiles">
                      Go to Profiles
                    </Link>
                  </div>
                </MessageBarBody>
              </MessageBar>
            ) : (
              <>
                <Body1>
                  Depot removes the token, its key, its enrollment profiles and its sync history
                  from this workspace. Nothing changes in Apple&apos;s portal: the MDM server and
                  its device assignments stay there until you remove them.
                </Body1>
                <Body1>The audit log keeps a record of the deletion.</Body1>
              </>
            )}
            {remove.isError && !inUse ? (
              <ErrorState title="Couldn't delete the token" error={remove.error} />
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              disabled={blocked || remove.isPending}
              onClick={() => remove.mutate()}
              data-testid="delete-confirm"
            >
              {remove.isPending ? "Deleting…" : "Delete"}
            </Button>
            <Button onClick={close}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
