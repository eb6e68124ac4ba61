import {
  Body1,
  Button,
  Caption1,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  Field,
  OverlayDrawer,
  Select,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { DocumentArrowUp20Regular, Dismiss24Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, queryKeys } from "../../app/api";
import { pickFiles } from "../../app/files";
import type { AssignmentPreviewDto } from "../../bindings/AssignmentPreviewDto";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { ErrorState } from "../../components/ErrorState";
import { plural } from "./format";
import { PreviewView, WipeNote } from "./PreviewView";
import { ProfilePicker } from "./ProfilePicker";
import { RunView } from "./RunView";

const useStyles = makeStyles({
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    paddingBottom: tokens.spacingVerticalL,
  },
  paragraph: {
    margin: 0,
  },
  row: {
    display: "flex",
    gap: tokens.spacingHorizontalM,
    alignItems: "center",
    flexWrap: "wrap",
  },
  input: {
    fontFamily: tokens.fontFamilyMonospace,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  footer: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
  },
});

type Step =
  | { kind: "edit" }
  | { kind: "preview"; preview: AssignmentPreviewDto }
  | { kind: "run"; runId: string };

type SerialsPanelProps = {
  open: boolean;
  onClose: () => void;
  tokens: readonly TokenSummary[];
  /** The token the list is filtered to, if any. */
  initialTokenId: string | null;
  /** Serial numbers to start with, one per line (a link from the sync or token page). */
  initialText?: string;
};

/**
 * DEV-2 "Apple serial numbers": paste serials or import a CSV/TXT file, see
 * how each one would be treated, then send the profile to the ones that can
 * take it. Nothing goes to Apple before Confirm.
 */
export function SerialsPanel({
  open,
  onClose,
  tokens: tokenList,
  initialTokenId,
  initialText = "",
}: SerialsPanelProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const only = tokenList.length === 1 ? (tokenList[0]?.id ?? null) : null;
  const [tokenId, setTokenId] = useState<string | null>(initialTokenId ?? only);
  const [profileId, setProfileId] = useState<string | null>(null);
  const [text, setText] = useState(initialText);
  const [fileName, setFileName] = useState<string | null>(null);
  const [step, setStep] = useState<Step>({ kind: "edit" });

  const importFile = useMutation({
    mutationFn: async () => {
      const [file] = await pickFiles(".csv,.txt,text/csv,text/plain", false);
      if (!file) return null;
      return { name: file.name, text: new TextDecoder().decode(file.bytes) };
    },
    onSuccess: (file) => {
      if (!file) return;
      setFileName(file.name);
      setText(file.text);
    },
  });
  const preview = useMutation({
    mutationFn: ({ token, profile }: { token: string; profile: string }) =>
      call("assignments.preview", { tokenId: token, profileId: profile, text }),
    onSuccess: (data) => setStep({ kind: "preview", preview: data }),
  });
  const start = useMutation({
    mutationFn: ({
      token,
      profile,
      serials,
    }: {
      token: string;
      profile: string;
      serials: string[];
    }) => call("assignments.start", { tokenId: token, profileId: profile, serials }),
    onSuccess: ({ run }) => {
      client.setQueryData(queryKeys.assignment(run.id), run);
      setStep({ kind: "run", runId: run.id });
    },
  });

  const startOver = () => {
    preview.reset();
    start.reset();
    setStep({ kind: "edit" });
  };
  const ready = tokenId !== null && profileId !== null && text.trim() !== "";

  return (
    <OverlayDrawer
      open={open}
      onOpenChange={(_, data) => !data.open && onClose()}
      position="end"
      size="large"
      data-testid="serials-panel"
      data-step={step.kind}
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          action={
            <Button
              appearance="subtle"
              aria-label="Close"
              icon={<Dismiss24Regular />}
              onClick={onClose}
              data-testid="serials-close"
            />
          }
        >
          Apple serial numbers
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <div className={styles.body}>
          {step.kind === "edit" ? (
            <>
              <Body1 className={styles.paragraph}>
                Assign a profile to devices by their serial numbers: paste a list, or import the CSV
                that Apple Business Manager or Apple School Manager exports. Depot first shows how
                it would treat each serial number; nothing is sent until you confirm.
              </Body1>
              <Field label="Enrollment program token" required>
                <Select
                  value={tokenId ?? ""}
                  onChange={(_, data) => {
                    setTokenId(data.value === "" ? null : data.value);
                    setProfileId(null);
                  }}
                  data-testid="serials-token"
                >
                  <option value="">Choose a token…</option>
                  {tokenList.map((token) => (
                    <option key={token.id} value={token.id}>
                      {token.serverName}
                    </option>
                  ))}
                </Select>
              </Field>
              {tokenId !== null ? (
                <ProfilePicker
                  key={tokenId}
                  tokenId={tokenId}
                  value={profileId}
                  onChange={setProfileId}
                  testId="serials-profile"
                />
              ) : null}
              <Field
                label="Serial numbers"
                hint="One per line, or CSV with a column named “Serial Number”. Blank lines and lines starting with # are skipped."
              >
                <Textarea
                  className={styles.input}
                  value={text}
                  onChange={(_, data) => {
                    setText(data.value);
                    setFileName(null);
                  }}
                  rows={10}
                  resize="vertical"
                  placeholder={"F9FXK2ABCD12\nDMPXK2ABCD13"}
                  data-testid="serials-input"
                />
              </Field>
              <div className={styles.row}>
                <Button
                  icon={<DocumentArrowUp20Regular />}
                  onClick={() => importFile.mutate()}
                  disabled={importFile.isPending}
                  data-testid="serials-import"
                >
                  Import CSV or text file…
                </Button>
                {fileName !== null ? (
                  <Caption1 data-testid="serials-file">Read from {fileName}</Caption1>
                ) : null}
              </div>
              {importFile.isError ? (
                <ErrorState title="Couldn't read the file" error={importFile.error} />
              ) : null}
              {preview.isError ? (
                <ErrorState title="Couldn't check the serial numbers" error={preview.error} />
              ) : null}
            </>
          ) : null}
          {step.kind === "preview" ? (
            <>
              <PreviewView preview={step.preview} action="assign" />
              <WipeNote />
              {start.isError ? (
                <ErrorState title="Couldn't start the assignment" error={start.error} />
              ) : null}
            </>
          ) : null}
          {step.kind === "run" ? <RunView runId={step.runId} /> : null}
        </div>
      </DrawerBody>
      <DrawerFooter className={styles.footer}>
        {step.kind === "edit" ? (
          <Button
            appearance="primary"
            disabled={!ready || preview.isPending}
            onClick={() =>
              tokenId !== null &&
              profileId !== null &&
              preview.mutate({ token: tokenId, profile: profileId })
            }
            data-testid="serials-preview"
          >
            {preview.isPending ? "Checking…" : "Preview"}
          </Button>
        ) : null}
        {step.kind === "preview" ? (
          <>
            <Button
              appearance="primary"
              disabled={step.preview.toSend.length === 0 || start.isPending}
              onClick={() =>
                tokenId !== null &&
                profileId !== null &&
                start.mutate({ token: tokenId, profile: profileId, serials: step.preview.toSend })
              }
              data-testid="serials-confirm"
            >
              {start.isPending
                ? "Starting…"
                : `Confirm: assign to ${plural(step.preview.toSend.length, "device", "devices")}`}
            </Button>
            <Button onClick={startOver} data-testid="serials-back">
              Edit the list
            </Button>
          </>
        ) : null}
        {step.kind === "run" ? (
          <Button
            onClick={() => {
              startOver();
              setText("");
              setFileName(null);
            }}
            data-testid="serials-new"
          >
            Assign more serial numbers
          </Button>
        ) : null}
        <Button onClick={onClose} data-testid="serials-done">
          {step.kind === "run" ? "Close" : "Cancel"}
        </Button>
      </DrawerFooter>
    </OverlayDrawer>
  );
}
