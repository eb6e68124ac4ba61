import {
  Body1,
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Spinner,
  Switch,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Document20Regular, DocumentArrowUp20Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, useWorkspaceInfo } from "../../app/api";
import { pickFiles } from "../../app/files";
import { refreshAfter } from "../../app/invalidation";
import type { TokenFile } from "../../bindings/TokenFile";
import { ErrorState } from "../../components/ErrorState";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  fileRow: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  fileName: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
  },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** Asks for the private key Apple's portal downloaded (`.pem`); `null` when cancelled. */
async function pickKeyFile(): Promise<TokenFile | null> {
  const [picked] = await pickFiles(".pem", false);
  if (!picked) return null;
  return {
    kind: "contents",
    fileName: picked.name,
    contents: new TextDecoder().decode(picked.bytes),
  };
}

type ConnectAccountDialogProps = { open: boolean; onClose: () => void };

/** ORG: connect an Apple Business/School Manager API account (Preferences → API). */
export function ConnectAccountDialog({ open, onClose }: ConnectAccountDialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const [clientId, setClientId] = useState("");
  const [keyId, setKeyId] = useState("");
  const [key, setKey] = useState<TokenFile | null>(null);
  const [school, setSchool] = useState(false);
  const [name, setName] = useState("");
  const [fromSimulator, setFromSimulator] = useState(false);
  const simulatorUrl = useWorkspaceInfo().data?.simulatorUrl ?? null;

  const add = useMutation({
    mutationFn: () => {
      if (!key) throw new Error("Choose the private key file first.");
      const trimmed = name.trim();
      return call("org.add", {
        clientId: clientId.trim(),
        keyId: keyId.trim(),
        key,
        school,
        ...(trimmed === "" ? {} : { name: trimmed }),
        ...(fromSimulator && simulatorUrl !== null ? { apiUrl: "simulator" } : {}),
      });
    },
    onSuccess: async () => {
      await refreshAfter(client, "org");
      close();
    },
  });

  const close = () => {
    setClientId("");
    setKeyId("");
    setKey(null);
    setSchool(false);
    setName("");
    setFromSimulator(false);
    add.reset();
    onClose();
  };

  const choose = async () => {
    const picked = await pickKeyFile();
    if (picked) {
      setKey(picked);
      add.reset();
    }
  };

  const canSubmit = clientId.trim() !== "" && keyId.trim() !== "" && key !== null && !add.isPending;

  return (
    <Dialog open={open} onOpenChange={(_, data) => !data.open && close()} modalType="modal">
      <DialogSurface data-testid="org-connect-dialog">
        <DialogBody>
          <DialogTitle>Connect an API account</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1>
              In Apple Business Manager or Apple School Manager, open your account menu, choose{" "}
              <strong>Preferences</strong>, then <strong>API</strong>, and create an API account.
              Apple shows its client ID and key ID and downloads a private key (a{" "}
              <strong>.pem</strong> file) once: keep it, and choose it here.
            </Body1>
            <Field label="Client ID" required>
              <Input
                value={clientId}
                onChange={(_, data) => setClientId(data.value)}
                placeholder="BUSINESSAPI.…"
                disabled={add.isPending}
                data-testid="org-connect-client-id"
              />
            </Field>
            <Field label="Key ID" required>
              <Input
                value={keyId}
                onChange={(_, data) => setKeyId(data.value)}
                disabled={add.isPending}
                data-testid="org-connect-key-id"
              />
            </Field>
            <Field label="Private key">
              <div className={styles.fileRow}>
                <Button
                  icon={<DocumentArrowUp20Regular />}
                  onClick={() => void choose()}
                  disabled={add.isPending}
                  data-testid="org-connect-pick-file"
                >
                  {key ? "Choose another file…" : "Choose .pem file…"}
                </Button>
                {key ? (
                  <span className={styles.fileName} data-testid="org-connect-file">
                    <Document20Regular aria-hidden="true" />
                    {key.fileName}
                  </span>
                ) : (
                  <Caption1 className={styles.muted}>No file chosen.</Caption1>
                )}
              </div>
            </Field>
            <Checkbox
              checked={school}
              onChange={(_, data) => setSchool(data.checked === true)}
              disabled={add.isPending}
              label="School Manager account (Apple School Manager)"
              data-testid="org-connect-school"
            />
            <Field label="Name in Depot" hint="Optional. Left empty, it is the client ID.">
              <Input
                value={name}
                onChange={(_, data) => setName(data.value)}
                disabled={add.isPending}
                data-testid="org-connect-name"
              />
            </Field>
            {simulatorUrl !== null ? (
              <Switch
                checked={fromSimulator}
                onChange={(_, data) => setFromSimulator(data.checked)}
                disabled={add.isPending}
                label="The account is in Depot's simulator (demo mode), not at Apple"
                data-testid="org-connect-simulator"
              />
            ) : null}
            {add.isPending ? (
              <Spinner size="tiny" labelPosition="after" label="Checking the account with Apple…" />
            ) : null}
            {add.isError ? (
              <ErrorState title="Couldn't connect the account" error={add.error} />
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              disabled={!canSubmit}
              onClick={() => add.mutate()}
              data-testid="org-connect-submit"
            >
              {add.isPending ? "Connecting…" : "Connect"}
            </Button>
            <Button onClick={close}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
