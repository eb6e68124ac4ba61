import {
  Body1,
  Button,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { DocumentArrowUp20Regular } from "@fluentui/react-icons";
import { TOKEN_PATHS } from "../../../app/paths";
import { LoadingState } from "../../../components/LoadingState";
import { CheckingTokenSpinner, ChosenFileBox, NoFileChosen } from "../TokenFileChoice";
import { TokenFileError } from "../TokenFileError";
import { TokenPreviewCard } from "../TokenPreviewCard";
import { useAddTokenStyles } from "./styles";
import type { AddTokenFlow } from "./useAddTokenFlow";

type TokenFileStepProps = {
  appleId: string;
  flow: Pick<
    AddTokenFlow,
    "chosen" | "fromSimulator" | "chooseFile" | "inspect" | "preview" | "key" | "goTo"
  >;
};

/** Step 5: the token file from Apple's portal (or the simulator's), and what Apple says it is. */
export function TokenFileStep({ appleId, flow }: TokenFileStepProps) {
  const styles = useAddTokenStyles();
  const { chosen, fromSimulator, chooseFile, inspect, preview, key, goTo } = flow;
  const file = chosen?.file ?? null;
  return (
    <>
      {fromSimulator ? (
        <Body1 className={styles.paragraph}>
          The token file from the simulated portal is already chosen. Depot opens it with the key
          from step 2 and asks the simulator which organisation and MDM server it belongs to.
          Nothing is saved until you choose Create.
        </Body1>
      ) : (
        <Body1 className={styles.paragraph}>
          Choose the server token (.p7m) you downloaded from Apple&apos;s portal. Depot opens it
          with the key from step 2 and asks Apple which organisation and MDM server it belongs to.
          Nothing is saved until you choose Create.
        </Body1>
      )}
      {file ? (
        <ChosenFileBox
          file={file}
          fromSimulator={fromSimulator}
          testId="picked-file"
          action={
            <Button
              className={styles.chosenFileAction}
              size="small"
              icon={<DocumentArrowUp20Regular />}
              onClick={() => void chooseFile()}
              disabled={inspect.isPending}
              data-testid="pick-token-file"
            >
              {fromSimulator ? "Choose a file from Apple instead…" : "Choose another file…"}
            </Button>
          }
        />
      ) : (
        <div className={styles.fileRow}>
          <Button
            icon={<DocumentArrowUp20Regular />}
            onClick={() => void chooseFile()}
            disabled={inspect.isPending}
            data-testid="pick-token-file"
          >
            Choose token file…
          </Button>
          <NoFileChosen />
        </div>
      )}
      {inspect.isPending ? (
        <CheckingTokenSpinner simulator={fromSimulator} />
      ) : inspect.isError ? (
        <TokenFileError error={inspect.error} onKeyStep={() => goTo(2)} />
      ) : preview ? (
        <>
          <TokenPreviewCard preview={preview} appleId={appleId} />
          {preview.existingTokenId ? (
            <MessageBar intent="warning" layout="multiline" data-testid="preview-duplicate">
              <MessageBarBody>
                <MessageBarTitle>This MDM server already has a token in Depot</MessageBarTitle>
                Renew that token instead of adding it twice; its profiles and devices are kept.{" "}
                <Link href={`#${TOKEN_PATHS.detail(preview.existingTokenId)}`}>
                  Open the existing token
                </Link>
              </MessageBarBody>
            </MessageBar>
          ) : null}
        </>
      ) : file && !key ? (
        <LoadingState label="Loading the public key…" />
      ) : null}
    </>
  );
}
