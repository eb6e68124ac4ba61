import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import { ErrorState } from "./ErrorState";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
});

/** The delete itself: what runs on confirm, and how it is going. */
export type DeleteAction = {
  run: () => void;
  pending: boolean;
  /** A failure to show under the body; `null` when there is none (or a blocker shows it). */
  error: unknown;
  /** What could not be done, e.g. "Couldn't delete the token". */
  errorTitle: string;
  /** The confirm button; "Delete" unless given. */
  label?: string;
};

export type ConfirmDeleteDialogProps = {
  /** Open unless `false`; a dialog rendered only while needed can leave it out. */
  open?: boolean;
  /** Cancel, Escape or a click outside. */
  onClose: () => void;
  title: ReactNode;
  /** What deleting does and does not do. */
  children?: ReactNode;
  /** Why it cannot be deleted (yet); the confirm button is disabled while there are any. */
  blockers?: ReactNode;
  action: DeleteAction;
  /** "Cancel" unless given (e.g. "Close" once nothing can be done). */
  cancelLabel?: string;
  testIds: { dialog: string; confirm: string; cancel?: string };
};

/**
 * The one confirm-delete dialog (tokens, profiles, devices): a title, what
 * deleting does, what blocks it, and Delete / Cancel. Each caller brings its
 * own words and its mutation.
 */
export function ConfirmDeleteDialog({
  open = true,
  onClose,
  title,
  children,
  blockers,
  action,
  cancelLabel = "Cancel",
  testIds,
}: ConfirmDeleteDialogProps) {
  const styles = useStyles();
  const blocked = blockers !== undefined && blockers !== null && blockers !== false;
  return (
    <Dialog open={open} onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface data-testid={testIds.dialog}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent className={styles.content}>
            {children}
            {blocked ? blockers : null}
            {action.error ? <ErrorState title={action.errorTitle} error={action.error} /> : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              onClick={action.run}
              disabled={blocked || action.pending}
              data-testid={testIds.confirm}
            >
              {action.pending ? "Deleting…" : (action.label ?? "Delete")}
            </Button>
            <Button onClick={onClose} data-testid={testIds.cancel}>
              {cancelLabel}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
