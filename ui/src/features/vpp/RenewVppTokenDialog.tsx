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
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, isApiError } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import type { TokenFile } from "../../bindings/TokenFile";
import type { VppToken } from "../../bindings/VppToken";
import { VppFileChoice } from "./VppFileChoice";
import { VppFileError } from "./VppFileError";
import { VppTokenFacts } from "./VppTokenFacts";
import { DOWNLOAD_STEPS } from "./vppErrors";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
});

type RenewVppTokenDialogProps = {
  token: VppToken;
  onClose: () => void;
};

/** A new .vpptoken for the same location; another location's file only once confirmed. */
export function RenewVppTokenDialog({ token, onClose }: RenewVppTokenDialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const [file, setFile] = useState<TokenFile | null>(null);

  const renew = useMutation({
    mutationFn: ({ otherLocation }: { otherLocation: boolean }) => {
      if (!file) throw new Error("Choose the new .vpptoken file first.");
      return call("vpp.renew", {
        id: token.id,
        file,
        ...(otherLocation ? { otherLocation: true } : {}),
      });
    },
    onSuccess: () => refreshAfter(client, "vpp"),
  });

  const otherServer =
    isApiError(renew.error) && renew.error.code === "OTHER_SERVER" ? renew.error : null;
  const renewed = renew.data;

  return (
    <Dialog open onOpenChange={(_, data) => !data.open && onClose()} modalType="modal">
      <DialogSurface data-testid="vpp-renew-dialog">
        <DialogBody>
          <DialogTitle>Renew &ldquo;{token.name}&rdquo;</DialogTitle>
          <DialogContent className={styles.content}>
            {renewed ? (
              <>
                <MessageBar intent="success" layout="multiline" data-testid="vpp-renew-done">
                  <MessageBarBody>
                    <MessageBarTitle>Token renewed</MessageBarTitle>
                    Profiles that install the Company Portal with it carry on unchanged.
                  </MessageBarBody>
                </MessageBar>
                <VppTokenFacts token={renewed} />
              </>
            ) : (
              <>
                <Body1>
                  Download a new token for <strong>{token.locationName}</strong> and choose it here.{" "}
                  {DOWNLOAD_STEPS} The file you download replaces the one Depot has now.
                </Body1>
                <VppFileChoice
                  file={file}
                  onPicked={(picked) => {
                    setFile(picked);
                    renew.reset();
                  }}
                  disabled={renew.isPending}
                  testIdPrefix="vpp-renew"
                />
                {renew.isPending ? (
                  <Spinner size="tiny" labelPosition="after" label="Checking the token…" />
                ) : null}
                {otherServer ? (
                  <MessageBar intent="warning" layout="multiline" data-testid="vpp-renew-other">
                    <MessageBarBody>
                      <MessageBarTitle>This file is for another location</MessageBarTitle>
                      <div data-testid="vpp-renew-other-message">{otherServer.message}</div>
                      <p>
                        Renewing with it moves this token, and every profile that uses it, to the
                        other location&apos;s licences. Choose another file unless that is what you
                        want.
                      </p>
                    </MessageBarBody>
                    <MessageBarActions>
                      <Button
                        appearance="primary"
                        onClick={() => renew.mutate({ otherLocation: true })}
                        disabled={renew.isPending}
                        data-testid="vpp-renew-other-confirm"
                      >
                        Move it to that location
                      </Button>
                    </MessageBarActions>
                  </MessageBar>
                ) : renew.isError ? (
                  <VppFileError error={renew.error} />
                ) : null}
              </>
            )}
          </DialogContent>
          <DialogActions>
            {renewed ? (
              <Button appearance="primary" onClick={onClose} data-testid="vpp-renew-close">
                Done
              </Button>
            ) : (
              <>
                <Button
                  appearance="primary"
                  disabled={file === null || renew.isPending || otherServer !== null}
                  onClick={() => renew.mutate({ otherLocation: false })}
                  data-testid="vpp-renew-submit"
                >
                  {renew.isPending ? "Renewing…" : "Renew token"}
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
