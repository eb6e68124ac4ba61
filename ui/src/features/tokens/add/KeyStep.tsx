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
} from "@fluentui/react-components";
import { ArrowDownload20Regular, KeyReset20Regular } from "@fluentui/react-icons";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { usePendingKey } from "../../../app/api";
import { saveOutput } from "../../../app/files";
import type { PendingKey } from "../../../bindings/PendingKey";
import { ErrorState } from "../../../components/ErrorState";
import { Facts } from "../../../components/Facts";
import { LoadingState } from "../../../components/LoadingState";
import { formatDate, formatDateTime } from "../format";
import { useAddTokenStyles } from "./styles";

type KeyStepProps = {
  /** The simulated portal found no key waiting: say why the admin is back here. */
  keyLost: boolean;
  pendingKey: ReturnType<typeof usePendingKey>;
  keyValue: PendingKey | null;
  generating: boolean;
  generateError: unknown;
  onRegenerate: () => void;
  savedTo: string | null;
  onSaved: (where: string) => void;
};

/** Step 2: the public key Apple encrypts the token with: download it, or replace it. */
export function KeyStep({
  keyLost,
  pendingKey,
  keyValue,
  generating,
  generateError,
  onRegenerate,
  savedTo,
  onSaved,
}: KeyStepProps) {
  const styles = useAddTokenStyles();
  const [confirmOpen, setConfirmOpen] = useState(false);
  const save = useMutation({
    mutationFn: (key: PendingKey) =>
      saveOutput({
        fileName: key.fileName,
        filterName: "PEM certificate",
        extensions: ["pem"],
        mimeType: "application/x-pem-file",
        produce: () => Promise.resolve({ result: null, text: key.certificatePem }),
      }),
    onSuccess: (saved) => {
      if (saved) onSaved(saved.savedTo);
    },
  });

  if (pendingKey.isError) {
    return (
      <ErrorState
        title="Couldn't load the public key"
        error={pendingKey.error}
        onRetry={() => void pendingKey.refetch()}
        retrying={pendingKey.isFetching}
      />
    );
  }
  if (generateError) {
    return <ErrorState title="Couldn't create a key pair" error={generateError} />;
  }
  if (!keyValue || generating) {
    return (
      <LoadingState
        label={generating ? "Creating a key pair for this token…" : "Loading the public key…"}
      />
    );
  }

  return (
    <>
      {keyLost ? (
        <MessageBar intent="warning" layout="multiline" data-testid="key-lost">
          <MessageBarBody>
            <MessageBarTitle>No public key was waiting</MessageBarTitle>
            The simulated portal needs Depot&apos;s public key to make a token for it. Depot has
            made the key below; continue to step 3 and get the token file again.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Body1 className={styles.paragraph}>
        Apple encrypts the token it issues with this public key, so only this Depot workspace can
        open it. Download the key and upload it in Apple&apos;s portal in the next step. Depot keeps
        the matching private key safely until the token is created — you can close the app and
        continue later.
      </Body1>
      <Facts
        testId="pending-key"
        facts={[
          { label: "Subject", value: keyValue.subject },
          {
            label: "Fingerprint (SHA-256)",
            value: keyValue.fingerprint,
            mono: true,
            testId: "key-fingerprint",
          },
          { label: "Created", value: formatDateTime(keyValue.createdAt) },
          { label: "Valid until", value: formatDate(keyValue.certificateExpiresAt) },
          { label: "File", value: keyValue.fileName, mono: true },
        ]}
      />
      <div className={styles.actions}>
        <Button
          appearance="primary"
          icon={<ArrowDownload20Regular />}
          onClick={() => save.mutate(keyValue)}
          disabled={save.isPending}
          data-testid="download-key"
        >
          Download public key
        </Button>
        <Button
          icon={<KeyReset20Regular />}
          onClick={() => setConfirmOpen(true)}
          data-testid="generate-new-key"
        >
          Generate a new key
        </Button>
      </div>
      {save.isError ? <ErrorState title="Couldn't save the public key" error={save.error} /> : null}
      {savedTo ? (
        <MessageBar intent="success" layout="multiline" data-testid="key-saved">
          <MessageBarBody>
            Saved as <span className={styles.fileName}>{savedTo}</span>. Upload this file in
            Apple&apos;s portal.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Dialog open={confirmOpen} onOpenChange={(_, data) => setConfirmOpen(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Replace the public key?</DialogTitle>
            <DialogContent>
              <p className={styles.paragraph}>
                Depot will forget the current key. If you already uploaded it to Apple&apos;s
                portal, a token Apple made for it can no longer be imported: you would have to
                upload the new key to the MDM server and download the token again.
              </p>
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                onClick={() => {
                  setConfirmOpen(false);
                  onRegenerate();
                }}
                data-testid="generate-new-key-confirm"
              >
                Generate a new key
              </Button>
              <Button onClick={() => setConfirmOpen(false)}>Keep the current key</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
