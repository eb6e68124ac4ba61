import type { TokenDetail } from "../../bindings/TokenDetail";

/** The token detail's dialogs (renew, delete): which token, and whether the dialog shows. */
export type TokenDialogProps = {
  token: TokenDetail;
  open: boolean;
  onOpenChange: (open: boolean) => void;
};
