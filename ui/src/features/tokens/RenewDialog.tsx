import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Beaker20Regular, DocumentArrowUp20Regular, Open20Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, isApiError } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { openExternal } from "../../app/files";
import type { TokenDetail } from "../../bindings/TokenDetail";
import type { TokenFile } from "../../bindings/TokenFile";
import type { TokenSummary } from "../../bindings/TokenSummary";
import {
  CheckingTokenSpinner,
  ChosenFileBox,
  NoFileChosen,
  SimulatedPortalError,
  chooseTokenFile,
} from "./TokenFileChoice";
import { TokenFileError } from "./TokenFileError";
import { daysLeftText, formatDate, isEmailShaped } from "./format";
import type { TokenDialogProps } from "./tokenDialog";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  steps: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  fileRow: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    flexWrap: "wrap",
  },
});

const BUSINESS_PORTAL = "https://business.apple.com/";

/** A token Depot's built-in simulator issued (its URL is the simulator, not Apple's https). */
export function isSimulatorToken(token: TokenDetail): boolean {
  return token.summary.simulator && !token.appleUrl.startsWith("https:");
}

/** TOK-5: a new token file for the same MDM server, opened with the token's existing key. */
export function RenewDialog({ token, open, onOpenChange }: TokenDialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const { summary } = token;
  const [appleId, setAppleId] = useState("");
  const [touched, setTouched] = useState(false);
  const [file, setFile] = useState<TokenFile | null>(null);
  const [fileFromSimulator, setFileFromSimulator] = useState(false);
  const simulator = isSimulatorToken(token);

  // The simulated portal's "Download token" for this token's own key and server.
  const issue = useMutation({
    mutationFn: () => call("demo.issueToken", { forToken: summary.id }),
    onSuccess: (issued) => {
      setFile(issued.file);
      setFileFromSimulator(true);
      renew.reset();
    },
  });

  const renew = useMutation({
    mutationFn: ({ force }: { force: boolean }) => {
      if (!file) throw new Error("Choose the new token file first.");
      return call("tokens.renew", { id: summary.id, file, appleId: appleId.trim(), force });
    },
    onSuccess: () => refreshAfter(client, "token"),
  });

  const reset = () => {
    setAppleId("");
    setTouched(false);
    setFile(null);
    setFileFromSimulator(false);
    issue.reset();
    renew.reset();
  };
  const close = () => {
    onOpenChange(false);
    reset();
  };

  const code = isApiError(renew.error) ? renew.error.code : undefined;
  const mismatch = code === "APPLE_ID_MISMATCH";
  const otherServer = code === "OTHER_SERVER";
  const appleIdError = mismatch
    ? (renew.error?.message ?? "This is not the Apple ID the token was created with.")
    : touched && !isEmailShaped(appleId)
      ? "Enter the Apple ID as an email address."
      : undefined;
  // After OTHER_SERVER the only ways on are "Use this file anyway" or another file.
  const canSubmit = isEmailShaped(appleId) && file !== null && !renew.isPending && !otherServer;

  const chooseFile = () =>
    chooseTokenFile((picked) => {
      setFile(picked);
      setFileFromSimulator(false);
      issue.reset();
      renew.reset();
    });

  const renewed: TokenSummary | undefined = renew.data;

  return (
    <Dialog
      open={open}
      onOpenChange={(_, data) => (data.open ? onOpenChange(true) : close())}
      modalType="modal"
    >
      <DialogSurface data-testid="renew-dialog">
        <DialogBody>
          <DialogTitle>Renew token for {summary.serverName}</DialogTitle>
          <DialogContent className={styles.content}>
            {renewed ? (
              <MessageBar intent="success" layout="multiline" data-testid="renew-done">
                <MessageBarBody>
                  <MessageBarTitle>Token renewed</MessageBarTitle>
                  It now expires on {formatDate(renewed.expiresAt)} (
                  {daysLeftText(renewed.daysLeft)}). Profiles, devices and history are unchanged.
                </MessageBarBody>
              </MessageBar>
            ) : (
              <>
                <MessageBar intent="warning" layout="multiline" data-testid="renew-old-token-note">
                  <MessageBarBody>
                    <MessageBarTitle>The old token stops working at once</MessageBarTitle>
                    Downloading a new token in Apple&apos;s portal cancels the current one straight
                    away: Depot cannot sync or assign profiles for {summary.serverName} until you
                    finish here with the new file. Download it when you are ready to continue.
                  </MessageBarBody>
                </MessageBar>
                {simulator ? (
                  <>
                    <Body1>
                      This token comes from Depot&apos;s built-in simulator, not from Apple. Enter
                      the Apple ID below and get a new token file from the simulated portal — it is
                      made for the <strong>same MDM server</strong> and the key Depot already has.
                    </Body1>
                  </>
                ) : (
                  <>
                    <Body1>
                      Apple tokens last a year. To renew, download a new token for the{" "}
                      <strong>same MDM server</strong> — Depot reuses the public key it already has,
                      so there is nothing to upload this time.
                    </Body1>
                    <ol className={styles.steps}>
                      <li>
                        In Apple Business Manager (or School Manager), open Preferences → Your MDM
                        Servers and select <strong>{summary.serverName}</strong>.
                      </li>
                      <li>
                        Choose <strong>Download Token</strong> and confirm.
                      </li>
                      <li>Enter the Apple ID below and choose the downloaded .p7m file.</li>
                    </ol>
                    <div>
                      <Button
                        size="small"
                        icon={<Open20Regular />}
                        onClick={() => void openExternal(BUSINESS_PORTAL)}
                      >
                        Open Apple Business Manager
                      </Button>
                    </div>
                  </>
                )}
                <Field
                  label="Apple ID used for this token"
                  required
                  hint="It must match the Apple ID the token was created with (capitalisation does not matter)."
                  {...(appleIdError
                    ? { validationMessage: appleIdError, validationState: "error" as const }
                    : {})}
                >
                  <Input
                    type="email"
                    value={appleId}
                    onChange={(_, data) => {
                      setAppleId(data.value);
                      if (mismatch) renew.reset();
                    }}
                    onBlur={() => setTouched(true)}
                    autoComplete="off"
                    data-testid="renew-apple-id"
                  />
                </Field>
                <div className={styles.fileRow}>
                  {simulator ? (
                    <Button
                      appearance={file ? "secondary" : "primary"}
                      icon={<Beaker20Regular />}
                      onClick={() => issue.mutate()}
                      disabled={issue.isPending || renew.isPending}
                      data-testid="renew-simulator-file"
                    >
                      {issue.isPending
                        ? "Getting a new token…"
                        : "Get a new token from the simulated portal"}
                    </Button>
                  ) : null}
                  <Button
                    icon={<DocumentArrowUp20Regular />}
                    onClick={() => void chooseFile()}
                    disabled={renew.isPending || issue.isPending}
                    data-testid="renew-pick-file"
                  >
                    {simulator
                      ? "Choose a file…"
                      : file
                        ? "Choose another file…"
                        : "Choose new token file…"}
                  </Button>
                </div>
                {issue.isError ? <SimulatedPortalError error={issue.error} /> : null}
                {file ? (
                  <ChosenFileBox
                    file={file}
                    fromSimulator={fileFromSimulator}
                    testId="renew-picked-file"
                  />
                ) : (
                  <NoFileChosen />
                )}
                {renew.isPending ? <CheckingTokenSpinner simulator={simulator} /> : null}
                {otherServer ? (
                  <MessageBar intent="warning" layout="multiline" data-testid="renew-other-server">
                    <MessageBarBody>
                      <MessageBarTitle>This file is for a different MDM server</MessageBarTitle>
                      {renew.error?.message} Renewing with it points this token at that server:
                      Depot will then sync that server&apos;s devices here. Only continue if the
                      server was recreated in Apple&apos;s portal on purpose.
                    </MessageBarBody>
                    <MessageBarActions>
                      <Button
                        appearance="primary"
                        onClick={() => renew.mutate({ force: true })}
                        data-testid="renew-force"
                      >
                        Use this file anyway
                      </Button>
                    </MessageBarActions>
                  </MessageBar>
                ) : renew.isError && !mismatch ? (
                  <TokenFileError error={renew.error} />
                ) : null}
              </>
            )}
          </DialogContent>
          <DialogActions>
            {renewed ? (
              <Button appearance="primary" onClick={close} data-testid="renew-close">
                Done
              </Button>
            ) : (
              <>
                <Button
                  appearance="primary"
                  disabled={!canSubmit}
                  onClick={() => renew.mutate({ force: false })}
                  data-testid="renew-submit"
                >
                  {renew.isPending ? "Renewing…" : "Renew token"}
                </Button>
                <Button onClick={close}>Cancel</Button>
              </>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
