import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
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
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowDownload20Regular, FolderArrowRight20Regular } from "@fluentui/react-icons";
import { useMutation, useQuery } from "@tanstack/react-query";
import { call } from "../../app/api";
import { hasNativeDialogs, saveFilesToFolder, saveText } from "../../app/files";
import { CodeBlock } from "../../components/CodeBlock";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { plural } from "./format";

const useStyles = makeStyles({
  surface: {
    maxWidth: "860px",
    width: "calc(100vw - 64px)",
  },
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  paragraph: {
    margin: 0,
  },
  path: {
    fontFamily: tokens.fontFamilyMonospace,
    overflowWrap: "anywhere",
  },
});

type HandoffDialogProps = {
  profileId: string;
  profileName: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
};

/** One handoff file as a download (a browser) or through the save dialog. */
function fileToSave(name: string, text: string) {
  const extension = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1) : "txt";
  const plist = extension === "plist" || extension === "mobileconfig";
  return {
    fileName: name,
    filterName: plist ? "Property list" : "Text file",
    extensions: [extension],
    mimeType: plist ? "application/xml" : "text/plain",
    contents: text,
  };
}

/**
 * PRO-19: what Apple's profile cannot carry, as MDM command payloads. On the
 * desktop the files are written into a chosen folder; everywhere each file
 * can be copied or saved on its own (a download in a browser).
 */
export function HandoffDialog({ profileId, profileName, open, onOpenChange }: HandoffDialogProps) {
  const styles = useStyles();
  const native = hasNativeDialogs();
  const files = useQuery({
    queryKey: ["profiles.handoff", profileId],
    queryFn: () => call("profiles.handoff", { id: profileId }),
    enabled: open,
    staleTime: 0,
  });
  const save = useMutation({
    mutationFn: async () => {
      const ready = files.data ?? (await call("profiles.handoff", { id: profileId }));
      const dir = await saveFilesToFolder(
        `Choose a folder for the MDM files of ${profileName}`,
        ready.files.map((f) => ({ name: f.name, contents: f.text })),
      );
      return dir === null ? null : { count: ready.files.length, dir };
    },
  });
  const close = () => {
    onOpenChange(false);
    save.reset();
  };

  return (
    <Dialog open={open} onOpenChange={(_, data) => (data.open ? onOpenChange(true) : close())}>
      <DialogSurface className={styles.surface} data-testid="handoff-dialog">
        <DialogBody>
          <DialogTitle>MDM handoff files</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1 className={styles.paragraph}>
              Some settings of this profile are not part of what Apple stores: the device names from
              the template, the number of cached Shared iPad users, installing the Company Portal
              and Single App Mode. Your MDM server applies them after enrollment. These files hold
              them as MDM command payloads (property lists) for the MDM server to send; README.txt
              explains each one.
            </Body1>
            {save.isError ? (
              <ErrorState title="Couldn't write the files" error={save.error} />
            ) : null}
            {save.data ? (
              <MessageBar intent="success" layout="multiline" data-testid="handoff-saved">
                <MessageBarBody>
                  Saved {plural(save.data.count, "file", "files")} to{" "}
                  <span className={styles.path}>{save.data.dir}</span>.
                </MessageBarBody>
              </MessageBar>
            ) : null}
            {files.isPending ? (
              <LoadingState label="Preparing the files…" />
            ) : files.isError ? (
              <ErrorState
                title="Couldn't prepare the files"
                error={files.error}
                onRetry={() => void files.refetch()}
                retrying={files.isFetching}
              />
            ) : (
              <Accordion multiple collapsible data-testid="handoff-files">
                {files.data.files.map((file) => (
                  <AccordionItem key={file.name} value={file.name}>
                    <AccordionHeader data-testid={`handoff-toggle-${file.name}`}>
                      {file.name}
                    </AccordionHeader>
                    <AccordionPanel>
                      <CodeBlock
                        text={file.text}
                        label={file.name}
                        testId={`handoff-file-${file.name}`}
                        copyTestId={`handoff-copy-${file.name}`}
                      />
                      <Button
                        size="small"
                        appearance="subtle"
                        icon={<ArrowDownload20Regular />}
                        onClick={() => void saveText(fileToSave(file.name, file.text))}
                        data-testid={`handoff-download-${file.name}`}
                      >
                        {native ? "Save this file…" : "Download"}
                      </Button>
                    </AccordionPanel>
                  </AccordionItem>
                ))}
              </Accordion>
            )}
          </DialogContent>
          <DialogActions>
            {native ? (
              <Button
                appearance="primary"
                icon={<FolderArrowRight20Regular />}
                disabled={save.isPending}
                onClick={() => save.mutate()}
                data-testid="handoff-save"
              >
                {save.isPending ? "Saving…" : "Save to folder…"}
              </Button>
            ) : null}
            <Button onClick={close} data-testid="handoff-close">
              Close
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
